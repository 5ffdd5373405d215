// The soak: many requests at high concurrency mixing valid requests (answers checked against the
// library's own prediction of the same text) with invalid ones (bad JSON, empty batch, huge body,
// too-long text, wrong types, invalid UTF-8, oversized batch), each of which must get its own 4xx.
// Memory is read before and after from /proc/self/status (the server runs in this process).
import Foundation
import NIOCore
import NIOConcurrencyHelpers
import SiftTensor

/// What a soak run found.
public struct SoakReport: Sendable, Codable {
    public var requests: Int
    public var validRequests: Int
    public var invalidRequests: Int
    /// Valid requests whose answer differed from the library's prediction.
    public var wrongAnswers: Int
    /// Requests answered with another status than expected (5xx included).
    public var wrongStatuses: Int
    /// Answers with a 5xx status.
    public var serverErrors: Int
    /// Requests that got no HTTP answer.
    public var connectionFailures: Int
    /// Answers by kind of request and status, e.g. "bad-json 422".
    public var outcomes: [String: Int]
    public var seconds: Double
    /// Resident memory (MiB) after loading and warming, and after the soak.
    public var rssBeforeMiB: Double
    public var rssAfterMiB: Double
    /// The first few failures, described.
    public var failures: [String]
    /// Whether every request got what it should.
    public var passed: Bool { wrongAnswers == 0 && wrongStatuses == 0 && serverErrors == 0 && connectionFailures == 0 }
}

/// Runs the mixed valid/invalid soak against a model served in this process.
public enum ServingSoak {
    /// Serves `model` on a loopback port and sends `requests` requests from `concurrency` clients.
    /// - Parameters:
    ///   - texts: valid texts (a pool; Unicode garbage is added to it).
    ///   - tolerance: largest difference between a served probability and the library's.
    public static func run(model: ServingModel, configuration: ServerConfiguration = ServerConfiguration(maxBodyBytes: 64 << 10),
                           texts: [String], requests: Int = 20_000, concurrency: Int = 64, tolerance: Float = 2e-3,
                           seed: UInt64 = 7) async throws -> SoakReport {
        var config = configuration
        config.host = "127.0.0.1"
        config.port = 0
        config.maxConcurrentRequests = max(config.maxConcurrentRequests, concurrency + 8)
        let server = try SiftServer(model: model, configuration: config)
        var generator = SplitMix(seed: seed)
        let pool = Array(texts.prefix(200)) + (0..<40).map { _ in unicodeGarbage(&generator) }
        guard !pool.isEmpty else { throw ServeSetupError("the soak needs at least one text") }
        // The library's answers, computed before serving (one text per forward, no batching).
        var expected: [[Float]] = []
        for text in pool {
            let encoded = try model.encode(TextInput(text: text), truncate: true, direction: .right, maxLength: server.maxInputLength)
            expected.append(ServingModel.probabilities(try model.rawScores([encoded])[0]))
        }
        let plan = (0..<requests).map { _ in SoakCase.draw(&generator, poolSize: pool.count) }
        let running = try await server.start()
        let rssBefore = residentMiB()
        let tally = SoakTally()
        let next = NIOLockedValueBox(0)
        let start = DispatchTime.now().uptimeNanoseconds
        let longText = String(repeating: "word ", count: server.maxInputLength * 2 + 16)
        let context = SoakContext(pool: pool, expected: expected, labels: model.labels, tolerance: tolerance, longText: longText,
                                  maxBodyBytes: config.maxBodyBytes, maxClientBatchSize: config.maxClientBatchSize)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        var connection: HTTPClientConnection?
                        while true {
                            let index: Int? = next.withLockedValue { value in
                                guard value < plan.count else { return nil }
                                value += 1
                                return value - 1
                            }
                            guard let index else { break }
                            let item = plan[index]
                            let (body, expectedStatus, check) = context.request(for: item)
                            do {
                                let active = try await HTTPClientConnection.reusing(connection, host: "127.0.0.1", port: running.port)
                                connection = active
                                let answer = try await active.send(.POST, "/predict", body: body)
                                let problem = answer.status != expectedStatus
                                    ? "\(item.kind.rawValue): status \(answer.status), expected \(expectedStatus): \(answer.text.prefix(160))"
                                    : check.flatMap { context.verify(answer.body, against: $0) }
                                tally.record(kind: item.kind, status: answer.status, statusWrong: answer.status != expectedStatus,
                                             problem: problem)
                            } catch {
                                tally.recordConnectionFailure("\(item.kind.rawValue): \(error)")
                                await connection?.close()
                                connection = nil
                            }
                        }
                        await connection?.close()
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            try? await running.shutdown()
            throw error
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
        let rssAfter = residentMiB()
        try await running.shutdown()
        return tally.report(requests: requests, seconds: seconds, rssBefore: rssBefore, rssAfter: rssAfter)
    }

