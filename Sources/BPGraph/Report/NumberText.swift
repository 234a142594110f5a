import Foundation

/// Numbers as the reports print them — `eval`'s and `check`'s tables, `explain`, `eval
/// --json` and the numbers in messages: the one formatter they share. (A figure's labels have their own
/// rules, `NumberFormat`: exact integers, fixed notation over a wider range.)
public struct NumberText: Sendable, Equatable {
    public enum Style: Sendable, Equatable {
        /// C's `%g` as it is: `-0.5`, `1e-05` (`eval`, `check`: text for scripts too).
        case plain
        /// A true minus sign and a short exponent: `−0.5`, `1e−5` (`explain`).
        case typeset
        /// Every digit of the Double (the shortest text that reads back as it, as `eval
        /// --json` writes it, without a `.0`), and tensors of up to 64 elements written
        /// out: tooltips.
        case full
    }

    /// Full precision (`Style.full`).
    public static let full = NumberText(precision: 17, style: .full)

    /// Significant digits.
    public var precision: Int
    public var style: Style

    public init(precision: Int, style: Style = .typeset) {
        self.precision = precision
        self.style = style
    }

    /// A few significant digits, no trailing zeros; zero (and −0) is `0`.
    public func number(_ x: Double) -> String {
        if style == .full {
            let text = Self.json(x)
            return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
        if x == 0 { return "0" }
        var text = String(format: "%.\(max(1, precision))g", x)
        guard style == .typeset else { return text }
        if text.contains("e") {
            // 1e-05 → 1e-5
            let parts = text.split(separator: "e", maxSplits: 1)
            let exponent = Int(parts[1]) ?? 0
            text = "\(parts[0])e\(exponent)"
        }
        return text.replacingOccurrences(of: "-", with: "−")
    }

    /// `number`, padded with spaces after it to `width` characters (never cut).
    public func padded(_ x: Double, width: Int) -> String {
        let text = number(x)
        return text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// Small tensors written out, larger ones as their shape (`explain`, tooltips).
    public func tensor(_ t: Tensor) -> String {
        let limit = style == .full ? 64 : 8
        switch t.rank {
        case 0: return number(t.scalar)
        case 1 where t.count <= limit: return "[" + t.data.map(number).joined(separator: ", ") + "]"
        case 2 where t.count <= limit: return "[" + t.rows.map { "[" + $0.map(number).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
        default: return "shape " + describeShape(t.shape)
        }
    }

    /// The shortest text that reads back as the same number, integers without a fraction:
    /// `1`, `0.5`, `-2.25`, `600000000` (limits and attributes in messages).
    public static func exact(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }

    /// `eval --json`'s numbers: the shortest text that reads back as the same Double, with a
    /// fraction or an exponent (`1.0`, `0.5`, `1e-07`); −0 is `0.0`.
    public static func json(_ x: Double) -> String {
        if x == 0 { return "0.0" }
        return x.description
    }
}
