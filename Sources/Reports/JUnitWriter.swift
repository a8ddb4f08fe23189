import Foundation
import Results

/// Writes `junit.xml` (README, *Artifacts*) with libxml2's text writer, valid against the common (Jenkins)
/// JUnit XSD: `<testsuites>` holding a `criteria` and a `regressions` `<testsuite>`.
///
/// Pure: the bytes depend only on the arguments.
public enum JUnitWriter {
    /// The document for `result`, with `regressions` (none when there is no baseline) as the second suite.
    /// - Throws: ``ReportError`` when libxml2 fails.
    public static func render(_ result: ResultDocument, regressions: [JUnitRegressionCheck] = []) throws(ReportError) -> Data {
        try render(JUnitReport(result, regressions: regressions))
    }

    /// The document for an already assembled report.
    /// - Throws: ``ReportError`` when libxml2 fails.
    public static func render(_ report: JUnitReport) throws(ReportError) -> Data {
        let xml = try JUnitXMLTextWriter()
        try xml.startDocument()
        try xml.startElement("testsuites")
        try xml.attribute("name", report.name)
        try xml.attribute("tests", String(report.tests))
        try xml.attribute("failures", String(report.failures))
        try xml.attribute("errors", "0")
        try xml.attribute("time", seconds(report.time))
        for suite in report.suites { try write(suite, to: xml) }
        try xml.endElement()
        return try xml.finish()
    }

    private static func write(_ suite: JUnitReport.Suite, to xml: JUnitXMLTextWriter) throws(ReportError) {
        try xml.startElement("testsuite")
        try xml.attribute("name", suite.name)
        try xml.attribute("tests", String(suite.tests))
        try xml.attribute("failures", String(suite.failures))
        try xml.attribute("errors", "0")
        try xml.attribute("skipped", "0")
        try xml.attribute("time", seconds(suite.time))
        try xml.attribute("timestamp", suite.timestamp.formatted(.iso8601))
        try xml.attribute("hostname", suite.hostname)
        try xml.startElement("properties")
        for property in suite.properties {
            try xml.startElement("property")
            try xml.attribute("name", property.name)
            try xml.attribute("value", property.value)
            try xml.endElement()
        }
        try xml.endElement()
        for testCase in suite.cases {
            try xml.startElement("testcase")
            try xml.attribute("classname", testCase.classname)
            try xml.attribute("name", testCase.name)
            try xml.attribute("time", seconds(testCase.time))
            if let failure = testCase.failure {
                try xml.startElement("failure")
                try xml.attribute("message", failure.message)
                try xml.attribute("type", failure.type)
                try xml.text(failure.details)
                try xml.endElement()
            }
            try xml.endElement()
        }
        if let out = suite.systemOut { try xml.element("system-out", text: out) }
        try xml.endElement()
    }

    /// `12.345`: the XSD's `SUREFIRE_TIME` allows neither a sign, an exponent, nor NaN.
    static func seconds(_ value: Double) -> String {
        String(format: "%.3f", value.isFinite ? max(0, value) : 0)
    }
}
