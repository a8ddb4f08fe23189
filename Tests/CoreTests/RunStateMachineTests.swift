import Testing
@testable import Core

@Suite struct RunStateMachineTests {
    @Test func theHappyPathWithPauses() throws {
        var m = RunStateMachine()
        let path: [RunState] = [.validating, .initializing, .running, .paused, .running, .stopping, .completed]
        for (i, next) in path.enumerated() { try m.transition(to: next, at: .seconds(i)) }
        #expect(m.state == .completed)
        #expect(m.history.map(\.to) == path)
        #expect(m.history[3] == .init(from: .running, to: .paused, at: .seconds(3), reason: nil))
    }

    @Test func failedIsReachableFromEveryNonFinalState() throws {
        for state in RunState.allCases where !state.isFinal {
            #expect(state.successors.contains(.failed), "\(state)")
        }
        #expect(RunState.completed.successors.isEmpty)
        #expect(RunState.failed.successors.isEmpty)
    }

    @Test(arguments: [
        (RunState.idle, RunState.running),
        (.validating, .paused),
        (.running, .completed),
        (.paused, .paused),
        (.stopping, .running),
        (.completed, .failed),
    ])
    func illegalTransitionsThrow(from: RunState, to: RunState) throws {
        var m = RunStateMachine()
        // Walk to `from` along the legal path.
        let route: [RunState] = [.validating, .initializing, .running, .paused, .stopping, .completed]
        if from != .idle {
            for s in route {
                if s == .paused && from != .paused { continue }
                try m.transition(to: s, at: .zero)
                if s == from { break }
            }
        }
        #expect(m.state == from)
        #expect(throws: IllegalTransition(from: from, to: to)) { try m.transition(to: to, at: .zero) }
        #expect(m.state == from)
    }

    @Test func manualTimeSourceMovesOnlyWhenTold() {
        let clock = ManualTimeSource()
        #expect(clock.now() == .zero)
        clock.advance(by: .milliseconds(1500))
        #expect(clock.now() == .milliseconds(1500))
    }
}
