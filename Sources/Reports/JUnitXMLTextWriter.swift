import CLibXML2
import Foundation

/// A thin wrapper over libxml2's `xmlTextWriter` writing to memory: every call that returns a
/// negative code becomes a ``ReportError``, and every string is cleaned of characters XML 1.0
/// cannot hold before libxml2 escapes it.
///
/// Not thread-safe; make one per document.
final class JUnitXMLTextWriter {
    private let buffer: xmlBufferPtr
    private let writer: xmlTextWriterPtr

    init() throws(ReportError) {
        _ = libxml2Initialized
        guard let buffer = xmlBufferCreate() else { throw ReportError("libxml2: xmlBufferCreate failed") }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else {
            xmlBufferFree(buffer)
            throw ReportError("libxml2: xmlNewTextWriterMemory failed")
        }
        self.buffer = buffer
        self.writer = writer
        try check("xmlTextWriterSetIndent", xmlTextWriterSetIndent(writer, 1))
        try check("xmlTextWriterSetIndentString", Self.withXMLChars("  ") { xmlTextWriterSetIndentString(writer, $0) })
    }

    deinit {
        xmlFreeTextWriter(writer)
        xmlBufferFree(buffer)
    }

    /// `<?xml version="1.0" encoding="UTF-8"?>`.
    func startDocument() throws(ReportError) {
        try check("xmlTextWriterStartDocument", xmlTextWriterStartDocument(writer, nil, "UTF-8", nil))
    }

    func startElement(_ name: String) throws(ReportError) {
        try check("xmlTextWriterStartElement(\(name))", Self.withXMLChars(name) { xmlTextWriterStartElement(writer, $0) })
    }

    func endElement() throws(ReportError) {
        try check("xmlTextWriterEndElement", xmlTextWriterEndElement(writer))
    }

    /// An attribute of the element just started; libxml2 escapes `value`.
    func attribute(_ name: String, _ value: String) throws(ReportError) {
        let rc = Self.withXMLChars(name) { n in
            Self.withXMLChars(Self.xmlSafe(value)) { v in xmlTextWriterWriteAttribute(writer, n, v) }
        }
        try check("xmlTextWriterWriteAttribute(\(name))", rc)
    }

    /// Character data; libxml2 escapes it.
    func text(_ value: String) throws(ReportError) {
        try check("xmlTextWriterWriteString", Self.withXMLChars(Self.xmlSafe(value)) { xmlTextWriterWriteString(writer, $0) })
    }

    /// `<name>text</name>`.
    func element(_ name: String, text: String) throws(ReportError) {
        try startElement(name)
        try self.text(text)
        try endElement()
    }

    /// Closes every open element, flushes, and returns the document's bytes.
    func finish() throws(ReportError) -> Data {
        try check("xmlTextWriterEndDocument", xmlTextWriterEndDocument(writer))
        try check("xmlTextWriterFlush", xmlTextWriterFlush(writer))
        let length = Int(xmlBufferLength(buffer))
        guard length >= 0, let content = xmlBufferContent(buffer) else {
            throw ReportError("libxml2: the output buffer is unreadable (length \(length))")
        }
        return Data(bytes: content, count: length)
    }

    private func check(_ call: String, _ rc: Int32) throws(ReportError) {
        if rc < 0 { throw ReportError("libxml2: \(call) failed (return code \(rc))") }
    }

    private static func withXMLChars<R>(_ string: String, _ body: (UnsafePointer<xmlChar>) -> R) -> R {
        var bytes = Array(string.utf8)
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// `text` without the characters XML 1.0 cannot hold or that are control characters, judged
    /// per Unicode scalar: C0 and C1 controls other than tab, line feed and carriage return (NUL
    /// would end the C string, the rest make the document unparsable), DEL, and the non-characters
    /// U+FFFE and U+FFFF. Everything else, emoji and combining marks included, passes through;
    /// escaping is libxml2's job (it also works on code points, not grapheme clusters).
    static func xmlSafe(_ text: String) -> String {
        func allowed(_ s: Unicode.Scalar) -> Bool {
            switch s {
            case "\t", "\n", "\r": true
            default: !UnicodeControl.isControl(s) && !UnicodeControl.isNonCharacter(s)
            }
        }
        guard !text.unicodeScalars.allSatisfy(allowed) else { return text }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: text.unicodeScalars.lazy.filter(allowed))
        return String(out)
    }
}

/// libxml2 wants `xmlInitParser` called once, before threads use it; Swift runs a global's
/// initializer exactly once, thread-safely.
let libxml2Initialized: Void = xmlInitParser()
