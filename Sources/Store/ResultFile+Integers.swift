import Foundation

extension ResultFile {
    /// The JSON path of the first whole-number field of a result (or a baseline's run) whose value
    /// no integer can hold (1e308, -1 for a count, 2^63), with the value; nil when there is none.
    ///
    /// Foundation's decoder reports such a number as "not valid JSON" without saying where, so
    /// the failure path looks for it in the parsed tree, by the fields' paths.
    static func unrepresentableInteger(in data: Data) -> (path: String, value: String)? {
        guard let root = try? JSONSerialization.jsonObject(with: data) else { return nil }
        return find(root, path: "", pattern: "")
    }

    private static func find(_ node: Any, path: String, pattern: String) -> (path: String, value: String)? {
        if let object = node as? [String: Any] {
            for key in object.keys.sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                let childPattern = pattern.isEmpty ? key : "\(pattern).\(key)"
                if let found = find(object[key] as Any, path: child, pattern: childPattern) { return found }
            }
            return nil
        }
        if let array = node as? [Any] {
            for (i, element) in array.enumerated() {
                if let found = find(element, path: "\(path)[\(i)]", pattern: "\(pattern)[]") { return found }
            }
            return nil
        }
        guard let number = node as? NSNumber, let kind = integerKind(pattern) else { return nil }
        let value = number.doubleValue
        let fits: Bool = switch kind {
        case .signed: value.isFinite && value == value.rounded() && value >= -0x1p63 && value < 0x1p63
        case .unsigned: value.isFinite && value == value.rounded() && value >= 0 && value < 0x1p64
        case .int32: value.isFinite && value == value.rounded() && value >= -0x1p31 && value < 0x1p31
        }
        return fits ? nil : (path, "\(value)")
    }

    private enum IntegerKind { case signed, unsigned, int32 }

    /// How the field at `pattern` (indices written `[]`) is decoded, if it is a whole number.
    private static func integerKind(_ pattern: String) -> IntegerKind? {
        // A baseline's runs are results.
        let field = pattern.hasPrefix("runs[].") ? String(pattern.dropFirst("runs[].".count)) : pattern
        if let kind = integerFields[field] { return kind }
        // Status classes are counts whatever their key.
        for window in windows where field.hasPrefix(window + ".status_classes.") { return .signed }
        return nil
    }

    private static let windows = ["metrics.overall", "metrics.per_request[].stats", "metrics.per_stage[].stats"]

    private static let integerFields: [String: IntegerKind] = {
        var fields: [String: IntegerKind] = [
            "schema_version": .signed, "keep": .signed, "environment.cores": .signed, "verdict.exit_code": .int32,
            "histograms[].count": .unsigned, "issues[].evidence.count": .signed,
            "comparison.verdicts[].baseline_runs": .signed, "comparison.verdicts[].candidate_runs": .signed,
            "scenario.load.max_in_flight": .signed, "scenario.load.connections": .signed,
            "scenario.requests[].weight": .signed, "scenario.requests[].expect_status[]": .signed,
            "metrics.per_second[].t": .signed, "metrics.per_second[].in_flight": .signed,
        ]
        let errorClasses = ["connect", "timeout", "reset", "status", "expectation"]
        let latencies = ["latency", "service_time", "send_lag"]
        for window in windows {
            for key in ["requests", "errors", "dropped", "bytes_in", "bytes_out"] { fields["\(window).\(key)"] = .signed }
            for key in errorClasses { fields["\(window).errors_by_class.\(key)"] = .signed }
            for key in latencies { fields["\(window).\(key).count"] = .unsigned }
        }
        for key in ["requests", "errors", "dropped"] { fields["summary.\(key)"] = .signed }
        for key in latencies { fields["summary.\(key).count"] = .unsigned }
        for key in ["requests", "dropped", "bytes_in", "bytes_out"] { fields["metrics.per_second[].\(key)"] = .signed }
        for key in errorClasses { fields["metrics.per_second[].errors.\(key)"] = .signed }
        for key in latencies { fields["metrics.per_second[].\(key).count"] = .unsigned }
        return fields
    }()
}
