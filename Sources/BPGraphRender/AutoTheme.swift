/// One SVG for light and dark pages (`--theme auto`), like d2's dual-theme SVGs: the light
/// figure as Graphviz drew it, plus a `<style>` whose `@media (prefers-color-scheme: dark)`
/// rules recolour every shape and text to the dark figure's colours. CSS only, no script, so
/// it works inside `<img>`. Without a dark preference the presentation attributes apply and
/// the figure is exactly the light one.
///
/// The two drawings come from the same graph with two themes that differ only in colours,
/// so they have the same elements in the same order: each element whose colours differ gets a
/// class (`bpd0`, `bpd1`, … one per distinct set of dark colours), and the class's rule gives
/// its dark colours. Elements are told apart by position, not by colour, so a colour that the
/// light theme uses for two things (white background, white nodes) can become two colours.
public enum AutoTheme {
    public struct Mismatch: Error, CustomStringConvertible {
        public var description: String
    }

    /// The attributes that may differ between the two drawings, with their CSS initial values
    /// (used when the dark drawing leaves one out).
    static let colourAttributes: [(name: String, initial: String)] = [
        ("fill", "black"), ("stroke", "none"), ("fill-opacity", "1"), ("stroke-opacity", "1"),
    ]

    /// The class prefix of the recoloured elements.
    public static let classPrefix = "bpd"

    /// Merges a light and a dark SVG of the same figure. Throws when they differ in anything
    /// but colours.
    public static func merge(light: [UInt8], dark: [UInt8]) throws -> [UInt8] {
        let a = tokens(light), b = tokens(dark)
        guard a.count == b.count else { throw Mismatch(description: "the light and dark drawings have different elements (\(a.count) and \(b.count) parts)") }
        var out: [UInt8] = []
        out.reserveCapacity(light.count + light.count / 8)
        var classes: [String: Int] = [:]
        var rules: [String] = []
        var styleAt: Int?
        for (x, y) in zip(a, b) {
            let lightToken = light[x.range], darkToken = dark[y.range]
            if x.kind == .tag, styleAt == nil, lightToken.starts(with: Array("<svg".utf8)) {
                guard lightToken.elementsEqual(darkToken) else { throw Mismatch(description: "the light and dark drawings differ in size") }
                out += lightToken
                styleAt = out.count
                continue
            }
            if lightToken.elementsEqual(darkToken) { out += lightToken; continue }
            guard x.kind == .tag, y.kind == .tag, let l = Tag(lightToken), let d = Tag(darkToken), l.name == d.name else {
                throw Mismatch(description: "the light and dark drawings differ: \(String(decoding: lightToken.prefix(80), as: UTF8.self))")
            }
            var declarations: [String] = []
            let names = Set(l.attributes.map(\.name)).union(d.attributes.map(\.name))
            for name in names where !colourAttributes.contains(where: { $0.name == name }) {
                guard l[name] == d[name] else {
                    throw Mismatch(description: "the light and dark drawings differ in \(name) of a <\(l.name)>")
                }
            }
            for (name, initial) in colourAttributes where l[name] != d[name] {
                declarations.append("\(name): \(cssValue(d[name] ?? initial))")
            }
            let signature = declarations.joined(separator: "; ")
            let index: Int
            if let known = classes[signature] { index = known } else {
                index = rules.count
                classes[signature] = index
                rules.append(".\(classPrefix)\(index) { \(signature); }")
            }
            out += l.addingClass("\(classPrefix)\(index)")
        }
        guard let styleAt else { throw Mismatch(description: "no <svg> element in the drawing") }
        let style = "\n<style>\n@media (prefers-color-scheme: dark) {\n" + rules.map { $0 + "\n" }.joined() + "}\n</style>"
        out.insert(contentsOf: Array(style.utf8), at: styleAt)
        return out
    }

