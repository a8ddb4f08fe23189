import ArgumentParser
import Foundation
import StressCI

/// `stress-ci validate SCENARIO`: parse and check only; every problem with FILE:LINE:COLUMN and a hint.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario file and report every problem with file:line:column.",
        discussion: "Exits 0 when the scenario is valid, 65 when it is not, 66 when the file does not exist.")

    @Argument(help: "The scenario file (YAML or JSON).")
    var scenario: String

    @Flag(name: .shortAndLong, help: "Print nothing when the scenario is valid.")
    var quiet = false

    func run() async throws {
        let loaded = try ScenarioLoader().load(path: scenario)
        if !quiet {
            let load = loaded.load
            Terminal.stdout(
                "\(scenario): valid — \(loaded.name): \(load.model.rawValue) model, \(load.stages.count) stage(s), "
                    + "\(Units.formatDuration(load.totalDuration)) total (\(Units.formatDuration(load.warmup)) warmup), "
                    + "\(loaded.requests.count) request(s), \(loaded.criteria.count) criteria\n")
        }
    }
}
