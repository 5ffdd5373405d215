// The real server on a loopback port, through a real HTTP client: every endpoint, every error path,
// and answers equal to the library's prediction (what `sift predict` prints) for the same texts.
import Foundation
import SiftData
import SiftModels
@testable import SiftServe
import SiftTensor
import SiftTestSupport
import SiftTrain
import Testing

@Suite("Serving endpoints (tiny BERT classifier)", .serialized)
struct ServerEndpointTests {
    /// What `sift predict` computes: encodeExample (head truncation to `maxLength`), batched logits, softmax.
    static func libraryPredictions(modelPath: URL, texts: [(String, String?)], maxLength: Int) throws -> [[PredictedLabel]] {
        let bundle = try ModelLoader.load(modelPath, task: .classification(labels: nil))
        let classifier = try #require(bundle.model.classifier)
        let examples = try texts.map { text, pair in
            let (ids, types) = try bundle.tokenizer.encodeExample(text: text, pair: pair, options: TextEncodingOptions(maxLength: maxLength))
            return TokenizedExample(ids: ids, label: 0, tokenTypeIDs: pair == nil ? nil : types)
        }
        let logits = try Evaluator.logits(classifier, examples: examples, batchSize: 32, padId: bundle.padTokenId)
        let classes = classifier.classCount
        return examples.indices.map { i in
            let probabilities = Evaluator.softmax(Array(logits[(i * classes)..<((i + 1) * classes)]))
            return probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
                .map { PredictedLabel(label: bundle.labelNames[$0], score: probabilities[$0]) }
        }
    }

