import Mustache

/// Mustache's `{{value}}` escaping for HTML, per Unicode scalar.
///
/// swift-mustache's own HTML escaping compares whole `Character`s (grapheme clusters) with `<`:
/// a Prepend code point (U+0600) or a combining mark glued to a `<` makes a cluster that is not
/// equal to `<`, and the tag goes out live. Here every scalar is looked at on its own, so nothing
/// from the scenario, the command line or the target can open a tag or leave an attribute.
///
/// Registered under the name `HTML`, replacing swift-mustache's; ``TemplateSet`` makes every HTML
/// template (built in or `--templates DIR`) render with it.
struct ScalarHTMLContentType: MustacheContentType {
    func escapeText(_ text: String) -> String { Self.escape(text) }

    /// `text` safe as HTML character data or as a double- or single-quoted attribute value:
    /// `& < > " '` become character references; control characters (C0 but tab, line feed and
    /// carriage return; DEL; C1) and the non-characters U+FFFE and U+FFFF become U+FFFD.
    static func escape(_ text: String) -> String {
        escapeMarkup(text, apostrophe: "&#39;")
    }
}
