import Foundation
import Results

/// What `junit.xml` (README, *Artifacts*) says about a run, before it is written: a `criteria` testsuite with
/// one testcase per success criterion and a `regressions` testsuite with one per baseline check.
///
/// The run's metadata (id, scenario, status, target, tool version, commit, tags) is repeated as
/// `<properties>` in each testsuite, because the JUnit XSD allows properties only there and CI
/// test views show them per suite.
public struct JUnitReport: Sendable, Equatable {
    /// A `<property name= value=>`.
    public struct Property: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A `<failure type= message=>details</failure>`.
    public struct Failure: Sendable, Equatable {
        /// `criterion` or `regression`.
        public var type: String
        /// `measured X, limit Y`: what test views show in their list.
        public var message: String
        /// The evidence and the facts behind it, one per line.
        public var details: String
    }

    /// A `<testcase>`: one criterion or one regression check.
    public struct TestCase: Sendable, Equatable {
        /// `stress-ci.<scenario>.criteria` or `….regressions`.
        public var classname: String
        /// The criterion or rule as written.
        public var name: String
        /// Seconds. Zero: a check judges the run after the fact; the run's time is the suite's,
        /// so views that add testcase times up (GitLab) do not count the run once per criterion.
        public var time: Double
        public var failure: Failure?
    }

    /// A `<testsuite>`.
    public struct Suite: Sendable, Equatable {
        /// `criteria` or `regressions`.
        public var name: String
        /// Wall-clock seconds of the run.
        public var time: Double
        public var timestamp: Date
        public var hostname: String
        public var properties: [Property]
        public var cases: [TestCase]
        /// Plain text for `<system-out>`, or nil for none.
        public var systemOut: String?

        public var tests: Int { cases.count }
        public var failures: Int { cases.count { $0.failure != nil } }
    }

    /// `stress-ci`: the `<testsuites name=>`.
    public var name: String
    /// Wall-clock seconds of the run.
    public var time: Double
    public var suites: [Suite]

    public var tests: Int { suites.reduce(0) { $0 + $1.tests } }
    public var failures: Int { suites.reduce(0) { $0 + $1.failures } }

    /// The report of `result`, with `regressions` (empty when there is no baseline) as the second suite.
    public init(_ result: ResultDocument, regressions: [JUnitRegressionCheck] = []) {
        let scenario = result.scenario.name
        let time = max(0, result.endedAt.timeIntervalSince(result.startedAt))
        let properties = Self.properties(of: result)
        let criteria = result.successCriteria.map { c in
            TestCase(
                classname: "stress-ci.\(scenario).criteria", name: c.criterion, time: 0,
                failure: c.passed ? nil : Failure(
                    type: "criterion",
                    message: "measured \(c.measuredText), limit \(c.limit)",
                    details: Self.details(
                        evidence: c.evidence,
                        facts: [("criterion", c.criterion), ("measured", c.measuredText), ("limit", c.limit)]
                            + (c.abort ? [("abort", "yes: failing it stops the run")] : []))))
        }
        let checks = regressions.map { r in
            TestCase(
                classname: "stress-ci.\(scenario).regressions", name: r.name, time: 0,
                failure: r.passed ? nil : Failure(
                    type: "regression",
                    message: "measured \(r.measured), limit \(r.limit)",
                    details: Self.details(evidence: r.evidence, facts: [("rule", r.name), ("measured", r.measured), ("limit", r.limit)])))
        }
        func suite(_ name: String, _ cases: [TestCase], systemOut: String?) -> Suite {
            Suite(name: name, time: time, timestamp: result.startedAt, hostname: result.environment.host,
                  properties: properties, cases: cases, systemOut: systemOut)
        }
        self.name = "stress-ci"
        self.time = time
        self.suites = [
            suite("criteria", criteria, systemOut: TextSummary.render(result)),
            suite("regressions", checks, systemOut: nil),
        ]
    }

    /// The run's metadata. A partial run says so twice (`status=partial`, `partial=true`) and why.
    static func properties(of r: ResultDocument) -> [Property] {
        let env = r.environment
        var out = [
            Property("run_id", r.testId),
            Property("scenario", r.scenario.name),
            Property("status", r.status.rawValue),
            Property("partial", r.status == .partial ? "true" : "false"),
        ]
        if let reason = r.stopReason { out.append(Property("stop_reason", reason)) }
        out.append(Property("target", r.target))
        out.append(Property("tool_version", env.toolVersion))
        if let commit = env.gitCommit { out.append(Property("git_commit", commit)) }
        if let branch = env.gitBranch { out.append(Property("git_branch", branch)) }
        if let ci = env.ci { out.append(Property("ci", ci)) }
        out.append(Property("os", env.os))
        out += r.tags.sorted { $0.key < $1.key }.map { Property("tag.\($0.key)", $0.value) }
        // One property per injected fault: `fault.NAME` = kind, settings, when, effect, recovery.
        for f in FaultRows.rows(r.faults ?? []) {
            out.append(Property("fault.\(f.name)", "\(f.kind) (\(f.settings)) planned \(f.planned), in force \(f.actual); \(f.effect); \(f.recovery)"))
        }
        return out
    }

    private static func details(evidence: String, facts: [(String, String)]) -> String {
        ([evidence] + facts.map { "\($0.0): \($0.1)" }).joined(separator: "\n")
    }
}
