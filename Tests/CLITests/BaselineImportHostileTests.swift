import Foundation
import Testing

/// `baseline import` checks a file as the store checks what it reads back: a corrupt, cut-short or
/// hostile export is exit 65 naming the file and what is wrong (its JSON path), never a trap, and
/// the store is left exactly as it was.
@Suite struct BaselineImportHostileTests {
    /// A hostile variant of a real export: its name, the edit, and words the error must contain.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var edit: @Sendable (inout [String: Any]) -> Void
        var mentions: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "wrong format marker", edit: { $0["format"] = "stress-ci-result" },
             mentions: ["is not a stress-ci baseline export", "`format` is \"stress-ci-result\", not \"stress-ci-baseline\""]),
        Case(name: "no format marker", edit: { $0["format"] = nil }, mentions: ["`format` is missing"]),
        Case(name: "another format version", edit: { $0["format_version"] = 2 }, mentions: ["`format_version` is 2; this stress-ci reads 1"]),
        Case(name: "negative requests", edit: { editRun(&$0, 1) { editSummary(&$0) { $0["requests"] = -1 } } },
             mentions: ["`runs[1].summary.requests` is -1"]),
        Case(name: "more errors than requests", edit: { editRun(&$0, 0) { editSummary(&$0) { $0["errors"] = 5000 } } },
             mentions: ["`runs[0].summary.errors` is 5000"]),
        Case(name: "a count no integer holds", edit: { editRun(&$0, 0) { editSummary(&$0) { $0["requests"] = 1e300 } } },
             mentions: ["`runs[0].summary.requests`"]),
        Case(name: "a missing summary", edit: { editRun(&$0, 0) { $0["summary"] = nil } }, mentions: ["missing `runs[0].summary`"]),
        Case(name: "a name with a path separator", edit: { $0["name"] = "../main" }, mentions: ["`name`", "`../main` starts with `.`"]),
        Case(name: "a name in a folder", edit: { $0["name"] = "nested/main" }, mentions: ["`name`", "`nested/main` contains a path separator"]),
        Case(name: "an empty name", edit: { $0["name"] = "" }, mentions: ["`name`", "is empty"]),
        Case(name: "keep 0", edit: { $0["keep"] = 0 }, mentions: ["`keep` is 0"]),
        Case(name: "no runs", edit: { $0["runs"] = [Any]() }, mentions: ["`runs` has 0 entries"]),
        Case(name: "runs of two scenarios", edit: { editRun(&$0, 1) { r in
            var s = r["scenario"] as? [String: Any] ?? [:]
            s["name"] = "checkout"
            r["scenario"] = s
        } }, mentions: ["`runs[1].scenario.name` is checkout; the baseline is for scenario quickstart"]),
        Case(name: "another load shape than declared", edit: { $0["load_shape"] = "open 1 stage: 10s→50/s" },
             mentions: ["`runs[0].scenario.load` is open 2 stages: 0s→200/s, 12s→200/s; the baseline's `load_shape` is open 1 stage: 10s→50/s"]),
        Case(name: "the same run twice", edit: { r in
            var runs = r["runs"] as? [Any] ?? []
            runs.append(runs[0])
            r["runs"] = runs
        }, mentions: ["`runs[2].test_id` is 20261127_222219_quickstart, the same run as `runs[0]`"]),
    ]

    @Test(arguments: cases)
    func aHostileExportIs65AndTheStoreIsUntouched(_ hostile: Case) async throws {
        let (dir, store, file) = try await Self.exportAndImport()
        defer { try? FileManager.default.removeItem(at: dir) }
        var object = try BaselineTransferTests.json(file)
        hostile.edit(&object)
        let bad = dir.appendingPathComponent("hostile.json")
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: bad)
        let before = try BaselineTransferTests.snapshot(store)

        let outcome = try await CLIProcess.run(["baseline", "import", bad.path, "--store", store])
        #expect(outcome.status == 65, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("`\(bad.path)`"), "stderr: \(outcome.stderr)")
        for words in hostile.mentions { #expect(outcome.stderr.contains(words), "stderr: \(outcome.stderr)") }
        #expect(outcome.stdout.isEmpty)
        #expect(try BaselineTransferTests.snapshot(store) == before)
    }

    @Test func aTruncatedOrForeignFileIs65() async throws {
        let (dir, store, file) = try await Self.exportAndImport()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let before = try BaselineTransferTests.snapshot(store)
        let truncated = dir.appendingPathComponent("truncated.json")
        try data.prefix(data.count / 2).write(to: truncated)
        let empty = dir.appendingPathComponent("empty.json")
        try Data().write(to: empty)
        let array = dir.appendingPathComponent("array.json")
        try Data("[1, 2]".utf8).write(to: array)

        for (path, words) in [
            (truncated.path, "is not a stress-ci baseline export: it is not valid JSON (cut short, or not JSON at all)"),
            (empty.path, "is not a stress-ci baseline export: it is empty"),
            (array.path, "is not a stress-ci baseline export: it is not a JSON object"),
            // The store's own file is not an export.
            (store + "/baselines/main.json", "it looks like a store's baselines/NAME.json"),
        ] {
            let outcome = try await CLIProcess.run(["baseline", "import", path, "--name", "other", "--store", store])
            #expect(outcome.status == 65, "\(path): \(outcome.stderr)")
            #expect(outcome.stderr.contains("`\(path)` \(words.hasPrefix("it looks") ? "is not a stress-ci baseline export: `format` is missing" : words)"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains(words), "\(outcome.stderr)")
            #expect(try BaselineTransferTests.snapshot(store) == before)
        }

        // The same from standard input, which is named as such.
        let piped = try await BaselineTransferTests.run(["baseline", "import", "-", "--store", store], input: truncated.path)
        #expect(piped.status == 65)
        #expect(piped.stderr.contains("`<stdin>` is not a stress-ci baseline export: it is not valid JSON"), "\(piped.stderr)")
        #expect(try BaselineTransferTests.snapshot(store) == before)
    }

    @Test func aBadNameOnTheCommandLineIsUsage() async throws {
        let (dir, store, file) = try await Self.exportAndImport()
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try BaselineTransferTests.snapshot(store)
        let outcome = try await CLIProcess.run(["baseline", "import", file, "--name", "nested/escape", "--store", store])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("the baseline name `nested/escape` contains a path separator"))
        #expect(try BaselineTransferTests.snapshot(store) == before)
        #expect(!FileManager.default.fileExists(atPath: store + "/baselines/nested"))
    }

    // MARK: Support

    /// A real export of a two-run baseline, already imported once into a second store (so that
    /// store holds a baseline `main` a failed import must leave alone): the folder, that store and
    /// the export's path.
    static func exportAndImport() async throws -> (URL, String, String) {
        let dir = try temporaryDirectory()
        let source = try BaselineTransferTests.storeWithFixtureBaseline(in: dir, name: "source", runs: 2)
        let file = dir.appendingPathComponent("main.json").path
        let export = try await CLIProcess.run(["baseline", "export", "main", file, "--store", source])
        try #require(export.status == 0, "\(export.stderr)")
        let store = dir.appendingPathComponent("store").path
        let imported = try await CLIProcess.run(["baseline", "import", file, "--store", store])
        try #require(imported.status == 0, "\(imported.stderr)")
        return (dir, store, file)
    }
}

/// Applies `edit` to the export's run `index`.
private func editRun(_ export: inout [String: Any], _ index: Int, _ edit: (inout [String: Any]) -> Void) {
    var runs = export["runs"] as? [[String: Any]] ?? []
    edit(&runs[index])
    export["runs"] = runs
}

/// Applies `edit` to a run's `summary`.
private func editSummary(_ run: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
    var summary = run["summary"] as? [String: Any] ?? [:]
    edit(&summary)
    run["summary"] = summary
}
