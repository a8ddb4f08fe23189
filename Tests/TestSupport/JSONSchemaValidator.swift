import Foundation

/// A small JSON Schema (draft 2020-12) validator: enough for the schemas stress-ci ships
/// (`schemas/result.schema.json`), so tests can hold every produced result to its schema
/// without a dependency.
///
/// It checks only the keywords in `supportedKeywords`; `unsupportedKeywords(in:)` finds any
/// other keyword in a schema, so a schema cannot rely on a check that would be silently skipped.
/// Instances are what `JSONSerialization` produces (`[String: Any]`, `[Any]`, `String`,
/// `NSNumber`, `NSNull`); Swift `Bool`, `Int` and `Double` values work too.
public enum JSONSchemaValidator {
    /// Keywords that only annotate or hold definitions; they never fail an instance.
    static let annotationKeywords: Set<String> = ["$schema", "$id", "$comment", "$defs", "title", "description"]

    /// Keywords that are checked.
    static let assertionKeywords: Set<String> = [
        "type", "enum", "const", "pattern", "format", "minimum", "maximum", "minItems",
        "required", "properties", "additionalProperties", "items", "$ref",
    ]

    /// Every keyword `validate` understands.
    public static var supportedKeywords: Set<String> { annotationKeywords.union(assertionKeywords) }

    /// The values of `type` that are checked.
    public static let supportedTypes: Set<String> = ["null", "boolean", "object", "array", "number", "integer", "string"]

    /// The values of `format` that are checked (`date-time`, loosely: RFC 3339's shape, not its ranges).
    public static let supportedFormats: Set<String> = ["date-time"]

    /// Every way `instance` breaks `schema`, as `JSON pointer: message` (the pointer into the
    /// instance; `(root)` for the instance itself), in a stable order; empty when it conforms.
    /// `$ref` resolves `#/…` pointers within `schema`.
    public static func validate(_ instance: Any, against schema: [String: Any]) -> [String] {
        var run = Run(root: schema)
        run.check(instance, schema, at: "")
        return run.violations
    }

    /// Every keyword, `type` or `format` in `schema` and its subschemas that `validate` does
    /// not check, as `schema pointer: message`; empty when the schema is fully checked.
    public static func unsupportedKeywords(in schema: [String: Any]) -> [String] {
        var found: [String] = []
        walk(schema, at: "", into: &found)
        return found
    }
}

// MARK: - Validation

extension JSONSchemaValidator {
    private struct Run {
        let root: [String: Any]
        var violations: [String] = []
        /// `$ref`s being followed, to stop a schema that refers to itself without progress.
        var following: [String] = []

        mutating func fail(_ pointer: String, _ message: String) {
            violations.append("\(pointer.isEmpty ? "(root)" : pointer): \(message)")
        }

        mutating func check(_ instance: Any, _ schemaValue: Any, at pointer: String) {
            if let allowed = schemaValue as? Bool {
                if !allowed { fail(pointer, "no value is allowed here") }
                return
            }
            guard let schema = schemaValue as? [String: Any] else {
                fail(pointer, "the schema is neither an object nor a boolean")
                return
            }
            let kind = JSONSchemaValidator.kind(of: instance)

            if let ref = schema["$ref"] as? String { follow(ref, instance, at: pointer) }
            if let type = schema["type"] { checkType(type, kind, at: pointer) }
            if let options = schema["enum"] as? [Any], !options.contains(where: { JSONSchemaValidator.equal($0, instance) }) {
                fail(pointer, "\(describe(instance)) is not one of \(options.map(describe).joined(separator: ", "))")
            }
            if let expected = schema["const"], !JSONSchemaValidator.equal(expected, instance) {
                fail(pointer, "\(describe(instance)) is not \(describe(expected))")
            }

            switch kind {
            case .string(let text): checkString(text, schema, at: pointer)
            case .integer(let value), .number(let value): checkNumber(value, schema, at: pointer)
            case .array(let items): checkArray(items, schema, at: pointer)
            case .object(let object): checkObject(object, schema, at: pointer)
            case .null, .boolean: break
            }
        }

