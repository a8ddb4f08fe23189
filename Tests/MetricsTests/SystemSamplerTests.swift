import Core
import Foundation
import Testing
@testable import Metrics

private let statText = """
    cpu  1000 50 300 8000 200 10 40 0 0 0
    cpu0 500 25 150 4000 100 5 20 0 0 0
    cpu1 500 25 150 4000 100 5 20 0 0 0
    intr 12345 0 0
    ctxt 999
    btime 1700000000
    """

private let meminfoText = """
    MemTotal:       16384000 kB
    MemFree:         1024000 kB
    MemAvailable:    8192000 kB
    Buffers:          512000 kB
    Cached:          4096000 kB
    HugePages_Total:       0
    """

/// A /proc/PID/stat line whose comm contains ") (" and spaces; utime 150, stime 50,
/// 7 threads, start time 123456, rss 2048 pages.
private func processStat(pid: Int = 4242, utime: Int = 150, stime: Int = 50, start: Int = 123456) -> String {
    "\(pid) (evil) (name x) S 1 4242 4242 0 -1 4194560 1000 0 3 0 \(utime) \(stime) 0 0 20 0 7 0 \(start) 104857600 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n"
}

/// A throwaway directory laid out like /proc.
private struct FakeProc {
    let root: URL
    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fakeproc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }
    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite struct SystemParserTests {
    @Test func parsesAggregateCPULine() throws {
        let cpu = try ProcParser.parseStat(statText)
        #expect(cpu == .init(user: 1000, nice: 50, system: 300, idle: 8000, iowait: 200, irq: 10, softirq: 40, steal: 0))
        #expect(cpu.busy == 1400)
        #expect(cpu.total == 9600)
    }

    @Test func cpuUtilizationIsBusyDeltaOverTotalDelta() throws {
        let a = try ProcParser.parseStat(statText)
        var b = a
        b.user += 60; b.system += 20; b.steal += 10; b.idle += 100; b.iowait += 10  // 90 busy of 200
        #expect(b.utilization(since: a) == 45)
        #expect(a.utilization(since: a) == nil)
        #expect(a.utilization(since: b) == nil)
    }

    @Test func oldKernelsWithFewerCPUFields() throws {
        let cpu = try ProcParser.parseStat("cpu  10 0 5 85\n")
        #expect(cpu.busy == 15 && cpu.total == 100)
    }

    @Test func parsesMeminfoInBytes() throws {
        let m = try ProcParser.parseMeminfo(meminfoText)
        #expect(m.total == 16_384_000 * 1024)
        #expect(m.available == 8_192_000 * 1024)
        #expect(m.used == 8_192_000 * 1024)
    }

    @Test func meminfoWithoutMemAvailableFallsBack() throws {
        let m = try ProcParser.parseMeminfo(meminfoText.split(separator: "\n").filter { !$0.hasPrefix("MemAvailable") }.joined(separator: "\n"))
        #expect(m.available == (1_024_000 + 512_000 + 4_096_000) * 1024)
    }

    @Test func parsesLoadavg() throws {
        let l = try ProcParser.parseLoadavg("0.52 1.25 2.00 3/812 99999\n")
        #expect(l.load1 == 0.52 && l.load5 == 1.25 && l.load15 == 2.0)
    }

    @Test func processStatSplitsAfterTheLastParen() throws {
        let s = try ProcParser.parseProcessStat(processStat())
        #expect(s.pid == 4242)
        #expect(s.comm == "evil) (name x")
        #expect(s.state == "S")
        #expect(s.utime == 150 && s.stime == 50)
        #expect(s.threads == 7)
        #expect(s.startTime == 123456)
        #expect(s.rssPages == 2048)
    }

    @Test func processStatWithPlainComm() throws {
        let s = try ProcParser.parseProcessStat(processStat().replacingOccurrences(of: "(evil) (name x)", with: "(nginx)"))
        #expect(s.comm == "nginx" && s.threads == 7)
    }

    @Test func malformedTextThrows() {
        #expect(throws: SystemSamplerError.self) { try ProcParser.parseStat("intr 1 2 3\n") }
        #expect(throws: SystemSamplerError.self) { try ProcParser.parseStat("cpu  a b c d\n") }
        #expect(throws: SystemSamplerError.self) { try ProcParser.parseMeminfo("MemFree: 1 kB\n") }
        #expect(throws: SystemSamplerError.self) { try ProcParser.parseLoadavg("0.1 0.2\n") }
        #expect(throws: SystemSamplerError.self) { try ProcParser.parseProcessStat("4242 (short) S 1 2 3\n") }
        #expect(throws: SystemSamplerError.self) { try ProcParser.parseProcessStat("no parens at all\n") }
        #expect(throws: SystemSamplerError.self) { try ProcParser.parseProcessStat("") }
    }
}

