import Core
import Engine
import Foundation
import Metrics
import Testing
@testable import StressCI

/// The parts of `run --control` that need no server (README, *Live control and dashboard*).
@Suite struct ControlUnitTests {
    @Test(arguments: [
        ("127.0.0.1:0", "127.0.0.1", 0, true), ("127.8.9.10:8089", "127.8.9.10", 8089, true), ("[::1]:65535", "::1", 65535, true),
        ("localhost:1", "localhost", 1, true), ("0.0.0.0:0", "0.0.0.0", 0, false), ("[::]:80", "::", 80, false),
        ("10.0.0.1:9", "10.0.0.1", 9, false), ("ci-runner:9", "ci-runner", 9, false),
    ])
    func addressesParse(text: String, host: String, port: Int, loopback: Bool) throws {
        let address = try ControlAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.isLoopback == loopback)
        #expect(address.description == text)
    }

    @Test(arguments: ["127.0.0.1", ":80", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "::1:80", "[]:80", "a b:1", "127.0.0.1:8o"])
    func badAddressesAreUsageErrors(text: String) {
        #expect(throws: StressError.self) { try ControlAddress(parsing: text) }
    }

    @Test func nonLoopbackNeedsAToken() throws {
        let anywhere = try ControlAddress(parsing: "0.0.0.0:0")
        #expect(throws: StressError.self) { try ControlSettings(address: anywhere, token: nil) }
        #expect(throws: StressError.self) { try ControlSettings(address: anywhere, token: "") }
        #expect(try ControlSettings(address: anywhere, token: "t").token == "t")
        #expect(try ControlSettings(address: ControlAddress(parsing: "127.0.0.1:0"), token: "").token == nil)
    }

    @Test func tokenChecks() {
        let auth = ControlAuth(token: "s3cret")
        func request(_ method: String, _ target: String, _ headers: [(name: String, value: String)] = []) -> HTTPServer.Request {
            let (path, query) = HTTPServer.Request.split(target: target)
            return HTTPServer.Request(method: method, path: path, query: query, headers: headers)
        }
        #expect(!auth.permits(request("GET", "/status")))
        #expect(auth.permits(request("GET", "/status", [("Authorization", "Bearer s3cret")])))
        #expect(auth.permits(request("POST", "/stop", [("authorization", "bearer s3cret")])))
        #expect(!auth.permits(request("POST", "/stop", [("authorization", "Bearer s3cre")])))
        #expect(!auth.permits(request("POST", "/stop", [("authorization", "Basic s3cret")])))
        #expect(auth.permits(request("GET", "/?token=s3cret")))
        #expect(auth.permits(request("GET", "/status?stream=1&token=s3cret")))
        #expect(!auth.permits(request("POST", "/stop?token=s3cret")))
        #expect(ControlAuth(token: nil).permits(request("POST", "/stop")))
        #expect(ControlAuth.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ControlAuth.equal(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!ControlAuth.equal([], Array("a".utf8)))
        #expect(ControlAuth.isCrossOrigin(request("POST", "/stop", [("origin", "http://evil.example"), ("host", "127.0.0.1:9")])))
        #expect(!ControlAuth.isCrossOrigin(request("POST", "/stop", [("origin", "http://127.0.0.1:9"), ("host", "127.0.0.1:9")])))
        #expect(!ControlAuth.isCrossOrigin(request("POST", "/stop", [("host", "127.0.0.1:9")])))
    }

    @Test func queriesArePercentDecoded() {
        let (path, query) = HTTPServer.Request.split(target: "/status?stream=1&token=a%2Bb%20c&token=second&flag")
        #expect(path == "/status")
        #expect(query == ["stream": "1", "token": "a+b c", "flag": ""])
    }

    @Test func theDashboardsInlineJSONCannotEndItsScript() throws {
        let json = #"{"stop_reason":"abort: p95(latency) < 250ms </script><script>alert(1)</script> & more"}"#
        let safe = ControlService.scriptSafe(json)
        #expect(!safe.contains("<") && !safe.contains(">") && !safe.contains("&"))
        let decoded = try JSONSerialization.jsonObject(with: Data(safe.utf8)) as? [String: String]
        #expect(decoded?["stop_reason"] == "abort: p95(latency) < 250ms </script><script>alert(1)</script> & more")
    }

    @Test func labelValuesAreEscaped() {
        #expect(ControlExposition.escapeLabel(#"a "b" \ c"# + "\nd") == #"a \"b\" \\ c\nd"#)
        #expect(ControlExposition.format(3) == "3")
        #expect(ControlExposition.format(0.0025) == "0.0025")
    }

    /// Whole-run percentiles come from the summed histograms: a second of 1 ms answers and one
    /// of 100 ms answers have a whole-run p50 of one or the other, never their 50.5 ms mean.
    @Test func wholeRunPercentilesAreTruePercentiles() {
        func second(_ index: Int, latency: Duration, count: Int) -> SecondStats {
            var bucket = SecondBucket(second: index, requests: 1)
            for _ in 0..<count {
                bucket.cells[0].counters.count(status: 200, error: nil, bytesIn: 0, bytesOut: 0)
                bucket.cells[0].latency.record(nanoseconds: latency.nanoseconds)
            }
            return bucket.stats(percentiles: standardPercentiles, inFlight: 0)
        }
        var totals = LiveTotals(requests: 1)
        totals.add(second(0, latency: .milliseconds(1), count: 60))
        totals.add(second(1, latency: .milliseconds(100), count: 40))
        totals.add(second(1, latency: .milliseconds(100), count: 40))  // seen again: ignored
        let whole = LiveStatus.Window(totals: totals)
        #expect(whole.requests == 100)
        #expect(whole.seconds == 2)
        #expect(whole.throughput == 50)
        #expect(abs((whole.p50Ms ?? 0) - 1) < 0.02)
        #expect(abs((whole.p95Ms ?? 0) - 100) < 1)
        #expect(totals.perRequest == [100])
        #expect(totals.last?.histograms == nil)
    }
}
