// swift-tools-version: 6.0
import PackageDescription

// The load engine is built on epoll, eventfd, PR_SET_PDEATHSIG and /proc: Linux only. Say so once,
// here, rather than in a cascade of compiler errors.
#if !os(Linux)
#error("stress-ci builds on Linux only: its load engine uses epoll, eventfd, PR_SET_PDEATHSIG and /proc")
#endif

let package = Package(
    name: "stress-ci",
    products: [
        .executable(name: "stress-ci", targets: ["stress-ci"]),
        .library(name: "StressCI", targets: ["StressCI"]),
        .executable(name: "example-usage", targets: ["example-usage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // Core: scenario model and parsing, units, result model, errors, clock. No I/O but files it is asked to read.
        .target(name: "Core", dependencies: [.product(name: "Yams", package: "Yams")]),
        // zlib (Debian: zlib1g-dev) for HdrHistogram's compressed V2 encoding.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Metrics: histograms, per-second series, the aggregator and its samplers.
        .target(name: "Metrics", dependencies: ["Core", "CZlib", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        // Results: the result model (result.json, issues, comparison), typed and Codable; no I/O.
        .target(name: "Results", dependencies: ["Core", "Metrics"]),
        // Store: runs and baselines on disk (atomic writes, a lock, checked names), result files read back.
        .target(name: "Store", dependencies: ["Core", "Results"]),
        // Analysis: criteria, regression statistics, change points, issues; pure.
        .target(name: "Analysis", dependencies: ["Core", "Metrics", "Results"]),
        // libxml2 (Debian: libxml2-dev) for the JUnit writer and XSD validation.
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // The report templates and the live dashboard page from the top-level templates/ folder, embedded in the binary.
        .target(name: "ReportTemplates", path: "templates", exclude: ["README.md"],
                resources: [.embedInCode("report.html.mustache"), .embedInCode("report.md.mustache"), .embedInCode("dashboard.html")]),
        // Reports: result.json, Markdown, HTML (Mustache), JUnit (libxml2), SVG charts; pure renderers.
        .target(name: "Reports", dependencies: [
            "Core", "Metrics", "Results", "Analysis", "CLibXML2", "ReportTemplates",
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        // epoll with nanosecond timeouts, eventfd and OpenSSL (Debian: libssl-dev) for the load
        // engine's reactor: the same TLS library as wrk and nginx, on the socket itself. The only
        // TLS library in the build: probes, scrapes and the demo target's https use it too.
        .target(name: "CLoadIO", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        // Engine: the load generator (its own epoll reactor and TLS), the probes and scrapes on the
        // same transport, the demo target (SwiftNIO, with TLS on OpenSSL), the target process supervisor.
        .target(name: "Engine", dependencies: [
            "Core", "Metrics", "CLoadIO",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // StressCI: the library facade (StressTestOrchestrator, ScenarioBuilder), and the control
        // endpoints of `run --control` (Control/; their HTTP server is Engine's, the dashboard page a template).
        .target(name: "StressCI", dependencies: ["Core", "Metrics", "Results", "Store", "Analysis", "Reports", "Engine", "ReportTemplates"]),
        // The CLI: the only place errors become exit codes.
        .executableTarget(name: "stress-ci", dependencies: [
            "StressCI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // What only the tests use: a JSON Schema validator and libxml2's XSD validation (the
        // result schema and the JUnit XSD). Not part of any product.
        // The library walked through end to end (README, *Swift library*); it sees only the facade.
        .executableTarget(name: "example-usage", dependencies: ["StressCI"]),
        .target(name: "TestSupport", dependencies: ["CLibXML2"], path: "Tests/TestSupport"),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Core", "Metrics", "Results"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Core", "Metrics",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]),
        .testTarget(name: "StressCITests", dependencies: ["StressCI", "Core", "Metrics", "Results", "Store", "Analysis", "Reports", "Engine"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Core", "Metrics", "Results", "Analysis", "CLibXML2", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["StressCI", "Core", "Metrics", "Results", "Store", "Reports", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