    static func expectClose(_ served: [PredictedLabel], _ library: [PredictedLabel], tolerance: Float = 1e-4,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(served.count == library.count, sourceLocation: sourceLocation)
        let library = Dictionary(uniqueKeysWithValues: library.map { ($0.label, $0.score) })
        for entry in served {
            let reference = library[entry.label] ?? -1
            #expect(abs(entry.score - reference) <= tolerance, "\(entry.label): served \(entry.score), library \(reference)",
                    sourceLocation: sourceLocation)
        }
        #expect(zip(served, served.dropFirst()).allSatisfy { $0.score >= $1.score }, "answer sorted by score", sourceLocation: sourceLocation)
    }

    @Test("/predict single, pair and batch forms equal the library's prediction (sift predict)")
    func predictParity() async throws {
        let texts = try ServeFixtures.texts(perClass: 3)
        let inputs: [(String, String?)] = texts.map { ($0, nil) } + [(texts[0], texts[1]), (texts[2], "a short second text")]
        let expected = try Self.libraryPredictions(modelPath: Fixtures.fixture("models/tiny-bert"), texts: inputs, maxLength: 128)
        try await withServer(try ServeFixtures.tinyBert(), configuration: ServerConfiguration(maxInputLength: 128)) { _, client in
            for (index, text) in texts.enumerated() {
                let answer = try await client.post("/predict", json: "{\"inputs\": \(quoted(text)), \"truncate\": true}")
                #expect(answer.status == 200)
                Self.expectClose(try decodeAnswer(answer), expected[index])
            }
            let pair = try await client.post("/predict", json: "{\"inputs\": [\(quoted(texts[0])), \(quoted(texts[1]))], \"truncate\": true}")
            Self.expectClose(try decodeAnswer(pair), expected[texts.count])
            let batchJSON = texts.map { "[\(quoted($0))]" }.joined(separator: ",") + ", [\(quoted(texts[2])), \"a short second text\"]"
            let batch = try await client.post("/predict", json: "{\"inputs\": [\(batchJSON)], \"truncate\": true}")
            #expect(batch.status == 200)
            let rows = try decodeBatchAnswer(batch)
            #expect(rows.count == texts.count + 1)
            for (row, index) in zip(rows, Array(texts.indices) + [texts.count + 1]) { Self.expectClose(row, expected[index]) }
        }
    }

    @Test("raw_scores gives the logits; truncation_direction left keeps the end of a long text")
    func rawScoresAndDirection() async throws {
        let model = try ServeFixtures.tinyBert()
        let long = try ServeFixtures.texts(perClass: 1).joined(separator: " ")
        let maxLength = 24
        let left = try model.encode(TextInput(text: long), truncate: true, direction: .left, maxLength: maxLength)
        let right = try model.encode(TextInput(text: long), truncate: true, direction: .right, maxLength: maxLength)
        #expect(left.ids.count == maxLength && right.ids.count == maxLength && left.ids != right.ids)
        let all = model.tokenizer.encode(long, addSpecialTokens: false).ids
        #expect(Array(left.ids[1..<(maxLength - 1)]) == Array(all.suffix(maxLength - 2)))
        #expect(Array(right.ids[1..<(maxLength - 1)]) == Array(all.prefix(maxLength - 2)))
        let logits = try model.rawScores([left])[0]
        try await withServer(model, configuration: ServerConfiguration(maxInputLength: maxLength)) { _, client in
            let answer = try await client.post("/predict", json: "{\"inputs\": \(quoted(long)), \"truncate\": true, \"truncation_direction\": \"left\", \"raw_scores\": true}")
            let served = try decodeAnswer(answer)
            for entry in served {
                let index = try #require(model.labels.firstIndex(of: entry.label))
                #expect(abs(entry.score - logits[index]) < 1e-4)
            }
        }
    }

    @Test("errors: 422 bad JSON and types, 400 empty, 413 too long and body too large, 422 batch too large, 404")
    func errorPaths() async throws {
        let config = ServerConfiguration(maxInputLength: 32, maxClientBatchSize: 4, maxBodyBytes: 4096)
        try await withServer(try ServeFixtures.tinyBert(), configuration: config) { _, client in
            func expectError(_ body: String, _ status: Int, _ type: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let answer = try await client.post("/predict", json: body)
                #expect(answer.status == status, "\(body.prefix(60)): \(answer.text)", sourceLocation: sourceLocation)
                let error = try decodeError(answer)
                #expect(error.error_type == type, sourceLocation: sourceLocation)
                #expect(!error.error.isEmpty, sourceLocation: sourceLocation)
            }
            try await expectError("{\"inputs\": \"unterminated", 422, "validation")
            try await expectError("not json at all", 422, "validation")
            try await expectError("{\"inputs\": 42}", 422, "validation")
            try await expectError("{\"inputs\": \"x\", \"truncate\": \"yes\"}", 422, "validation")
            try await expectError("{\"inputs\": []}", 400, "empty")
            let long = String(repeating: "news ", count: 100)
            try await expectError("{\"inputs\": \(quoted(long))}", 413, "validation")
            try await expectError("{\"inputs\": \(quoted(long)), \"truncate\": false}", 413, "validation")
            try await expectError("{\"inputs\": \"" + String(repeating: "a", count: 5000) + "\"}", 413, "validation")
            try await expectError("{\"inputs\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}", 422, "validation")
            // The same connection still works after every error.
            let ok = try await client.post("/predict", json: "{\"inputs\": \(quoted(long)), \"truncate\": true}")
            #expect(ok.status == 200)
            let missing = try await client.get("/nothing-here")
            #expect(missing.status == 404)
        }
    }

    @Test("/health, /info, /metrics and the page at /")
    func infoEndpoints() async throws {
        try await withServer(try ServeFixtures.tinyBert(), configuration: ServerConfiguration(maxInputLength: 64)) { _, client in
            let health = try await client.get("/health")
            #expect(health.status == 200)
            let info = try await client.get("/info")
            #expect(info.status == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(info.body)) as? [String: Any])
            #expect(object["model_id"] as? String == "tiny-bert")
            #expect(object["max_input_length"] as? Int == 64)
            #expect(object["labels"] as? [String] == ServeFixtures.agNewsLabels)
            let classifier = ((object["model_type"] as? [String: Any])?["classifier"] as? [String: Any])?["id2label"] as? [String: String]
            #expect(classifier?["2"] == "Business")
            #expect(object["version"] as? String == siftServeVersion)
            _ = try await client.post("/predict", json: "{\"inputs\": \"stocks rallied\"}")
            _ = try await client.post("/predict", json: "{\"inputs\": 1}")
            let metrics = try await client.get("/metrics")
            #expect(metrics.status == 200)
            for line in ["sift_requests_total{endpoint=\"predict\",status=\"200\",outcome=\"success\"} 1",
                         "sift_requests_total{endpoint=\"predict\",status=\"422\",outcome=\"error\"} 1",
                         "sift_batch_size_count 1", "sift_queue_duration_seconds_bucket{le=\"+Inf\"} 1",
                         "sift_tokenization_duration_seconds_count 1", "sift_inference_duration_seconds_count 1", "sift_queue_length 0"] {
                #expect(metrics.text.contains(line), "\(line)")
            }
            let page = try await client.get("/")
            #expect(page.status == 200 && page.text.contains("<textarea") && page.text.contains("/predict"))
        }
    }

    @Test("/embed: mean-pooled, normalised embeddings equal the library's")
    func embed() async throws {
        let model = try ServeFixtures.tinyBert()
        let texts = try ServeFixtures.texts(perClass: 1)
        let bundle = try ModelLoader.load(Fixtures.fixture("models/tiny-bert"), task: .base)
        guard case let .bert(encoder) = bundle.model else { throw ServeSetupError("expected an encoder") }
        try await withServer(model) { _, client in
            let answer = try await client.post("/embed", json: "{\"inputs\": [\(texts.map(quoted).joined(separator: ","))], \"truncate\": true}")
            #expect(answer.status == 200)
            let vectors = try JSONDecoder().decode([[Float]].self, from: Data(answer.body))
            #expect(vectors.count == texts.count)
            for (text, vector) in zip(texts, vectors) {
                let ids = try bundle.tokenizer.encodeExample(text: text, pair: nil, options: TextEncodingOptions(maxLength: 512)).ids
                let reference = try withNoGrad {
                    var context = ForwardContext.inference
                    let batch = try TokenBatch(ids: ids, batchSize: 1, length: ids.count)
                    return try encoder.hiddenStates(batch, context: &context).maskedMean(mask: batch.attentionMask).l2Normalized().scalars
                }
                #expect(vector.count == reference.count)
                #expect(zip(vector, reference).allSatisfy { abs($0 - $1) < 1e-4 })
            }
            let pair = try await client.post("/embed", json: "{\"inputs\": [\"a\", \"b\"]}")
            #expect(pair.status == 422)
        }
    }

    @Test("beyond --max-concurrent-requests: 429 with error_type overloaded; the rest answered")
    func overload() async throws {
        let texts = try ServeFixtures.texts(perClass: 8)
        let batch = "{\"inputs\": [\(texts.prefix(32).map { "[\(quoted($0))]" }.joined(separator: ","))], \"truncate\": true}"
        try await withServer(try ServeFixtures.tinyBert(), configuration: ServerConfiguration(maxConcurrentRequests: 1)) { port, _ in
            var statuses: [Int: Int] = [:]
            for _ in 0..<5 where statuses[429] == nil {
                let clients = try await (0..<24).asyncMap { _ in try await HTTPClientConnection.connect(host: "127.0.0.1", port: port) }
                let results = try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                    for client in clients { group.addTask { try await client.post("/predict", json: batch) } }
                    return try await group.reduce(into: [HTTPAnswer]()) { $0.append($1) }
                }
                for client in clients { await client.close() }
                for answer in results {
                    statuses[answer.status, default: 0] += 1
                    if answer.status == 429 { #expect(try decodeError(answer).error_type == "overloaded") }
                }
            }
            #expect(Set(statuses.keys).isSubset(of: [200, 429]), "\(statuses)")
            #expect(statuses[429, default: 0] > 0 && statuses[200, default: 0] > 0, "\(statuses)")
        }
    }

    @Test("shutdown drains: requests in flight when shutdown starts are answered")
    func gracefulShutdown() async throws {
        let texts = try ServeFixtures.texts(perClass: 8)
        let body = "{\"inputs\": [\(texts.prefix(32).map { "[\(quoted($0))]" }.joined(separator: ","))], \"truncate\": true}"
        // No batching: 256 forwards one by one keep requests in flight while shutdown begins.
        let server = try SiftServer(model: try ServeFixtures.tinyBert(),
                                    configuration: ServerConfiguration(port: 0, batching: BatchingLimits(maxBatchRequests: 1)))
        let running = try await server.start()
        let clients = try await (0..<8).asyncMap { _ in try await HTTPClientConnection.connect(host: "127.0.0.1", port: running.port) }
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in clients { group.addTask { try await client.post("/predict", json: body).status } }
            // Shut down once every request has reached the server (in flight or already answered).
            let deadline = ContinuousClock.now + .seconds(20)
            while server.metrics.inFlight + Int(server.metrics.requestCounts["predict 200", default: 0]) < 8 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
            }
            #expect(server.metrics.inFlight > 0, "shutdown began with requests in flight")
            try await running.shutdown()
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        for client in clients { await client.close() }
        #expect(answers == [Int](repeating: 200, count: 8))
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