    /// Resident set size of this process in MiB (Linux /proc; 0 where unavailable).
    public static func residentMiB() -> Double {
        Double(StorageStatistics.residentBytes ?? 0) / Double(1 << 20)
    }

    /// A text of random scalars from many scripts: CJK, emoji, combining marks, RTL, zero-width, controls.
    static func unicodeGarbage(_ generator: inout SplitMix) -> String {
        let ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0xA0...0x24F, 0x300...0x36F, 0x590...0x6FF, 0x900...0x97F,
                                             0x3040...0x30FF, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0x1F300...0x1FAFF,
                                             0x200B...0x200F, 0x1...0x1F, 0xFFF0...0xFFFD, 0x10000...0x1007F]
        var scalars = String.UnicodeScalarView()
        let length = 1 + Int(generator.next() % 120)
        for _ in 0..<length {
            let range = ranges[Int(generator.next() % UInt64(ranges.count))]
            let value = range.lowerBound + UInt32(generator.next() % UInt64(range.count))
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        let text = String(scalars)
        return text.unicodeScalars.contains { !$0.properties.isWhitespace } ? text : text + "x"
    }
}

/// The kinds of soak requests.
enum SoakKind: String, CaseIterable, Sendable {
    case single, batch, pair, badJSON = "bad-json", emptyBatch = "empty-batch", hugeBody = "huge-body",
         tooLong = "too-long", wrongType = "wrong-type", invalidUTF8 = "invalid-utf8", batchTooLarge = "batch-too-large"

    var isValid: Bool { self == .single || self == .batch || self == .pair }
}

struct SoakCase: Sendable {
    var kind: SoakKind
    /// Indices into the text pool.
    var texts: [Int]
    var variant: Int

    static func draw(_ generator: inout SplitMix, poolSize: Int) -> SoakCase {
        // About two thirds valid.
        let roll = generator.next() % 100
        let kind: SoakKind = switch roll {
        case 0..<40: .single
        case 40..<60: .batch
        case 60..<66: .pair
        case 66..<71: .badJSON
        case 71..<75: .emptyBatch
        case 75..<78: .hugeBody
        case 78..<83: .tooLong
        case 83..<91: .wrongType
        case 91..<96: .invalidUTF8
        default: .batchTooLarge
        }
        let count = kind == .batch ? 2 + Int(generator.next() % 4) : 1
        return SoakCase(kind: kind, texts: (0..<count).map { _ in Int(generator.next() % UInt64(poolSize)) },
                        variant: Int(generator.next() % 8))
    }
}

/// What the soak needs to build and check requests.
struct SoakContext: Sendable {
    let pool: [String]
    let expected: [[Float]]
    let labels: [String]
    let tolerance: Float
    let longText: String
    let maxBodyBytes: Int
    let maxClientBatchSize: Int

    /// The body, the status it must get, and (valid requests) the pool indices whose answers to check.
    func request(for item: SoakCase) -> (ByteBuffer, Int, [Int]?) {
        let quoted = { (index: Int) in SiftServer.jsonString(pool[index]) }
        switch item.kind {
        case .single:
            return (ByteBuffer(string: "{\"inputs\":\(quoted(item.texts[0])),\"truncate\":true}"), 200, item.texts)
        case .batch:
            let elements = item.texts.enumerated().map { $0.offset % 2 == 0 ? "[\(quoted($0.element))]" : quoted($0.element) }
            return (ByteBuffer(string: "{\"inputs\":[\(elements.joined(separator: ","))],\"truncate\":true,\"truncation_direction\":\"right\"}"),
                    200, item.texts)
        case .pair:
            // A pair's answer is checked for shape only (the pool's references are single texts).
            return (ByteBuffer(string: "{\"inputs\":[\(quoted(item.texts[0])),\"and a second text\"],\"truncate\":true}"), 200, [])
        case .badJSON:
            let bodies = ["{\"inputs\": \"unterminated", "{inputs: 'single quotes'}", "", "[1, 2,", "{\"inputs\": \"a\"} trailing",
                          "nul\u{0}l", "{\"inputs\": [\"a\", }", "{{{{"]
            return (ByteBuffer(string: bodies[item.variant % bodies.count]), 422, nil)
        case .emptyBatch:
            return (ByteBuffer(string: item.variant % 2 == 0 ? "{\"inputs\": []}" : "{\"inputs\": [], \"truncate\": true}"), 400, nil)
        case .hugeBody:
            return (ByteBuffer(string: "{\"inputs\":\"" + String(repeating: "a", count: maxBodyBytes + 1024) + "\"}"), 413, nil)
        case .tooLong:
            return (ByteBuffer(string: "{\"inputs\":\(SiftServer.jsonString(longText)),\"truncate\":false}"), 413, nil)
        case .wrongType:
            let bodies = ["{\"inputs\": 42}", "{\"inputs\": \"x\", \"truncate\": \"yes\"}", "{\"inputs\": [1, 2, 3]}", "{}",
                          "{\"inputs\": null}", "{\"inputs\": \"x\", \"truncation_direction\": \"up\"}",
                          "{\"inputs\": [[\"a\", \"b\", \"c\"]]}", "{\"inputs\": \"x\", \"raw_scores\": 1}"]
            return (ByteBuffer(string: bodies[item.variant % bodies.count]), 422, nil)
        case .invalidUTF8:
            var buffer = ByteBuffer(string: "{\"inputs\": \"")
            let invalid: [UInt8] = [0xFF, 0xFE, 0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1]
            buffer.writeBytes(invalid[0..<(3 + item.variant % 6)])
            buffer.writeString("\"}")
            return (buffer, 422, nil)
        case .batchTooLarge:
            let elements = [String](repeating: "\"x\"", count: maxClientBatchSize + 1 + item.variant)
            return (ByteBuffer(string: "{\"inputs\": [\(elements.joined(separator: ","))]}"), 422, nil)
        }
    }

