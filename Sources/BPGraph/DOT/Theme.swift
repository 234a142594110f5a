/// The figure's colours, fonts and sizes. A theme file may set only these keys
/// (an allow-list): it can never pass raw Graphviz attributes through, and every
/// value is checked (colours as `#rgb`, `#rrggbb`, `#rrggbbaa` or a plain colour
/// name; fonts as family names; sizes as numbers in a sane range).
public struct Theme: Sendable, Equatable {
    public var background: String
    /// Node outlines, forward arrows and forward values.
    public var foreground: String
    /// Gradients (text and, in the backward-arrow style, their arrows).
    public var gradient: String
    /// Leaf text (inputs and constants).
    public var leaf: String
    public var nodeFill: String
    public var groupBorder: String
    public var groupFill: String
    public var groupText: String
    public var titleColor: String
    /// Font families, tried in order (Korean falls back to NanumGothic).
    public var fonts: [String]
    public var fontSize: Double
    public var edgeFontSize: Double
    public var titleFontSize: Double
    public var penWidth: Double
    /// The active node and edge of a step-by-step frame (`--steps`, `--animate`).
    public var accent: String = "#1f77b4"

    public static let defaultFonts = ["DejaVu Sans", "NanumGothic", "Noto Sans CJK KR", "sans-serif"]

    public static let light = Theme(
        background: "white", foreground: "#000000", gradient: "#d62728", leaf: "#000000",
        nodeFill: "white", groupBorder: "#8c8c8c", groupFill: "#f5f5f5", groupText: "#555555",
        titleColor: "#000000", fonts: defaultFonts, fontSize: 14, edgeFontSize: 12,
        titleFontSize: 16, penWidth: 1.2, accent: "#1f77b4")

    public static let dark = Theme(
        background: "#1e1e1e", foreground: "#e8e8e8", gradient: "#ff6b6b", leaf: "#e8e8e8",
        nodeFill: "#2b2b2b", groupBorder: "#7a7a7a", groupFill: "#262626", groupText: "#b0b0b0",
        titleColor: "#e8e8e8", fonts: defaultFonts, fontSize: 14, edgeFontSize: 12,
        titleFontSize: 16, penWidth: 1.2, accent: "#4ea8ff")

    public static func named(_ name: String) -> Theme? {
        switch name.lowercased() {
        case "light": return .light
        case "dark": return .dark
        default: return nil
        }
    }

    /// The keys a theme file may set.
    public static let keys: [String] = [
        "base", "background", "foreground", "gradient", "leaf", "node_fill", "group_border",
        "group_fill", "group_text", "title_color", "font", "font_size", "edge_font_size",
        "title_font_size", "pen_width", "accent",
    ]

    /// Reads a theme file (JSON or YAML, an object of allowed keys). `base` picks the
    /// theme the others modify (`light` by default). Throws every problem at once.
    public static func parse(_ text: String, file: String) throws -> Theme {
        let format = SpecFormat.from(fileName: file) ?? SpecFormat.sniff(text)
        let root: SpecValue = format == .json ? try JSONReader.parse(text, file: file) : try YAMLReader.parse(text, file: file)
        guard case .object(let members) = root.kind else {
            throw SpecError(Diagnostic(file: file, location: root.location, message: "a theme is an object of keys (\(keys.joined(separator: ", "))), got \(root.typeDescription)"))
        }
        var problems: [Diagnostic] = []
        func problem(_ v: SpecValue, _ key: String, _ message: String) {
            problems.append(Diagnostic(file: file, location: v.location, place: "\"\(key)\"", message: message))
        }
        var theme = Theme.light
        if let base = root["base"] {
            if case .string(let name) = base.kind, let t = named(name) { theme = t }
            else { problem(base, "base", "must be \"light\" or \"dark\"") }
        }
        for (key, value) in members where key != "base" {
            guard keys.contains(key) else {
                let hint = SpecDecoder.nearest(key, in: keys).map { " (did you mean \"\($0)\"?)" } ?? ""
                problem(value, key, "unknown theme key\(hint); allowed: \(keys.joined(separator: ", "))")
                continue
            }
            switch key {
            case "font":
                var families: [String] = []
                switch value.kind {
                case .string(let s): families = [s]
                case .array(let items):
                    for item in items { if case .string(let s) = item.kind { families.append(s) } else { families = []; break } }
                default: break
                }
                if families.isEmpty || !families.allSatisfy(isFontFamily) {
                    problem(value, key, "must be a font family name or a list of them (letters, digits, spaces, - and _)")
                } else {
                    theme.fonts = families + defaultFonts.filter { !families.contains($0) }
                }
            case "font_size", "edge_font_size", "title_font_size", "pen_width":
                let range: ClosedRange<Double> = key == "pen_width" ? 0.1...10 : 4...72
                guard case .number(let x) = value.kind, range.contains(x) else {
                    problem(value, key, "must be a number from \(NumberFormat().format(range.lowerBound)) to \(NumberFormat().format(range.upperBound))")
                    continue
                }
                switch key {
                case "font_size": theme.fontSize = x
                case "edge_font_size": theme.edgeFontSize = x
                case "title_font_size": theme.titleFontSize = x
                default: theme.penWidth = x
                }
            default:
                guard case .string(let c) = value.kind, isColor(c) else {
                    problem(value, key, "must be a colour: #rgb, #rrggbb, #rrggbbaa or a colour name")
                    continue
                }
                switch key {
                case "background": theme.background = c
                case "foreground": theme.foreground = c
                case "gradient": theme.gradient = c
                case "leaf": theme.leaf = c
                case "node_fill": theme.nodeFill = c
                case "group_border": theme.groupBorder = c
                case "group_fill": theme.groupFill = c
                case "group_text": theme.groupText = c
                case "accent": theme.accent = c
                default: theme.titleColor = c
                }
            }
        }
        if !problems.isEmpty { throw SpecError(problems) }
        return theme
    }

    static func isColor(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        if scalars.first == "#" {
            let hex = scalars.dropFirst()
            return [3, 6, 8].contains(hex.count) && hex.allSatisfy { $0.properties.isASCIIHexDigit }
        }
        return (1...30).contains(scalars.count) && scalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
    }

    static func isFontFamily(_ s: String) -> Bool {
        (1...60).contains(s.count) && s.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == " " || $0 == "-" || $0 == "_"
        }
    }

    /// Graphviz's `fontname`: a Pango family list, tried in order.
    public var fontName: String { fonts.joined(separator: ",") }

    /// `#rgb` → `#rrggbb` (Graphviz reads only the long forms).
    public static func graphvizColor(_ c: String) -> String {
        let scalars = Array(c.unicodeScalars)
        if scalars.count == 4, scalars[0] == "#" {
            return "#" + scalars.dropFirst().map { String($0) + String($0) }.joined()
        }
        return c
    }
}
