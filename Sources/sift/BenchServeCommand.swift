// `sift bench serve`: requests per second and latency of `sift serve` under load, against a URL or
// a model served in this process on a loopback port; and the mixed valid/invalid soak (--soak).
import ArgumentParser
import Foundation
import SiftModels
import SiftServe
import SiftTokenizers
import SiftTrain

struct BenchServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load-test a classifier server: RPS and p50/p90/p99/max latency (closed or open loop), or the mixed valid/invalid soak.",
        discussion: """
            Target: --url http://HOST:PORT (a running `sift serve` or TEI), or --model M (served in this process on a loopback \
            port), or --random bert-base|qwen3-0.6b with --tokenizer DIR (random weights of that shape).
            Closed loop: --concurrency 1,8,64 (one run per value). Open loop: --rate R requests/s. Each run lasts --duration \
            seconds or --requests requests. --batching on,off measures both (in-process targets only).
            --soak: --requests (default 20000) at --concurrency (default 64) mixing valid requests (answers checked against the \
            library's prediction) and invalid ones (bad JSON, empty batch, huge body, too long, wrong types, invalid UTF-8, \
            oversized batch), which must each get their 4xx; reports resident memory before and after.
            Timings on a shared machine vary: compare runs made together.
            """)

    @Option(help: "A running server, e.g. http://127.0.0.1:8080.")
    var url: String?
    @Option(help: "Serve this model in-process (classifier checkpoint, or decoder with --method choice).")
    var model: String?
    @Option(help: "Serve a random-weight classifier of this shape in-process: bert-base or qwen3-0.6b.")
    var random: RandomShape?
    @Option(help: "With --random: a model directory (or .gguf) whose tokenizer to use.")
    var tokenizer: String?
    @OptionGroup var serving: ServingOptions
    @Option(help: "Texts to send: a dataset file (CSV, TSV, JSON Lines, Parquet).")
    var data: String?
    @OptionGroup var columns: DataColumnOptions
    @Option(help: "Closed loop: concurrent clients, comma-separated for several runs (default 8; the soak's default 64).")
    var concurrency: String?
    @Option(help: "Open loop: arrivals per second (instead of the closed loop).")
    var rate: Double?
    @Option(help: "Open loop: outstanding requests beyond which arrivals are dropped (and counted).")
    var maxInFlight: Int = 1024
    @Option(help: "Seconds per run.")
    var duration: Double = 10
    @Option(help: "Requests per run (instead of --duration; the soak's total).")
    var requests: Int?
    @Option(help: "Texts per request (batch requests when above 1).")
    var textsPerRequest: Int = 1
    @Option(help: "Unmeasured requests before each run.")
    var warmup: Int = 16
    @Option(help: "In-process targets: on, off, or on,off (dynamic batching).")
    var batching: String = "on"
    @Flag(help: "Run the mixed valid/invalid soak instead of the load test.")
    var soak = false
    @Flag(help: "Print JSON instead of a table.")
    var json = false
    @OptionGroup(title: "Precision (in-process targets)") var precisionOptions: InferencePrecisionOptions

    enum RandomShape: String, ExpressibleByArgument, CaseIterable {
        case bertBase = "bert-base"
        case qwen3 = "qwen3-0.6b"
    }

    func validate() throws {
        let targets = [url != nil, model != nil, random != nil].filter { $0 }.count
        guard targets == 1 else { throw ValidationError("give exactly one of --url, --model, --random") }
        if random != nil && tokenizer == nil { throw ValidationError("--random needs --tokenizer DIR (a model directory whose tokenizer to use)") }
        if soak && url != nil { throw ValidationError("--soak serves the model in-process: use --model or --random") }
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        precisionOptions.apply()  // as `sift serve` runs: weights kept converted (packed fp32, or bf16)
        let texts = try loadTexts()
        let levelList = concurrency ?? (soak ? "64" : "8")
        let levels = try levelList.split(separator: ",").map { part -> Int in
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)), value >= 1 else {
                throw ValidationError("--concurrency takes positive integers, comma-separated; got \(levelList)")
            }
            return value
        }
        guard !levels.isEmpty else { throw ValidationError("--concurrency is empty") }
        let modes = try batching.split(separator: ",").map { part -> Bool in
            switch part.trimmingCharacters(in: .whitespaces) {
            case "on": true
            case "off": false
            default: throw ValidationError("--batching takes on, off or on,off; got \(batching)")
            }
        }
        guard !modes.isEmpty else { throw ValidationError("--batching is empty") }
        if let url {
            let (host, port) = try parse(url: url)
            var reports: [ServingBenchmarkReport] = []
            for level in levels {
                var report = try await ServingBenchmark.run(host: host, port: port, options: options(texts: texts, concurrency: level))
                report.labels = ["target": url]
                reports.append(report)
                if !json { note(row(report)) }
            }
            try output(reports)
            return
        }
        let served = try makeModel()
        if soak {
            note("soak: \(requests ?? 20_000) requests at concurrency \(levels[0]) against \(served.modelId) (\(served.kind.rawValue))")
            var configuration = serving.configuration(host: "127.0.0.1", port: 0, batching: modes[0])
            configuration.maxBodyBytes = min(configuration.maxBodyBytes, 64 << 10)
            let report = try await ServingSoak.run(model: served, configuration: configuration, texts: texts,
                                                   requests: requests ?? 20_000, concurrency: levels[0])
            if json { try printJSON(report, pretty: true) } else { printSoak(report) }
            if !report.passed { throw CLIError("the soak found \(report.wrongStatuses) wrong statuses, \(report.wrongAnswers) wrong answers, \(report.connectionFailures) failed connections") }
            return
        }
        var reports: [ServingBenchmarkReport] = []
        for level in levels {
            for batched in modes {
                var report = try await ServingBenchmark.run(model: served, server: serving.configuration(host: "127.0.0.1", port: 0, batching: batched),
                                                            options: options(texts: texts, concurrency: level))
                report.labels = ["model": served.modelId, "kind": served.kind.rawValue, "batching": batched ? "on" : "off"]
                reports.append(report)
                if !json { note(row(report)) }
            }
        }
        try output(reports)
    }

    func options(texts: [String], concurrency level: Int) -> ServingBenchmarkOptions {
        let pattern: LoadPattern = rate.map { .openLoop(requestsPerSecond: $0, maxInFlight: maxInFlight) } ?? .closedLoop(concurrency: level)
        return ServingBenchmarkOptions(pattern: pattern, duration: requests == nil ? duration : nil, requests: requests, texts: texts,
                                       textsPerRequest: textsPerRequest, warmupRequests: warmup)
    }

    func makeModel() throws -> ServingModel {
        if let model { return try serving.loadModel(model) }
        guard let random, let tokenizer else { throw CLIError("no model to serve") }
        let tokenizerURL = URL(fileURLWithPath: tokenizer)
        let tok = tokenizerURL.pathExtension.lowercased() == "gguf"
            ? try ModelLoader.tokenizer(fromGGUF: tokenizerURL) : try Tokenizer.load(from: tokenizerURL)
        let labels = serving.labelList ?? ["World", "Sports", "Business", "Sci/Tech"]
        switch random {
        case .bertBase:
            let classifier = try BertForSequenceClassification.random(config: .bertBase, labels: labels.count)
            return try ServingModel(classifier: classifier, tokenizer: tok, labels: labels, padId: tok.padTokenId ?? 0,
                                    modelId: serving.modelId ?? "random BERT-base", maxPositions: 512)
        case .qwen3:
            let classifier = try DecoderForSequenceClassification.random(config: .qwen3_0_6B, labels: labels.count)
            return try ServingModel(classifier: classifier, tokenizer: tok, labels: labels,
                                    padId: classifier.model.config.padTokenId ?? 0,
                                    modelId: serving.modelId ?? "random Qwen3-0.6B linear head", maxPositions: classifier.model.config.maxPositionEmbeddings)
        }
    }

    func loadTexts() throws -> [String] {
        guard let data else {
            throw ValidationError("--data FILE is needed: the texts to send (e.g. --data ../shared/data/agnews/test.csv --preset agnews)")
        }
        let texts = try columns.load(data).examples.map(\.text)
        guard !texts.isEmpty else { throw CLIError("\(data) holds no texts") }
        return texts
    }

    func parse(url: String) throws -> (String, Int) {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host else {
            throw ValidationError("--url must look like http://HOST:PORT, got \(url)")
        }
        return (host, components.port ?? 80)
    }

    func row(_ r: ServingBenchmarkReport) -> String {
        let target = r.labels["model"].map { "\($0) · batching \(r.labels["batching"] ?? "?")" } ?? r.labels["target"] ?? ""
        let load = r.pattern == "open" ? String(format: "rate %.0f/s", r.targetRate ?? 0) : "concurrency \(r.concurrency ?? 0)"
        let errors = r.errors.isEmpty ? "no errors" : r.errors.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
        return "\(target) · \(load): \(f1(r.requestsPerSecond)) req/s · p50 \(f1(r.latencyMs.p50)) ms · p90 \(f1(r.latencyMs.p90)) · "
            + "p99 \(f1(r.latencyMs.p99)) · max \(f1(r.latencyMs.max)) · \(r.succeeded) ok · \(errors)"
    }

    func output(_ reports: [ServingBenchmarkReport]) throws {
        if json { return try printJSON(reports, pretty: true) }
        print("| model | batching | load | RPS | p50 ms | p90 ms | p99 ms | max ms | errors |")
        print("|---|---|---|---:|---:|---:|---:|---:|---|")
        for r in reports {
            let load = r.pattern == "open" ? String(format: "%.0f/s", r.targetRate ?? 0) : "c=\(r.concurrency ?? 0)"
            let errors = r.errors.isEmpty ? "0" : r.errors.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            let name = r.labels["model"] ?? r.labels["target"] ?? ""
            print("| \(name) | \(r.labels["batching"] ?? "-") | \(load) | \(f1(r.requestsPerSecond)) | \(f1(r.latencyMs.p50)) | "
                  + "\(f1(r.latencyMs.p90)) | \(f1(r.latencyMs.p99)) | \(f1(r.latencyMs.max)) | \(errors) |")
        }
    }

    func f1(_ value: Double) -> String { String(format: "%.1f", value) }

    func printSoak(_ r: SoakReport) {
        print(String(format: "soak: %d requests (%d valid, %d invalid) in %.1f s · wrong answers %d · wrong statuses %d · 5xx %d · connection failures %d",
                     r.requests, r.validRequests, r.invalidRequests, r.seconds, r.wrongAnswers, r.wrongStatuses, r.serverErrors, r.connectionFailures))
        print(String(format: "RSS before %.1f MiB · after %.1f MiB", r.rssBeforeMiB, r.rssAfterMiB))
        for (key, count) in r.outcomes.sorted(by: { $0.key < $1.key }) { print("  \(key): \(count)") }
        for failure in r.failures { print("  FAIL \(failure)") }
        print(r.passed ? "PASS" : "FAIL")
    }
}
