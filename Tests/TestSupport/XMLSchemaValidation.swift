import CLibXML2
import Foundation

/// Validates an XML document against an XSD with libxml2's schema API (how the tests hold
/// junit.xml to the Jenkins JUnit schema).
public enum XMLSchemaValidation {

    /// The problems libxml2 finds in `document` against the schema at `schemaPath`; empty when valid.
    public static func errors(in document: Data, schemaPath path: String) -> [String] {
        _ = libxml2Ready
        final class Sink { var messages: [String] = [] }
        let sink = Sink()
        guard let parser = xmlSchemaNewParserCtxt(path) else { return ["cannot open \(path)"] }
        defer { xmlSchemaFreeParserCtxt(parser) }
        guard let schema = xmlSchemaParse(parser) else { return ["cannot parse \(path)"] }
        defer { xmlSchemaFree(schema) }
        guard let validator = xmlSchemaNewValidCtxt(schema) else { return ["xmlSchemaNewValidCtxt failed"] }
        defer { xmlSchemaFreeValidCtxt(validator) }
        xmlSchemaSetValidStructuredErrors(validator, { context, error in
            guard let context, let error else { return }
            let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
            let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
            sink.messages.append("line \(error.pointee.line): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }, Unmanaged.passUnretained(sink).toOpaque())
        let parsed = document.withUnsafeBytes { bytes in
            xmlReadMemory(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), "document.xml", nil, Int32(XML_PARSE_NONET.rawValue))
        }
        guard let doc = parsed else { return ["not well-formed XML"] }
        defer { xmlFreeDoc(doc) }
        let rc = xmlSchemaValidateDoc(validator, doc)
        withExtendedLifetime(sink) {}
        if rc != 0 && sink.messages.isEmpty { return ["xmlSchemaValidateDoc returned \(rc)"] }
        return sink.messages
    }
}

/// libxml2's one-time set-up, before any other call of it from the tests.
public let libxml2Ready: Void = xmlInitParser()
