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
        var s = ""
        var line = String.UnicodeScalarView()
        var lineVisible = false
        func endLine() {
            if lineVisible { s.unicodeScalars += line }
            line = String.UnicodeScalarView()
            lineVisible = false
        }
        for ch in text.unicodeScalars {
            switch ch {
            // `&` would start an entity that Graphviz decodes in every label.
            case "&": line += "&amp;".unicodeScalars; lineVisible = true
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":
                endLine()
                s.unicodeScalars.append(ch == "\r" ? "\r" : "\n")
            default:
                line.append(ch)
                if ch.properties.generalCategory != .format { lineVisible = true }
            }
        }
        endLine()
        return escapeBackslashesAndQuotes(s, lineBreaks: true)
    }

    /// A tooltip of user text lines (`tooltip=`). Graphviz reads a tooltip twice: it turns
    /// `\\` into `\` and `\n` into a line break, then substitutes `\N`, `\G`, `\E` …
    /// So a user's backslash is written as an escaped backslash followed by a word joiner
    /// (U+2060, invisible): the first pass leaves one backslash, and the second sees it
    /// followed by the joiner, not by a letter it would substitute. `&` is written as
    /// `&amp;` (Graphviz decodes entities in tooltips too).
    public static func tooltip(_ text: String) -> String {
        label(text.replacingOccurrences(of: "\\", with: "\\\u{2060}"))
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
        var out = ""
        out.reserveCapacity(s.utf8.count + 2)
        var previousWasCR = false
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\r":
                out += lineBreaks ? "\\n" : " "
            case "\n":
                if !(previousWasCR) { out += lineBreaks ? "\\n" : " " }
            case "\u{0}":
                break
            default:
                if ch.value < 0x20 || ch.value == 0x7F { out += " " } else { out.unicodeScalars.append(ch) }
            }
            previousWasCR = ch == "\r"
        }
        return out
    }
}
