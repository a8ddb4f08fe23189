import Core
import Testing

/// `validate` on faults (README, *Failure injection*): each refusal at its file location.
struct FaultValidationTests {
    let launched = "target:\n  url: http://127.0.0.1:8080\n  start: [./server]"

    func scenario(target: String = "target: { builtin: demo }", load: String = "load: { rate: 10/s, duration: 10s }", _ rest: String) -> String {
        "name: t\n\(target)\n\(load)\nrequests:\n  - { name: checkout, path: / }\n\(rest)"
    }

    @Test func aProcessFaultNeedsALaunchedTarget() throws {
        let error = loadError(scenario("faults:\n  - { kind: kill, at: 2s }"))
        let p = try #require(problem(error, containing: "`kill` needs a target the runner starts"))
        #expect(p.location.line == 7)
        #expect(p.location.column == 13)
        #expect(p.hint?.contains("target.start") == true)
    }

    @Test func aFaultPastTheEndOfTheRunIsRefused() throws {
        let starts = loadError(scenario(target: launched, "faults:\n  - { kind: pause, at: 12s, for: 1s }"))
        let late = try #require(problem(starts, containing: "after the load ends (10s)"))
        #expect(late.location.line == 9)
        #expect(late.location.column == 24)
        let ends = loadError(scenario(target: launched, "faults:\n  - { kind: pause, at: 8s, for: 5s }"))
        let long = try #require(problem(ends, containing: "the fault ends at 13s, after the load ends (10s)"))
        #expect(long.location.column == 33)
        #expect(long.hint == "shorten `for` to at most 2s")
    }

    @Test func anErrorFaultOnAnHTTPSTargetIsRefusedWithTheReason() throws {
        let error = loadError(scenario(target: "target: { url: https://127.0.0.1:8443 }", "faults:\n  - { kind: error, at: 1s, for: 1s, rate: 10% }"))
        let p = try #require(problem(error, containing: "`error` faults cannot be injected into an https target"))
        #expect(p.location.line == 7)
        #expect(p.hint?.contains("passes TLS through") == true)
        let scoped = loadError(scenario(target: "target: { url: https://127.0.0.1:8443 }",
                                        "faults:\n  - { kind: latency, at: 1s, for: 1s, delay: 1s, request: checkout }"))
        #expect(problem(scoped, containing: "`request` cannot scope a fault on an https target") != nil)
    }

    @Test func anUnknownRequestIsRefusedWithASuggestion() throws {
        let error = loadError(scenario("faults:\n  - { kind: latency, at: 1s, for: 1s, delay: 1s, request: chekout }"))
        let p = try #require(problem(error, containing: "unknown request `chekout`"))
        #expect(p.location.line == 7)
        #expect(p.location.column == 59)
        #expect(p.hint == "did you mean `checkout`?")
    }

    @Test func processFaultsMustNotOverlap() throws {
        let error = loadError(scenario(target: launched, "faults:\n  - { kind: pause, at: 2s, for: 3s }\n  - { kind: kill, at: 4s }"))
        let p = try #require(problem(error, containing: "overlaps faults[0]"))
        #expect(p.location.line == 10)
    }

    @Test func faultNamesAreCheckedAndUsedByCriteria() throws {
        let twice = loadError(scenario(target: launched, "faults:\n  - { kind: pause, at: 2s, for: 1s, name: db }\n  - { kind: pause, at: 5s, for: 1s, name: db }"))
        #expect(problem(twice, containing: "`db` already names faults[0]")?.location.line == 10)
        let bad = loadError(scenario(target: launched, "faults:\n  - { kind: pause, at: 2s, for: 1s, name: \"a b\" }"))
        #expect(problem(bad, containing: "cannot name a fault") != nil)
        let unknown = loadError(scenario(target: launched, "faults:\n  - { kind: pause, at: 2s, for: 1s, name: db }\ncriteria:\n  - recovery_time{fault=dv} < 5s"))
        #expect(problem(unknown, containing: "unknown fault `dv`")?.hint == "did you mean `db`?")
        let misplaced = loadError(scenario(target: launched, "faults:\n  - { kind: pause, at: 2s, for: 1s }\ncriteria:\n  - error_rate{fault=pause-1} < 5%"))
        #expect(problem(misplaced, containing: "`fault` does not apply to `error_rate`") != nil)
    }

    @Test func aKillNeedsNoForAndAProcessFaultFollowsItsTarget() throws {
        let s = try ScenarioLoader(environment: [:]).load(text: scenario(target: launched, """
            faults:
              - { kind: kill, at: 2s, name: crash }
              - { kind: pause, at: 5s, for: 1s }
            criteria:
              - recovery_time{fault=crash} < 5s
              - recovery_time{fault=pause-2} < 5s
            """), file: "t.yaml")
        #expect(s.faults.map(\.duration) == [.zero, .seconds(1)])
        #expect(s.faults.enumerated().map { $1.displayName(index: $0) } == ["crash", "pause-2"])
        #expect(s.criteria.first?.expression.selector.filter.fault == "crash")
    }
}