#if os(Linux)
@Suite struct SystemSamplerTests {
    @Test func hostSamplerOnAFakeProc() async throws {
        let proc = try FakeProc()
        defer { proc.remove() }
        try proc.write("stat", "cpu  100 0 100 800 0 0 0 0\n")
        try proc.write("meminfo", meminfoText)
        try proc.write("loadavg", "0.50 0.25 0.10 1/100 42\n")
        let sampler = HostSampler(procRoot: proc.root.path)
        try proc.write("stat", "cpu  160 0 120 900 20 0 0 0\n")  // 80 busy of 200
        let v = try await sampler.collect()
        #expect(v[HostSampler.Key.cpuPercent] == 40)
        #expect(v[HostSampler.Key.memoryUsedBytes] == Double(8_192_000 * 1024))
        #expect(v[HostSampler.Key.memoryAvailableBytes] == Double(8_192_000 * 1024))
        #expect(v[HostSampler.Key.load1] == 0.5 && v[HostSampler.Key.load15] == 0.1)
        #expect(v[HostSampler.Key.cores] == Double(ProcessInfo.processInfo.activeProcessorCount))

        let unchanged = try await sampler.collect()  // no ticks passed: no CPU figure
        #expect(unchanged[HostSampler.Key.cpuPercent] == nil)
    }

    @Test func processSamplerOnAFakeProc() async throws {
        let proc = try FakeProc()
        defer { proc.remove() }
        let clock = ManualTimeSource()
        try proc.write("4242/stat", processStat(utime: 150, stime: 50))
        let sampler = ProcessSampler(pid: 4242, procRoot: proc.root.path, clock: clock)
        let hz = clockTicksPerSecond()
        clock.advance(by: .seconds(2))
        // One core busy for the 2 s: 2 × hz ticks.
        try proc.write("4242/stat", processStat(utime: 150 + Int(hz), stime: 50 + Int(hz)))
        let v = try await sampler.collect()
        #expect(abs(v[ProcessSampler.Key.cpuPercent]! - 100) < 1e-9)
        #expect(v[ProcessSampler.Key.cpuSeconds] == (200 + 2 * hz) / hz)
        #expect(v[ProcessSampler.Key.rssBytes] == 2048 * pageSize())
        #expect(v[ProcessSampler.Key.threads] == 7)

        // The pid now names a different process (new start time): no CPU delta across it.
        clock.advance(by: .seconds(1))
        try proc.write("4242/stat", processStat(utime: 5, stime: 5, start: 999_999))
        let restarted = try await sampler.collect()
        #expect(restarted[ProcessSampler.Key.cpuPercent] == nil)
        #expect(restarted[ProcessSampler.Key.threads] == 7)
    }

    @Test func vanishedProcessThrowsAndTheAggregatorSkipsIt() async throws {
        let proc = try FakeProc()
        defer { proc.remove() }
        try proc.write("77/stat", processStat(pid: 77))
        let sampler = ProcessSampler(pid: 77, procRoot: proc.root.path)
        try FileManager.default.removeItem(at: proc.root.appendingPathComponent("77"))
        await #expect(throws: SystemSamplerError.self) { try await sampler.collect() }
        do {
            _ = try await sampler.collect()
        } catch let error as SystemSamplerError {
            #expect(error.isUnreadable)
            #expect(error.description.contains("77/stat"))
        }

        let agg = MetricsAggregator(clock: ManualTimeSource())
        agg.registerMetricSource("proc-target", category: .system, sampler)
        agg.registerMetricSource("host", category: .system, HostSampler())
        await agg.collectOnce()
        #expect(agg.metricsHistory(.system, count: 10).map(\.source) == ["host"])
        #expect(agg.warnings.count == 1)
        #expect(agg.warnings.first?.hasPrefix("source proc-target failed: cannot read ") == true)
    }

