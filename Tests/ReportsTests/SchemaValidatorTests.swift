import Foundation
import Reports
import Results
import TestSupport
import Testing

/// `JSONSchemaValidator`: each supported keyword with a passing and a failing instance.
@Suite struct SchemaValidatorTests {
    /// Parses JSON text the way results are read, so booleans and numbers are NSNumbers.
    private func json(_ text: String) -> Any {
        try! JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
    }

    private func schema(_ text: String) -> [String: Any] { json(text) as! [String: Any] }

    private func violations(_ instance: String, _ schemaText: String) -> [String] {
        JSONSchemaValidator.validate(json(instance), against: schema(schemaText))
    }

    @Test func type() {
        #expect(violations(#""a""#, #"{"type": "string"}"#) == [])
        #expect(violations("1", #"{"type": "string"}"#) == ["(root): expected string, got integer"])
        #expect(violations("null", #"{"type": "null"}"#) == [])
        #expect(violations("{}", #"{"type": "array"}"#) == ["(root): expected array, got object"])
        #expect(violations("[]", #"{"type": "object"}"#) == ["(root): expected object, got array"])
    }

    @Test func integerIsAnyNumberWithoutFraction() {
        #expect(violations("3", #"{"type": "integer"}"#) == [])
        #expect(violations("3.0", #"{"type": "integer"}"#) == [])
        #expect(violations("3.5", #"{"type": "integer"}"#) == ["(root): expected integer, got number"])
        #expect(violations("3", #"{"type": "number"}"#) == [])
        #expect(violations("18446744073709551615", #"{"type": "integer"}"#) == [])
    }

    @Test func booleansAreNotNumbers() {
        #expect(violations("true", #"{"type": "boolean"}"#) == [])
        #expect(violations("1", #"{"type": "boolean"}"#) == ["(root): expected boolean, got integer"])
        #expect(violations("true", #"{"type": "number"}"#) == ["(root): expected number, got boolean"])
        #expect(violations("false", #"{"type": "integer"}"#) == ["(root): expected integer, got boolean"])
        // Values built in Swift rather than parsed.
        #expect(JSONSchemaValidator.validate(true, against: ["type": "boolean"]) == [])
        #expect(JSONSchemaValidator.validate(1, against: ["type": "boolean"]) == ["(root): expected boolean, got integer"])
        #expect(JSONSchemaValidator.validate(2.5, against: ["type": "number"]) == [])
    }

    @Test func arrayOfTypes() {
        #expect(violations("null", #"{"type": ["number", "null"]}"#) == [])
        #expect(violations("1.5", #"{"type": ["number", "null"]}"#) == [])
        #expect(violations(#""1""#, #"{"type": ["number", "null"]}"#) == ["(root): expected number or null, got string"])
    }

    @Test func propertiesAndPointers() {
        let s = #"{"properties": {"a": {"properties": {"b/c~d": {"type": "string"}}}}}"#
        #expect(violations(#"{"a": {"b/c~d": "x"}}"#, s) == [])
        #expect(violations(#"{"a": {"b/c~d": 1}}"#, s) == ["/a/b~1c~0d: expected string, got integer"])
    }

    @Test func required() {
        let s = #"{"required": ["a", "b"]}"#
        #expect(violations(#"{"a": 1, "b": null}"#, s) == [])
        #expect(violations(#"{"a": 1}"#, s) == ["/b: required property is missing"])
        #expect(violations("[]", s) == [], "required applies to objects only")
    }

    @Test func additionalPropertiesFalse() {
        let s = #"{"properties": {"a": {}}, "additionalProperties": false}"#
        #expect(violations(#"{"a": 1}"#, s) == [])
        #expect(violations(#"{"a": 1, "z": 2, "b": 3}"#, s) == ["/b: property is not allowed here", "/z: property is not allowed here"])
    }

    @Test func additionalPropertiesSchema() {
        let s = #"{"properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}}"#
        #expect(violations(#"{"a": "x", "n": 1}"#, s) == [])
        #expect(violations(#"{"a": "x", "n": 1.5}"#, s) == ["/n: expected integer, got number"])
    }

    @Test func items() {
        let s = #"{"items": {"type": "string"}}"#
        #expect(violations(#"["a", "b"]"#, s) == [])
        #expect(violations(#"["a", 2, "c", null]"#, s) == ["/1: expected string, got integer", "/3: expected string, got null"])
    }

    @Test func minItems() {
        let s = #"{"minItems": 2}"#
        #expect(violations("[1, 2]", s) == [])
        #expect(violations("[1]", s) == ["(root): has 1 items, fewer than the minimum 2"])
    }

    @Test func enumeration() {
        let s = #"{"enum": ["a", 1, null]}"#
        #expect(violations(#""a""#, s) == [])
        #expect(violations("1.0", s) == [])
        #expect(violations("null", s) == [])
        #expect(violations(#""b""#, s) == [#"(root): "b" is not one of "a", 1, null"#])
        #expect(violations("true", #"{"enum": [1]}"#) == ["(root): true is not one of 1"])
    }

