/// Making user text safe to print in a one-line message: every character that would
/// break the line or act on the terminal is written as an escape, the way `eval --json`
/// writes control characters in strings (`\n`, `\r`, `\u001b`).
///
/// Escaped: C0 and C1 control characters and DEL (tab excepted: it moves the cursor
/// but neither ends the line nor controls the terminal), Unicode format characters
/// (zero-width and bidirectional marks, which reorder or hide what follows), and line
/// and paragraph separators. Characters outside the BMP are written as a UTF-16
/// surrogate pair, as in JSON. Everything else, a backslash included, is left as it
/// is, so escaping twice changes nothing and bpgraph's own messages stay word for word.
public enum MessageText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) { out += escape(scalar) } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v == 0x09 { return false }
        if v < 0x20 || (0x7F...0x9F).contains(v) { return true }
        if v < 0xA0 { return false }
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// The escape for one character: `\n`, `\r`, or `\uXXXX` (two for a non-BMP character).
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        default:
            func hex(_ u: UInt32) -> String {
                let digits = String(u, radix: 16)
                return "\\u" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            }
            if scalar.value > 0xFFFF {
                let v = scalar.value - 0x10000
                return hex(0xD800 + (v >> 10)) + hex(0xDC00 + (v & 0x3FF))
            }
            return hex(scalar.value)
        }
    }
}
