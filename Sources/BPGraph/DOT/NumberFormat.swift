import Foundation

/// How numbers and tensors are written in figures: a few significant digits, no
/// trailing zeros, a true minus sign (U+2212); small tensors written out as
/// matrices, larger ones by their shape (`2×3`).
public struct NumberFormat: Sendable, Equatable {
    /// Significant digits (1…15).
    public var precision: Int
    /// A vector is written out when it has at most this many elements.
    public var maxVectorLength: Int
    /// A matrix is written out when both its dimensions are at most this.
    public var maxMatrixSide: Int

    public static let minus = "\u{2212}"
    public static let times = "\u{00D7}"

    public init(precision: Int = 3, maxVectorLength: Int = 6, maxMatrixSide: Int = 4) {
        self.precision = Swift.min(Swift.max(precision, 1), 15)
        self.maxVectorLength = maxVectorLength
        self.maxMatrixSide = maxMatrixSide
    }

    /// One number: `0.235`, `−1`, `1.5e−7`, `12345` (integers below a million are exact).
    public func format(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "∞" : Self.minus + "∞" }
        if x == 0 { return "0" }
        let negative = x < 0
        let magnitude = Swift.abs(x)
        var body: String
        if magnitude == magnitude.rounded(), magnitude < 1e6 {
            body = String(Int(magnitude))
        } else {
            body = Self.significant(magnitude, digits: precision)
        }
        if body == "0" { return "0" }
        if negative { body = Self.minus + body }
        return body
    }

    /// `magnitude` (> 0) to `digits` significant digits, in fixed notation for
    /// 1e−4 ≤ x < 10^max(digits, 6), otherwise as `1.23e−7`.
    static func significant(_ magnitude: Double, digits: Int) -> String {
        // Round in decimal through the C formatter: exact and locale-free for %e.
        let e = cFormat(magnitude, "e", digits - 1)  // d.ddde±XX
        guard let ePos = e.firstIndex(of: "e") else { return e }
        var mantissa = String(e[..<ePos])
        let exponent = Int(e[e.index(after: ePos)...]) ?? 0
        if exponent >= -4 && exponent < Swift.max(digits, 6) {
            // Fixed notation with exactly `digits` significant digits, then trimmed.
            let decimals = Swift.max(digits - 1 - exponent, 0)
            return trimZeros(cFormat(magnitude, "f", decimals))
        }
        mantissa = trimZeros(mantissa)
        let sign = exponent < 0 ? minus : ""
        return "\(mantissa)e\(sign)\(Swift.abs(exponent))"
    }

    static func cFormat(_ x: Double, _ conversion: Character, _ decimals: Int) -> String {
        // printf-style rounding (correctly rounded by the C library), locale-free (no
        // setlocale: the C locale). The C library itself, not String(format:), whose first
        // use sets up Foundation's formatting: 0.2 ms of a one-figure process.
        let format = conversion == "e" ? "%.*e" : "%.*f"
        return withVaList([Int32(decimals), x]) { arguments in
            var buffer = [CChar](repeating: 0, count: 400)  // %.15f of 1e300 is 317 bytes
            let count = Int(vsnprintf(&buffer, buffer.count, format, arguments))
            precondition(count >= 0 && count < buffer.count)
            return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    static func trimZeros(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = Substring(s)
        while t.last == "0" { t.removeLast() }
        if t.last == "." { t.removeLast() }
        return String(t)
    }

    /// The lines of a tensor's text. Scalars are one line; a written-out matrix has one
    /// line per row. `leftAligned` says whether the lines are meant to be left-justified.
    public func lines(_ t: Tensor) -> (lines: [String], leftAligned: Bool) {
        switch t.rank {
        case 0:
            return ([format(t.scalar)], false)
        case 1:
            if t.count <= maxVectorLength {
                return (["[" + t.data.map(format).joined(separator: ", ") + "]"], false)
            }
            return ([shape(t.shape)], false)
        case 2 where t.shape[0] <= maxMatrixSide && t.shape[1] <= maxMatrixSide && t.shape[0] > 0 && t.shape[1] > 0:
            let rows = t.rows.map { $0.map(format) }
            if rows.count == 1 { return (["[[" + rows[0].joined(separator: ", ") + "]]"], false) }
            var out: [String] = []
            for (r, row) in rows.enumerated() {
                let open = r == 0 ? "[[" : " ["
                let close = r == rows.count - 1 ? "]]" : "],"
                out.append(open + row.joined(separator: ", ") + close)
            }
            return (out, true)
        default:
            return ([shape(t.shape)], false)
        }
    }

    /// How many lines `lines(t)` has, without formatting its numbers.
    public func lineCount(_ t: Tensor) -> Int {
        switch t.rank {
        case 2 where t.shape[0] <= maxMatrixSide && t.shape[1] <= maxMatrixSide && t.shape[0] > 0 && t.shape[1] > 0:
            return t.count / t.shape[1]  // t.rows.count
        default:
            return 1
        }
    }

    /// A shape as `2×3` (a vector's as `(7)`).
    public func shape(_ shape: [Int]) -> String {
        if shape.count == 1 { return "(\(shape[0]))" }
        return shape.map(String.init).joined(separator: Self.times)
    }
}