        mutating func follow(_ ref: String, _ instance: Any, at pointer: String) {
            guard let target = JSONSchemaValidator.resolve(ref, in: root) else {
                fail(pointer, "$ref \(ref) cannot be resolved")
                return
            }
            // The same ref again at the same instance location would recurse forever.
            let key = ref + " " + pointer
            guard !following.contains(key) else { return }
            following.append(key)
            check(instance, target, at: pointer)
            following.removeLast()
        }

        mutating func checkType(_ type: Any, _ kind: Kind, at pointer: String) {
            let names = (type as? [Any] ?? [type]).compactMap { $0 as? String }
            let matches = names.contains { name in
                switch (name, kind) {
                case ("null", .null), ("boolean", .boolean), ("string", .string), ("array", .array), ("object", .object),
                     ("number", .number), ("number", .integer), ("integer", .integer):
                    true
                default:
                    false
                }
            }
            if !matches { fail(pointer, "expected \(names.joined(separator: " or ")), got \(kind.name)") }
        }

        mutating func checkString(_ text: String, _ schema: [String: Any], at pointer: String) {
            if let pattern = schema["pattern"] as? String {
                if let regex = try? NSRegularExpression(pattern: pattern) {
                    if regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                        fail(pointer, "\(describe(text)) does not match \(pattern)")
                    }
                } else {
                    fail(pointer, "the schema's pattern \(pattern) is not a valid regular expression")
                }
            }
            if schema["format"] as? String == "date-time", !JSONSchemaValidator.looksLikeDateTime(text) {
                fail(pointer, "\(describe(text)) is not an RFC 3339 date-time")
            }
        }

        mutating func checkNumber(_ value: Double, _ schema: [String: Any], at pointer: String) {
            if let minimum = JSONSchemaValidator.number(schema["minimum"]), value < minimum {
                fail(pointer, "\(describe(value)) is less than the minimum \(describe(minimum))")
            }
            if let maximum = JSONSchemaValidator.number(schema["maximum"]), value > maximum {
                fail(pointer, "\(describe(value)) is more than the maximum \(describe(maximum))")
            }
        }