    @Test func constant() {
        #expect(violations("1", #"{"const": 1}"#) == [])
        #expect(violations(#"{"a": [1, "x"]}"#, #"{"const": {"a": [1, "x"]}}"#) == [])
        #expect(violations("2", #"{"const": 1}"#) == ["(root): 2 is not 1"])
        #expect(violations(#"{"a": [1]}"#, #"{"const": {"a": [1, "x"]}}"#) == [#"(root): {"a":[1]} is not {"a":[1,"x"]}"#])
    }

    @Test func pattern() {
        let s = #"{"pattern": "^\\d{2}_[a-z]+$"}"#
        #expect(violations(#""12_ab""#, s) == [])
        #expect(violations(#""12-ab""#, s) == [#"(root): "12-ab" does not match ^\d{2}_[a-z]+$"#])
        // Unanchored, as in ECMA 262: a match anywhere will do.
        #expect(violations(#""xx12_abyy""#, #"{"pattern": "\\d{2}_"}"#) == [])
        #expect(violations("12", s) == [], "pattern applies to strings only")
    }

    @Test func minimumAndMaximum() {
        let s = #"{"minimum": 0, "maximum": 1}"#
        #expect(violations("0", s) == [])
        #expect(violations("1", s) == [])
        #expect(violations("-0.5", s) == ["(root): -0.5 is less than the minimum 0"])
        #expect(violations("1.25", s) == ["(root): 1.25 is more than the maximum 1"])
        #expect(violations(#""5""#, s) == [], "bounds apply to numbers only")
    }

    @Test func ref() {
        let s = ##"{"$defs": {"id": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/id"}}}"##
        #expect(violations(#"{"a": "x"}"#, s) == [])
        #expect(violations(#"{"a": 1}"#, s) == ["/a: expected string, got integer"])
        #expect(violations(##"{"a": 1}"##, ##"{"properties": {"a": {"$ref": "#/$defs/nope"}}}"##) == ["/a: $ref #/$defs/nope cannot be resolved"])
    }

    @Test func recursiveRef() {
        let s = ##"{"$defs": {"node": {"properties": {"next": {"$ref": "#/$defs/node"}, "v": {"type": "integer"}}}}, "$ref": "#/$defs/node"}"##
        #expect(violations(#"{"v": 1, "next": {"v": 2, "next": {"v": 3}}}"#, s) == [])
        #expect(violations(#"{"v": 1, "next": {"next": {"v": "x"}}}"#, s) == ["/next/next/v: expected integer, got string"])
    }

    @Test func dateTimeFormat() {
        let s = #"{"format": "date-time"}"#
        #expect(violations(#""2026-01-01T00:00:00Z""#, s) == [])
        #expect(violations(#""2026-01-01T00:00:00.250+02:00""#, s) == [])
        #expect(violations(#""2026-01-01""#, s) == [#"(root): "2026-01-01" is not an RFC 3339 date-time"#])
        #expect(violations(#""1767225600""#, s).count == 1)
    }

    @Test func booleanSchemas() {
        #expect(JSONSchemaValidator.validate(json(#"{"a": 1}"#), against: ["properties": ["a": true]]) == [])
        #expect(violations(#"{"a": 1}"#, #"{"properties": {"a": false}}"#) == ["/a: no value is allowed here"])
    }

    @Test func reportsEveryViolation() {
        let s = #"{"type": "object", "required": ["id"], "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 2}}}"#
        #expect(violations(#"{"n": 3.5}"#, s) == [
            "/id: required property is missing",
            "/n: expected integer, got number",
            "/n: 3.5 is less than the minimum 5",
            "/n: 3.5 is more than the maximum 2",
        ])
    }

    @Test func unsupportedKeywordsAreFound() {
        #expect(JSONSchemaValidator.unsupportedKeywords(in: schema(#"""
            {"$schema": "x", "$id": "y", "title": "t", "description": "d", "$comment": "c", "type": ["object", "null"],
             "$defs": {"a": {"type": "string", "format": "date-time", "pattern": "."}},
             "properties": {"b": {"items": {"enum": [1]}, "minItems": 1}}, "additionalProperties": {"$ref": "#/$defs/a"},
             "required": ["b"]}
            """#)) == [])
        #expect(JSONSchemaValidator.unsupportedKeywords(in: schema(#"""
            {"anyOf": [], "properties": {"a": {"items": {"maxLength": 3}}, "b": {"format": "email", "type": ["string", "int"]}},
             "$defs": {"c": {"additionalProperties": {"oneOf": []}}}}
            """#)) == [
            "(root): unsupported keyword anyOf",
            "/properties/a/items: unsupported keyword maxLength",
            "/properties/b/type: unsupported type \"int\"",
            "/properties/b/format: unsupported format \"email\"",
            "/$defs/c/additionalProperties: unsupported keyword oneOf",
        ])
    }
}
