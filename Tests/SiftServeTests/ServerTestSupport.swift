// Shared by the serving tests: the tiny fixture models as served models, AG News texts, and a
// server started on a free loopback port for the duration of a test.
import Foundation
import SiftData
@testable import SiftServe
import SiftTestSupport

enum ServeFixtures {
    static let agNewsLabels = ["World", "Sports", "Business", "Sci/Tech"]

    static func texts(perClass: Int) throws -> [String] {
        try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/test.csv")).limitedPerClass(perClass).examples.map(\.text)
    }

    static func tinyBert() throws -> ServingModel {
        try ServingModel.load(path: Fixtures.fixture("models/tiny-bert").path, method: .classifier, modelId: "tiny-bert")
    }

    static func tinyQwenClassifier() throws -> ServingModel {
        try ServingModel.load(path: Fixtures.fixture("models/tiny-qwen3-cls").path, method: .classifier, modelId: "tiny-qwen3-cls")
    }

    static func tinyQwenChoice() throws -> ServingModel {
        try ServingModel.load(path: Fixtures.fixture("models/tiny-qwen3").path, method: .choice, labels: agNewsLabels, modelId: "tiny-qwen3")
    }
}

/// Starts `model` on a free loopback port, runs `body` with a connection, then drains and stops.
func withServer<T>(_ model: ServingModel, configuration: ServerConfiguration = ServerConfiguration(port: 0),
                   _ body: (Int, HTTPClientConnection) async throws -> T) async throws -> T {
    var config = configuration
    config.host = "127.0.0.1"
    config.port = 0
    let running = try await SiftServer(model: model, configuration: config).start()
    let connection = try await HTTPClientConnection.connect(host: "127.0.0.1", port: running.port)
    do {
        let result = try await body(running.port, connection)
        await connection.close()
        try await running.shutdown()
        return result
    } catch {
        await connection.close()
        try? await running.shutdown()
        throw error
    }
}

/// A JSON string literal for building request bodies.
func quoted(_ text: String) -> String {
    SiftServer.jsonString(text)
}

/// A `/predict` answer decoded: label → score, in the answer's order.
func decodeAnswer(_ answer: HTTPAnswer) throws -> [PredictedLabel] {
    try JSONDecoder().decode([PredictedLabel].self, from: Data(answer.body))
}

func decodeBatchAnswer(_ answer: HTTPAnswer) throws -> [[PredictedLabel]] {
    try JSONDecoder().decode([[PredictedLabel]].self, from: Data(answer.body))
}

struct ErrorBody: Decodable {
    var error: String
    var error_type: String
}

func decodeError(_ answer: HTTPAnswer) throws -> ErrorBody {
    try JSONDecoder().decode(ErrorBody.self, from: Data(answer.body))
}
