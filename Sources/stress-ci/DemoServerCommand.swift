import ArgumentParser
import Foundation
import StressCI

/// `stress-ci demo-server`: the embedded target (README, *Scenario file*: the embedded target) on its own, until SIGINT/SIGTERM.
struct DemoServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-server",
        abstract: "Serve the embedded demo target on loopback until interrupted.",
        discussion: "Answers GET /, GET /health, GET /products/N and POST /checkout with JSON, GET /bytes/N with N bytes.")

    @Option(help: "Port to listen on (0 = any free port).")
    var port = 8080

    @Option(help: "Address to bind: loopback only.")
    var host = "127.0.0.1"

    @Option(help: "Base latency of every answer, e.g. 20ms.")
    var latency = "0ms"

    @Option(help: "Uniform jitter added to the latency, e.g. 5ms.")
    var jitter = "0ms"

    @Option(help: "Share of answers that are 500, e.g. 1%.")
    var errorRate = "0%"

    @Option(help: "Freeze every … (with --stall-for), e.g. 10s.")
    var stallEvery: String?

    @Option(help: "… for this long, e.g. 1s.")
    var stallFor: String?

    @Option(help: "Event-loop threads.")
    var threads = 1

    @Option(help: "Wait this long before listening, like a slow-starting service, e.g. 1.5s.")
    var startupDelay = "0s"

    func validate() throws {
        // The same bounds as the scenario's demo knobs (the README's bounds table).
        let durations = [("--latency", latency, ScenarioBounds.maxShortDuration), ("--jitter", jitter, ScenarioBounds.maxShortDuration),
                         ("--startup-delay", startupDelay, ScenarioBounds.maxShortDuration)]
            + [("--stall-every", stallEvery), ("--stall-for", stallFor)].compactMap { n, v in v.map { (n, $0, ScenarioBounds.maxRunDuration) } }
        for (name, value, bound) in durations {
            guard let d = Units.parseDuration(value) else { throw ValidationError("\(name) expects a duration like 20ms, got `\(value)`") }
            guard d >= .zero, d <= bound else { throw ValidationError("\(name) must be between 0 and \(Units.formatDuration(bound)), got `\(value)`") }
        }
        guard let rate = Units.parsePercent(errorRate), (0...1).contains(rate) else {
            throw ValidationError("--error-rate expects a percentage like 1%, got `\(errorRate)`")
        }
        guard (stallEvery == nil) == (stallFor == nil) else { throw ValidationError("--stall-every and --stall-for go together") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.") else {
            throw ValidationError("--host must be a loopback address")
        }
        guard (1...1024).contains(threads) else { throw ValidationError("--threads must be between 1 and 1024") }
    }

    func run() async throws {
        let options = DemoTargetOptions(
            latency: Units.parseDuration(latency) ?? .zero,
            jitter: Units.parseDuration(jitter) ?? .zero,
            errorRate: Units.parsePercent(errorRate) ?? 0,
            stallEvery: stallEvery.flatMap(Units.parseDuration),
            stallFor: stallFor.flatMap(Units.parseDuration))
        if let delay = Units.parseDuration(startupDelay), delay > .zero { try? await Task.sleep(for: delay) }
        let server: DemoServer
        do {
            server = try await DemoServer.start(options: options, host: host, port: port, threads: threads)
        } catch {
            throw StressError(.cannotWrite, "cannot listen on \(host):\(port): \(error)", hint: "pick another --port, or 0 for any free one")
        }
        Terminal.stdout("demo target listening on http://\(host):\(server.port)\n")
        let signal = await Self.waitForSignal()
        try? await server.stop()
        Terminal.stderr("demo target stopped (\(signal == SIGINT ? "SIGINT" : "SIGTERM"))")
    }

    /// Waits for SIGINT or SIGTERM and returns which one came.
    private static func waitForSignal() async -> Int32 {
        let signals = AsyncStream<Int32> { continuation in
            let sources = SignalSources.install(label: "demo-server.signals") { continuation.yield($0) }
            // The stream keeps the sources alive until it ends.
            nonisolated(unsafe) let keep = sources
            continuation.onTermination = { _ in keep.forEach { $0.cancel() } }
        }
        for await sig in signals { return sig }
        return SIGTERM
    }
}
