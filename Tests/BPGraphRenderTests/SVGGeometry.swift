import Foundation

/// Just enough of Graphviz's SVG output to check a figure's geometry: per edge group
/// its path(s) and texts, plus node shapes and all other texts. Coordinates are the
/// SVG's own (y grows downward), so "above" means a smaller y.
struct SVGFigure {
    struct Text {
        var x: Double, y: Double, fontSize: Double, fill: String, anchor: String, content: String
        /// An estimate of the text's box from its font size and length.
        var box: Rect {
            // Advance widths of DejaVu Sans (em), the figures' font; Hangul is full width.
            let width = content.unicodeScalars.reduce(0.0) { sum, s in
                let w: Double
                switch s {
                case "0"..."9": w = 0.636
                case ".", ",", " ", ":", ";": w = 0.318
                case "[", "]", "(", ")": w = 0.39
                case "\u{2212}", "+", "=", "×", "÷": w = 0.838
                case "i", "l", "j", "t", "f", "r", "/": w = 0.35
                case "\u{2202}", "z", "L": w = 0.56
                case "m", "w", "M", "W": w = 0.95
                default: w = s.value >= 0x1100 ? 1.0 : 0.64
                }
                return sum + w
            } * fontSize
            let minX: Double
            switch anchor {
            case "start": minX = x
            case "end": minX = x - width
            default: minX = x - width / 2
            }
            return Rect(minX: minX, minY: y - fontSize * 0.75, maxX: minX + width, maxY: y + fontSize * 0.2)
        }
    }
    struct Rect {
        var minX: Double, minY: Double, maxX: Double, maxY: Double
        func overlaps(_ o: Rect, tolerance: Double = 0.5) -> Bool {
            min(maxX, o.maxX) - max(minX, o.minX) > tolerance && min(maxY, o.maxY) - max(minY, o.minY) > tolerance
        }
    }
    struct Edge {
        var id: String
        var title: String
        var paths: [[(Double, Double)]]
        var texts: [Text]
    }

    var edges: [Edge] = []
    var nodeShapes: [(title: String, box: Rect)] = []
    /// Texts outside edges: node texts of plain-text nodes, cluster and graph titles.
    var otherTexts: [Text] = []
    var nodeCount = 0