    /// nil when the answer matches the library's predictions for `indices`, else what is wrong.
    func verify(_ body: [UInt8], against indices: [Int]) -> String? {
        guard let value = try? JSONSerialization.jsonObject(with: Data(body)) else { return "answer is not JSON" }
        let rows: [Any]
        if indices.count > 1 || (indices.count == 1 && (value as? [Any])?.first is [Any]) {
            guard let list = value as? [Any], list.count == indices.count else { return "batch answer has the wrong length" }
            rows = list
        } else {
            rows = [value]
        }
        for (position, row) in rows.enumerated() {
            guard let entries = row as? [[String: Any]], entries.count == labels.count else { return "answer \(position) is not a label list" }
            var scores: [String: Float] = [:]
            var previous = Float.infinity
            for entry in entries {
                guard let label = entry["label"] as? String, let score = (entry["score"] as? NSNumber)?.floatValue else {
                    return "answer \(position) has an entry without label/score"
                }
                if score > previous + 1e-7 { return "answer \(position) is not sorted by score" }
                previous = score
                scores[label] = score
            }
            guard Set(scores.keys) == Set(labels) else { return "answer \(position) has labels \(scores.keys.sorted())" }
            if position < indices.count {
                let reference = expected[indices[position]]
                for (label, probability) in zip(labels, reference) where abs((scores[label] ?? -1) - probability) > tolerance {
                    return "text \(indices[position]): \(label) scored \(scores[label] ?? -1), library \(probability)"
                }
            } else if abs(scores.values.reduce(0, +) - 1) > 1e-3 {
                return "answer \(position): probabilities do not sum to 1"
            }
        }
        return nil
    }
}

/// Outcome counts shared by the soak's clients.
final class SoakTally: Sendable {
    struct State {
        var outcomes: [String: Int] = [:]
        var valid = 0, invalid = 0, wrongAnswers = 0, wrongStatuses = 0, serverErrors = 0, connectionFailures = 0
        var failures: [String] = []
    }

    private let state = NIOLockedValueBox(State())

    func record(kind: SoakKind, status: Int, statusWrong: Bool, problem: String?) {
        state.withLockedValue {
            $0.outcomes["\(kind.rawValue) \(status)", default: 0] += 1
            if kind.isValid { $0.valid += 1 } else { $0.invalid += 1 }
            if status >= 500 { $0.serverErrors += 1 }
            if statusWrong { $0.wrongStatuses += 1 } else if problem != nil { $0.wrongAnswers += 1 }
            if let problem, $0.failures.count < 10 { $0.failures.append(problem) }
        }
    }

    func recordConnectionFailure(_ what: String) {
        state.withLockedValue {
            $0.connectionFailures += 1
            if $0.failures.count < 10 { $0.failures.append(what) }
        }
    }

    func report(requests: Int, seconds: Double, rssBefore: Double, rssAfter: Double) -> SoakReport {
        state.withLockedValue { s in
            SoakReport(requests: requests, validRequests: s.valid, invalidRequests: s.invalid, wrongAnswers: s.wrongAnswers,
                       wrongStatuses: s.wrongStatuses, serverErrors: s.serverErrors, connectionFailures: s.connectionFailures,
                       outcomes: s.outcomes, seconds: seconds, rssBeforeMiB: rssBefore, rssAfterMiB: rssAfter, failures: s.failures)
        }
    }
}

/// A small seeded generator (SplitMix64) for reproducible soak plans.
struct SplitMix: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49EB_1133_111E
        return z ^ (z >> 31)
    }
}