    /// A colour from Graphviz's SVG as a CSS value (they are `#rrggbb`, names or `none`:
    /// valid CSS already; anything else is refused so that no attribute text reaches the style).
    static func cssValue(_ value: String) -> String {
        let ok = value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "#" || $0 == "." }
        return ok && !value.isEmpty ? value : "inherit"
    }

    enum Kind { case tag, text }
    struct Token { var kind: Kind; var range: Range<Int> }

    /// Splits SVG text into tags (`<…>`, comments and declarations included, quotes respected)
    /// and the text between them.
    static func tokens(_ bytes: [UInt8]) -> [Token] {
        var result: [Token] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<") {
                let start = i
                if bytes[i...].starts(with: Array("<!--".utf8)) {
                    var j = i + 4
                    while j + 2 < bytes.count && !(bytes[j] == 0x2D && bytes[j + 1] == 0x2D && bytes[j + 2] == 0x3E) { j += 1 }
                    i = min(bytes.count, j + 3)
                } else {
                    var quote: UInt8?
                    var j = i + 1
                    while j < bytes.count {
                        let c = bytes[j]
                        if let q = quote { if c == q { quote = nil } }
                        else if c == 0x22 || c == 0x27 { quote = c }
                        else if c == UInt8(ascii: ">") { break }
                        j += 1
                    }
                    i = min(bytes.count, j + 1)
                }
                result.append(Token(kind: .tag, range: start..<i))
            } else {
                let start = i
                while i < bytes.count && bytes[i] != UInt8(ascii: "<") { i += 1 }
                result.append(Token(kind: .text, range: start..<i))
            }
        }
        return result
    }

    /// A start tag: its name and its attributes in order (values as written, entities kept).
    struct Tag {
        var bytes: ArraySlice<UInt8>
        var name: String
        var attributes: [(name: String, value: String, range: Range<Int>)]
        /// Where the tag's end (`>` or `/>`) starts.
        var end: Int

        init?(_ bytes: ArraySlice<UInt8>) {
            guard bytes.count >= 3, bytes.first == UInt8(ascii: "<"), bytes.last == UInt8(ascii: ">") else { return nil }
            self.bytes = bytes
            var i = bytes.startIndex + 1
            func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
            let nameStart = i
            while i < bytes.endIndex && !isSpace(bytes[i]) && bytes[i] != UInt8(ascii: ">") && bytes[i] != UInt8(ascii: "/") { i += 1 }
            name = String(decoding: bytes[nameStart..<i], as: UTF8.self)
            guard !name.isEmpty, name.first!.isLetter else { return nil }
            attributes = []
            let close = bytes[bytes.endIndex - 2] == UInt8(ascii: "/") ? bytes.endIndex - 2 : bytes.endIndex - 1
            end = close
            while i < close {
                while i < close && isSpace(bytes[i]) { i += 1 }
                guard i < close else { break }
                let start = i
                while i < close && bytes[i] != UInt8(ascii: "=") && !isSpace(bytes[i]) { i += 1 }
                let key = String(decoding: bytes[start..<i], as: UTF8.self)
                guard i < close, bytes[i] == UInt8(ascii: "="), i + 1 < close else { return nil }
                let quote = bytes[i + 1]
                guard quote == 0x22 || quote == 0x27 else { return nil }
                var j = i + 2
                while j < close && bytes[j] != quote { j += 1 }
                guard j < close else { return nil }
                attributes.append((key, String(decoding: bytes[(i + 2)..<j], as: UTF8.self), start..<(j + 1)))
                i = j + 1
            }
        }

        subscript(name: String) -> String? { attributes.first { $0.name == name }?.value }

        /// The tag with `name` added to its class attribute (or a class attribute added).
        func addingClass(_ name: String) -> [UInt8] {
            if let existing = attributes.first(where: { $0.name == "class" }) {
                let valueEnd = existing.range.upperBound - 1
                return Array(bytes[bytes.startIndex..<valueEnd]) + Array(" \(name)".utf8) + Array(bytes[valueEnd...])
            }
            return Array(bytes[bytes.startIndex..<end]) + Array(" class=\"\(name)\"".utf8) + Array(bytes[end...])
        }
    }
}