        mutating func checkArray(_ items: [Any], _ schema: [String: Any], at pointer: String) {
            if let minItems = JSONSchemaValidator.number(schema["minItems"]), Double(items.count) < minItems {
                fail(pointer, "has \(items.count) items, fewer than the minimum \(describe(minItems))")
            }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() { check(item, itemSchema, at: "\(pointer)/\(index)") }
            }
        }

        mutating func checkObject(_ object: [String: Any], _ schema: [String: Any], at pointer: String) {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in (schema["required"] as? [Any] ?? []).compactMap({ $0 as? String }) where object[name] == nil {
                fail(JSONSchemaValidator.append(name, to: pointer), "required property is missing")
            }
            for name in object.keys.sorted() {
                let value = object[name]!
                let child = JSONSchemaValidator.append(name, to: pointer)
                if let propertySchema = properties[name] {
                    check(value, propertySchema, at: child)
                } else if let additional = schema["additionalProperties"] {
                    if additional as? Bool == false {
                        fail(child, "property is not allowed here")
                    } else {
                        check(value, additional, at: child)
                    }
                }
            }
        }
    }

    /// What a JSON value is, with its payload.
    private enum Kind {
        case null
        case boolean
        case integer(Double)
        case number(Double)
        case string(String)
        case array([Any])
        case object([String: Any])

        var name: String {
            switch self {
            case .null: "null"
            case .boolean: "boolean"
            case .integer: "integer"
            case .number: "number"
            case .string: "string"
            case .array: "array"
            case .object: "object"
            }
        }
    }

    private static func kind(of value: Any) -> Kind {
        if value is NSNull { return .null }
        if isBoolean(value) { return .boolean }
        if let text = value as? String { return .string(text) }
        if let array = value as? [Any] { return .array(array) }
        if let object = value as? [String: Any] { return .object(object) }
        if let number = number(value) {
            // Draft 2020-12: any number with a zero fractional part is an integer.
            return number.isFinite && number.rounded() == number ? .integer(number) : .number(number)
        }
        return .null
    }

    /// JSONSerialization gives booleans as NSNumbers of type `c`; Swift gives `Bool`.
    private static func isBoolean(_ value: Any) -> Bool {
        if type(of: value) == Bool.self { return true }
        guard value is Bool, let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    private static func number(_ value: Any?) -> Double? {
        guard let value, !isBoolean(value), !(value is String), let number = value as? NSNumber else { return nil }
        return number.doubleValue
    }

    /// JSON equality: numbers by value (1 equals 1.0), never a boolean equal to a number.
    private static func equal(_ a: Any, _ b: Any) -> Bool {
        switch (kind(of: a), kind(of: b)) {
        case (.null, .null):
            return true
        case (.boolean, .boolean):
            return (a as? Bool) == (b as? Bool)
        case (.integer(let x), .integer(let y)), (.integer(let x), .number(let y)),
             (.number(let x), .integer(let y)), (.number(let x), .number(let y)):
            return x == y
        case (.string(let x), .string(let y)):
            return x == y
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return Set(x.keys) == Set(y.keys) && x.allSatisfy { key, value in equal(value, y[key]!) }
        default:
            return false
        }
    }

    /// `#/$defs/name` (any `#/…` JSON pointer) within `root`.
    private static func resolve(_ ref: String, in root: [String: Any]) -> Any? {
        guard ref.hasPrefix("#") else { return nil }
        var current: Any = root
        for token in ref.dropFirst().split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let object = current as? [String: Any], let next = object[key] {
                current = next
            } else if let array = current as? [Any], let index = Int(key), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    /// `pointer` extended by one object key, escaped per RFC 6901.
    private static func append(_ key: String, to pointer: String) -> String {
        pointer + "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// RFC 3339's shape (`2025-01-31T12:00:00Z`, fractional seconds and offsets allowed); field
    /// ranges are not checked.
    private static func looksLikeDateTime(_ text: String) -> Bool {
        text.range(of: #"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
    }

    /// A value for a message: JSON, shortened.
    private static func describe(_ value: Any) -> String {
        let text: String
        if let number = number(value), kind(of: value).name == "integer", abs(number) < 1e15 {
            text = String(Int64(number))
        } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]),
                  let json = String(data: data, encoding: .utf8) {
            text = json
        } else {
            text = String(describing: value)
        }
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }
}

// MARK: - Which keywords a schema uses

extension JSONSchemaValidator {
    private static func walk(_ schemaValue: Any, at pointer: String, into found: inout [String]) {
        if schemaValue is Bool { return }
        guard let schema = schemaValue as? [String: Any] else {
            found.append("\(pointer.isEmpty ? "(root)" : pointer): a schema must be an object or a boolean")
            return
        }
        for keyword in schema.keys.sorted() where !supportedKeywords.contains(keyword) {
            found.append("\(pointer.isEmpty ? "(root)" : pointer): unsupported keyword \(keyword)")
        }
        if let type = schema["type"] {
            for name in (type as? [Any] ?? [type]) where !supportedTypes.contains(name as? String ?? "") {
                found.append("\(append("type", to: pointer)): unsupported type \(describe(name))")
            }
        }
        if let format = schema["format"], !supportedFormats.contains(format as? String ?? "") {
            found.append("\(append("format", to: pointer)): unsupported format \(describe(format))")
        }
        for mapKeyword in ["properties", "$defs"] {
            guard let map = schema[mapKeyword] as? [String: Any] else { continue }
            for name in map.keys.sorted() {
                walk(map[name]!, at: append(name, to: append(mapKeyword, to: pointer)), into: &found)
            }
        }
        for keyword in ["items", "additionalProperties"] {
            if let subschema = schema[keyword] { walk(subschema, at: append(keyword, to: pointer), into: &found) }
        }
    }
}
