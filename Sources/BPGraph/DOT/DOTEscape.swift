/// Quoting for DOT. Every user string (ids, labels, names, titles, group names) goes
/// through here, so it is shown literally: it can neither end the quoted string and
/// add nodes or attributes, nor be read as a Graphviz escape (`\N`, `\l`, `\G` …),
/// an HTML entity (`&amp;`) or an HTML-like label (`<b>`; bpgraph never writes `<…>`
/// labels, so `<` is plain text).
public enum DOTEscape {
    /// A DOT identifier (node name), or any attribute value that Graphviz takes as
    /// it is (font names, colours): a double-quoted string. DOT's scanner ends a
    /// quoted string at the first `"` not preceded by a backslash and keeps `\\` as
    /// two backslashes, so every `\` is doubled and every `"` escaped: nothing the
    /// text holds can end the string, and distinct texts stay distinct names.
    public static func id(_ s: String) -> String {
        quoted(escapeBackslashesAndQuotes(s, lineBreaks: false))
    }

    /// A label made of user text lines. Line breaks in the text become centred line
    /// breaks (`\n`).
    public static func label(_ text: String) -> String {
        quoted(labelBody(text))
    }

    /// The escaped body of a label (without the surrounding quotes), so that several
    /// pieces can be joined with Graphviz line breaks (`\n`, `\l`).
    ///
    /// Unicode's line and paragraph separators (and NEL) break the line like a newline.
    /// A line made only of invisible format characters (zero-width spaces and joiners,
    /// bidirectional marks, a soft hyphen) is left empty: Graphviz's Pango plugin makes
    /// no layout for text of no width and Pango prints a raw `Pango-CRITICAL` warning.
    public static func labelBody(_ text: String) -> String {
        // (Written as UTF-8 bytes, a line's straight into the result and taken back out
        // if it stays invisible: no string per line, and only a scalar outside ASCII,
        // which has no format characters, has its category looked up.)
        var s: [UInt8] = []
        s.reserveCapacity(text.utf8.count + 8)
        var lineStart = 0
        var lineVisible = false
        for ch in text.unicodeScalars {
            switch ch {
            // `&` would start an entity that Graphviz decodes in every label.
            case "&":
                s.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B]); lineVisible = true  // &amp;
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":
                if !lineVisible { s.removeSubrange(lineStart...) }
                lineVisible = false
                s.append(ch == "\r" ? 0x0D : 0x0A)
                lineStart = s.count
            default:
                if ch.isASCII {
                    s.append(UInt8(ch.value)); lineVisible = true
                } else {
                    s.append(contentsOf: UTF8.encode(ch)!)
                    if ch.properties.generalCategory != .format { lineVisible = true }
                }
            }
        }
        if !lineVisible { s.removeSubrange(lineStart...) }
        return escapeBackslashesAndQuotes(s, lineBreaks: true)
    }

    /// A tooltip of user text lines (`tooltip=`). Graphviz reads a tooltip twice: it turns
    /// `\\` into `\` and `\n` into a line break, then substitutes `\N`, `\G`, `\E` …
    /// So a user's backslash is written as an escaped backslash followed by a word joiner
    /// (U+2060, invisible): the first pass leaves one backslash, and the second sees it
    /// followed by the joiner, not by a letter it would substitute. `&` is written as
    /// `&amp;` (Graphviz decodes entities in tooltips too).
    public static func tooltip(_ text: String) -> String {
        // (Most texts have no backslash, and nothing else matches one: Foundation's
        // search, slow to set up and to run, only for those that do.)
        guard text.unicodeScalars.contains("\\") else { return label(text) }
        return label(text.replacingOccurrences(of: "\\", with: "\\\u{2060}"))
    }

    /// The value cgraph holds for a quoted DOT string written by this type: the text
    /// between the quotes, with `\"` read as `"` (DOT's scanner keeps every other
    /// backslash pair as it is). What `agget` would return after reading the DOT.
    public static func unquoted(_ quoted: String) -> String {
        var scalars = Array(quoted.unicodeScalars)
        guard scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" else { return quoted }
        scalars = Array(scalars[1..<(scalars.count - 1)])
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if scalars[i] == "\\", i + 1 < scalars.count {
                if scalars[i + 1] != "\"" { out.append(scalars[i]) }
                out.append(scalars[i + 1])
                i += 2
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Wraps an already escaped body (from `labelBody`, or pieces of such bodies
    /// joined by bpgraph's own `\n` / `\l`) in quotes. Every backslash in a body is
    /// either doubled or starts one of bpgraph's escapes, so a body never ends in a
    /// lone backslash that would escape the closing quote.
    public static func quoted(_ body: String) -> String {
        "\"" + body + "\""
    }

    private static func escapeBackslashesAndQuotes(_ s: String, lineBreaks: Bool) -> String {
        escapeBackslashesAndQuotes(Array(s.utf8), lineBreaks: lineBreaks)
    }

    // (On UTF-8 bytes: what it changes is ASCII, and the bytes of other scalars, all
    // 0x80 or more, pass through as they are.)
    private static func escapeBackslashesAndQuotes(_ bytes: [UInt8], lineBreaks: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 2)
        var previousWasCR = false
        for b in bytes {
            switch b {
            case 0x5C: out.append(0x5C); out.append(0x5C)  // \ → \\
            case 0x22: out.append(0x5C); out.append(0x22)  // " → \"
            case 0x0D:
                if lineBreaks { out.append(0x5C); out.append(0x6E) } else { out.append(0x20) }
            case 0x0A:
                if !previousWasCR { if lineBreaks { out.append(0x5C); out.append(0x6E) } else { out.append(0x20) } }
            case 0x00:
                break
            default:
                out.append(b < 0x20 || b == 0x7F ? 0x20 : b)
            }
            previousWasCR = b == 0x0D
        }
        return String(decoding: out, as: UTF8.self)
    }
}
