import ArgumentParser
import Foundation
import StressCI

/// The root command. Its `main` is the one place where errors become process exit codes (the
/// README's exit-code table).
@main
struct StressCICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress-ci",
        abstract: "Load and stress testing as a CI step: run a scenario, check its criteria, leave a result behind.",
        discussion: ExitStatus.table,
        version: stressCIVersion,
        subcommands: [RunCommand.self, ValidateCommand.self, ReportCommand.self, ListCommand.self, BaselineCommand.self, CompareCommand.self, TrendCommand.self, InitCommand.self, DemoServerCommand.self]
    )

    static func main() async {
        // Before anything can write to a closed stdout or launch a target.
        TargetProcessGroups.installExitGuards()
        let code: Int32
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            code = ExitStatus.ok
        } catch let outcome as CommandExit {
            code = outcome.code
        } catch let error as StressError {
            Terminal.error(error)
            code = ExitStatus.code(for: error.kind)
        } catch let error as IllegalTransition {
            Terminal.stderr("stress-ci: internal error: \(error). This is a bug; please report it with the command you ran.")
            code = ExitStatus.internalError
        } catch {
            // ArgumentParser's own outcomes: help and version (0), bad command lines (64).
            // Our commands turn every other error into a StressError before it gets here.
            let exit = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if exit.isSuccess { print(message) } else { Terminal.stderr(message) }
            }
            code = exit.rawValue
        }
        // Last resort: a target whose run ended without stopping it (an error on the way) goes now.
        TargetProcessGroups.killAll()
        Foundation.exit(code)
    }
}

/// A finished command's outcome when it is not plain success (criteria failed, stopped by a signal).
struct CommandExit: Error {
    let code: Int32
}