    @Test func liveHostSampler() async throws {
        let sampler = HostSampler()
        try await Task.sleep(for: .milliseconds(50))  // let some ticks pass
        let v = try await sampler.collect()
        let total = try #require(v[HostSampler.Key.memoryTotalBytes])
        let used = try #require(v[HostSampler.Key.memoryUsedBytes])
        #expect(total > 0 && used > 0 && used <= total)
        #expect(v[HostSampler.Key.memoryAvailableBytes]! + used == total)
        #expect(v[HostSampler.Key.cores] == Double(ProcessInfo.processInfo.activeProcessorCount))
        #expect(v[HostSampler.Key.load1]! >= 0 && v[HostSampler.Key.load15]! >= 0)
        if let cpu = v[HostSampler.Key.cpuPercent] { #expect((0...100).contains(cpu)) }
    }

    @Test func liveProcessSamplerOnSelf() async throws {
        let sampler = ProcessSampler()
        #expect(sampler.pid == ProcessInfo.processInfo.processIdentifier)
        // Right after the baseline, a CPU share would be tick noise: none is reported.
        let early = try await sampler.collect()
        #expect(early[ProcessSampler.Key.cpuPercent] == nil)
        // A CPU share needs ProcessSampler.minimumSpan of wall time to pass (not a synchronization wait).
        try await Task.sleep(for: .milliseconds(300))
        let v = try await sampler.collect()
        #expect(v[ProcessSampler.Key.rssBytes]! > 0)
        #expect(v[ProcessSampler.Key.threads]! >= 1)
        #expect(v[ProcessSampler.Key.cpuSeconds]! > 0)
        let cpu = try #require(v[ProcessSampler.Key.cpuPercent])
        #expect(cpu >= 0 && cpu <= Double(ProcessInfo.processInfo.activeProcessorCount) * 100 + 50)
    }
}
#endif

@Suite struct SystemGeneratorSaturationTests {
    typealias Sample = GeneratorSaturation.Sample

    @Test func threeOfFiveSaturatedSamplesWarn() {
        var g = GeneratorSaturation()
        #expect(g.record(Sample(cpuPercent: 185, threads: 2)) == nil)
        #expect(g.record(Sample(cpuPercent: 120, threads: 2)) == nil)
        #expect(g.record(Sample(cpuPercent: 194, threads: 2)) == nil)  // 2 of 3
        let text = g.record(Sample(cpuPercent: 181, threads: 2))
        #expect(text == "the load generator used 194% CPU (2 threads): results may understate the target")
        #expect(g.warning == text)
    }

    @Test func twoOfFiveIsNotEnough() {
        let g = GeneratorSaturation()
        let samples = [97, 40, 95, 50, 60].map { Sample(cpuPercent: $0, threads: 1) }
        #expect(g.evaluate(samples) == nil)
        // Only the last five count: the early saturated ones fall out.
        let older = [99, 99, 99] + [10, 10, 10, 10, 10]
        #expect(g.evaluate(older.map { Sample(cpuPercent: Double($0), threads: 1) }) == nil)
    }

    @Test func singleThreadAtNinetySevenPercent() {
        let g = GeneratorSaturation()
        let samples = [97, 96, 98, 20, 30].map { Sample(cpuPercent: $0, threads: 1) }
        #expect(g.evaluate(samples) == "the load generator used 98% CPU (1 thread): results may understate the target")
    }

    @Test func hostCPUAloneCanSaturate() {
        let g = GeneratorSaturation()
        let samples = [96.0, 97, 99].map { Sample(cpuPercent: 97, threads: 2, hostCPUPercent: $0) }
        #expect(g.evaluate(samples) == "the load generator used 97% CPU (2 threads) while the host CPU was at 99%: results may understate the target")
        #expect(g.evaluate(samples.map { Sample(cpuPercent: $0.cpuPercent, threads: 2, hostCPUPercent: 60) }) == nil)
    }

    @Test func runWarningKeepsThePeak() {
        var g = GeneratorSaturation()
        for cpu in [95.0, 95, 95, 10, 10, 10, 10, 10, 99, 99, 99, 10, 10, 10, 10, 10, 92, 92, 92] {
            g.record(Sample(cpuPercent: cpu, threads: 1))
        }
        #expect(g.warning == "the load generator used 99% CPU (1 thread): results may understate the target")
    }
}