    init(_ svg: String) {
        var group: (kind: String, id: String, title: String)?
        var current = Edge(id: "", title: "", paths: [], texts: [])
        var nodeHasShape = false
        var nodeTexts: [Text] = []
        // A tooltip wraps what it covers in `<g id="a_…"><a xlink:title=…>` … `</a>` `</g>`
        // inside the node's or edge's own group.
        var anchors = 0
        for raw in svg.split(separator: "\n") {
            let line = String(raw)
            if line.hasPrefix("<g id="), Self.attribute("class", in: line) == nil {
                anchors += 1
                continue
            }
            if line == "</g>", anchors > 0 {
                anchors -= 1
                continue
            }
            if line.hasPrefix("<g id=") {
                let id = Self.unescape(Self.attribute("id", in: line) ?? "")
                let kind = Self.attribute("class", in: line) ?? ""
                group = (kind, id, "")
                current = Edge(id: id, title: "", paths: [], texts: [])
                nodeHasShape = false
                nodeTexts = []
                if kind == "node" { nodeCount += 1 }
                continue
            }
            if line.hasPrefix("<title>"), group != nil {
                let title = Self.unescape(String(line.dropFirst(7).dropLast(8)))
                group!.title = title
                current.title = title
                continue
            }
            if line == "</g>", let g = group {
                if g.kind == "edge" { edges.append(current) }
                if g.kind == "node" && !nodeHasShape {
                    for t in nodeTexts { nodeShapes.append((g.title, t.box)) }
                }
                group = nil
                continue
            }
            if line.hasPrefix("<text") {
                guard let t = Self.text(line) else { continue }
                switch group?.kind {
                case "edge": current.texts.append(t)
                case "node": nodeTexts.append(t)
                default: otherTexts.append(t)
                }
                continue
            }
            if line.hasPrefix("<path"), group?.kind == "edge", let d = Self.attribute("d", in: line) {
                current.paths.append(Self.sample(d))
            }
            if group?.kind == "node" {
                if line.hasPrefix("<ellipse"),
                   let cx = Self.number("cx", line), let cy = Self.number("cy", line),
                   let rx = Self.number("rx", line), let ry = Self.number("ry", line) {
                    nodeShapes.append((group!.title, Rect(minX: cx - rx, minY: cy - ry, maxX: cx + rx, maxY: cy + ry)))
                    nodeHasShape = true
                } else if line.hasPrefix("<polygon"), let points = Self.attribute("points", in: line) {
                    let xy = Self.numbers(points)
                    var r = Rect(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
                    for i in stride(from: 0, to: xy.count - 1, by: 2) {
                        r.minX = min(r.minX, xy[i]); r.maxX = max(r.maxX, xy[i])
                        r.minY = min(r.minY, xy[i + 1]); r.maxY = max(r.maxY, xy[i + 1])
                    }
                    nodeShapes.append((group!.title, r))
                    nodeHasShape = true
                } else if line.hasPrefix("<path") {
                    nodeHasShape = true  // rounded boxes: their text lies inside
                    if let d = Self.attribute("d", in: line) {
                        let pts = Self.sample(d)
                        let r = Rect(minX: pts.map(\.0).min() ?? 0, minY: pts.map(\.1).min() ?? 0,
                                     maxX: pts.map(\.0).max() ?? 0, maxY: pts.map(\.1).max() ?? 0)
                        nodeShapes.append((group!.title, r))
                    }
                }
            }
        }
    }

    static func attribute(_ name: String, in line: String) -> String? {
        guard let r = line.range(of: " \(name)=\"") else { return nil }
        let rest = line[r.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    static func number(_ name: String, _ line: String) -> Double? { attribute(name, in: line).flatMap(Double.init) }

    static func numbers(_ s: String) -> [Double] {
        var out: [Double] = []
        var token = ""
        for ch in s {
            if ch.isNumber || ch == "." || ch == "-" || ch == "e" {
                if ch == "-" && !token.isEmpty && token.last != "e" { if let v = Double(token) { out.append(v) }; token = "" }
                token.append(ch)
            } else {
                if let v = Double(token) { out.append(v) }
                token = ""
            }
        }
        if let v = Double(token) { out.append(v) }
        return out
    }

    /// An SVG path of M/C commands as a polyline.
    static func sample(_ d: String) -> [(Double, Double)] {
        let v = numbers(d)
        var pts: [(Double, Double)] = []
        for i in stride(from: 0, to: v.count - 1, by: 2) { pts.append((v[i], v[i + 1])) }
        guard pts.count >= 4 else { return pts }
        var out = [pts[0]]
        var i = 0
        while i + 3 < pts.count {
            let (p0, p1, p2, p3) = (pts[i], pts[i + 1], pts[i + 2], pts[i + 3])
            for s in 1...16 {
                let t = Double(s) / 16, u = 1 - t
                let a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, e = t * t * t
                out.append((a * p0.0 + b * p1.0 + c * p2.0 + e * p3.0, a * p0.1 + b * p1.1 + c * p2.1 + e * p3.1))
            }
            i += 3
        }
        return out
    }

    static func text(_ line: String) -> Text? {
        guard let x = number("x", line), let y = number("y", line) else { return nil }
        let fs = number("font-size", line) ?? 14
        guard let open = line.firstIndex(of: ">"), let close = line.range(of: "</text>", options: .backwards) else { return nil }
        let content = unescape(String(line[line.index(after: open)..<close.lowerBound]))
        return Text(x: x, y: y, fontSize: fs, fill: attribute("fill", in: line) ?? "", anchor: attribute("text-anchor", in: line) ?? "middle", content: content)
    }

    static func unescape(_ s: String) -> String {
        var out = s
        for (entity, ch) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#45;", "-"), ("&#160;", "\u{A0}")] {
            out = out.replacingOccurrences(of: entity, with: ch)
        }
        return out.replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The path's x range over [y0, y1] (interpolated), or nil if it never gets there.
    static func xRange(_ path: [(Double, Double)], from y0: Double, to y1: Double) -> (Double, Double)? {
        yRange(path.map { ($0.1, $0.0) }, from: y0, to: y1)
    }

    /// The path's y range over [x0, x1] (interpolated), or nil if it never gets there.
    static func yRange(_ path: [(Double, Double)], from x0: Double, to x1: Double) -> (Double, Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        for i in 0..<path.count {
            let p = path[i]
            if p.0 >= x0 && p.0 <= x1 { lo = min(lo, p.1); hi = max(hi, p.1) }
            if i + 1 < path.count {
                let q = path[i + 1]
                for x in [x0, x1] where (p.0 - x) * (q.0 - x) < 0 {
                    let y = p.1 + (x - p.0) / (q.0 - p.0) * (q.1 - p.1)
                    lo = min(lo, y); hi = max(hi, y)
                }
            }
        }
        return lo <= hi ? (lo, hi) : nil
    }
}
