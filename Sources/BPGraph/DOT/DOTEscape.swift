/// Quoting for DOT. Every user string (ids, labels, names, titles, group names) goes
/// through here, so it is shown literally: it can neither end the quoted string and
/// add nodes or attributes, nor be read as a Graphviz escape (`\N`, `\l`, `\G` …),
/// an HTML entity (`&amp;`) or an HTML-like label (`<b>`; bpgraph never writes `<…>`
/// labels, so `<` is plain text).
public enum DOTEscape {
    /// A DOT identifier (node name): a double-quoted string with `"` escaped. DOT's
    /// scanner keeps other backslashes as they are, and names are never read as
    /// labels, so a name keeps its backslashes.
    public static func id(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\u{0}": break
            default: if ch.value < 0x20 || ch.value == 0x7F { out += " " } else { out.unicodeScalars.append(ch) }
            }
        }
        return quoted(out)
    }

    /// A label made of user text lines. Line breaks in the text become centred line
    /// breaks (`\n`).
    public static func label(_ text: String) -> String {
        quoted(labelBody(text))
    }

    /// The escaped body of a label (without the surrounding quotes), so that several
    /// pieces can be joined with Graphviz line breaks (`\n`, `\l`).
    public static func labelBody(_ text: String) -> String {
        var s = ""
        for ch in text.unicodeScalars {
            switch ch {
            // `&` would start an entity that Graphviz decodes in every label.
            case "&": s += "&amp;"
            default: s.unicodeScalars.append(ch)
            }
        }
        return escapeBackslashesAndQuotes(s, lineBreaks: true)
    }

    /// Wraps an already escaped body in quotes. A body that ends in a backslash would
    /// escape the closing quote (DOT's scanner reads `\"` as a quote), so a zero-width
    /// space is put between them.
    public static func quoted(_ body: String) -> String {
        if body.hasSuffix("\\") { return "\"" + body + "\u{200B}\"" }
        return "\"" + body + "\""
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
