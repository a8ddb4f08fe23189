import ArgumentParser
import Foundation
import StressCI

/// `stress-ci init`: writes a commented starter scenario.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter scenario.")

    @Argument(help: "Where to write it.")
    var path = "stress-ci.yaml"

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func run() async throws {
        if FileManager.default.fileExists(atPath: path) && !force {
            throw StressError(.usage, "`\(path)` already exists", hint: "pass --force to overwrite it, or give another path")
        }
        do {
            try Data(StarterScenario.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw StressError(.cannotWrite, "cannot write `\(path)`: \(error.localizedDescription)")
        }
        Terminal.stdout("wrote \(path) — try it: stress-ci run \(path)\n")
    }
}

enum StarterScenario {
    static let text = """
        # A stress-ci scenario. Check it with `stress-ci validate`, run it with `stress-ci run`.
        name: starter
        description: A first load test against the embedded demo target

        target:
          builtin: demo          # the embedded target; or url: http://127.0.0.1:8080
          latency: 5ms           # demo knobs: base latency, jitter, error_rate, stall: { every, for }
          jitter: 2ms
          # start: ["./.build/release/my-service", "--port", "8080"]   # launch your service
          # ready: { path: /health, timeout: 30s }                      # and wait until it answers 2xx

        load:
          model: open            # open = arrival rate; closed = virtual users
          rate: 100/s            # constant load; or stages: [{ duration: 10s, target: 200/s }, …]
          duration: 10s          # measured time
          warmup: 2s             # load applied first, excluded from every statistic
          connections: 16
          timeout: 5s

        requests:
          - name: product
            weight: 4
            method: GET
            path: /products/${random.int(1,5000)}
          - name: checkout
            weight: 1
            method: POST
            path: /checkout
            headers: { content-type: application/json }
            body: '{"sku": ${random.int(1,5000)}, "qty": 1}'
            expect: { status: [200, 201] }

        criteria:                # each one becomes a pass/fail; any failure exits 1
          - p95(latency) < 250ms
          - error_rate < 1%
          - throughput >= 95/s

        """
}
