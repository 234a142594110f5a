import BPGraph
import CGraphviz

typealias GraphPointer = UnsafeMutablePointer<Agraph_t>
typealias NodePointer = UnsafeMutablePointer<Agnode_t>
typealias EdgePointer = UnsafeMutablePointer<Agedge_t>

/// The Graphviz side of label placement, around `gvLayout`:
///
/// 1. `reserve()` (before layout): each edge's `label` becomes value + gradient, so
///    dot leaves room for both; a backward arrow's own label is emptied.
/// 2. `apply()` (after layout): the value label is made anew from the value text;
///    backward arrows are re-routed as a parallel copy just under their forward
///    arrow; `LabelPlacer` chooses where the labels go; the labels are moved there
///    and the bounding box (and the title) grow to hold them.
final class LabelPlan {
    struct Entry {
        var edge: EdgePointer
        var value: String
        /// The gradient sits on this edge's head label…
        var gradientOnHeadLabel: Bool
        /// …or on its own backward arrow, with this text.
        var gradientEdge: EdgePointer?
        var gradientText: String?
    }

    let graph: GraphPointer
    let frame: LabelPlacer.Frame
    private(set) var entries: [Entry] = []
    private var allEdges: [EdgePointer] = []
    /// Distance between a forward arrow and its backward arrow.
    let arrowOffset = 7.0

    init(graph: GraphPointer) {
        self.graph = graph
        let rankdir = (get(UnsafeMutableRawPointer(graph), "rankdir") ?? "TB").uppercased()
        frame = (rankdir == "LR" || rankdir == "RL") ? .leftToRight : .topToBottom

        var byID: [String: EdgePointer] = [:]
        var node = agfstnode(graph)
        while let n = node {
            var edge = agfstout(graph, n)
            while let e = edge {
                allEdges.append(e)
                if let id = get(UnsafeMutableRawPointer(e), "id"), !id.isEmpty { byID[id] = e }
                edge = agnxtout(graph, e)
            }
            node = agnxtnode(graph, n)
        }
        for e in allEdges {
            let id = get(UnsafeMutableRawPointer(e), "id") ?? ""
            if id.hasSuffix(DOTWriter.gradientSuffix) { continue }
            guard let value = get(UnsafeMutableRawPointer(e), "label"), !value.isEmpty else { continue }
            let head = get(UnsafeMutableRawPointer(e), "headlabel") ?? ""
            var entry = Entry(edge: e, value: value, gradientOnHeadLabel: !head.isEmpty)
            if head.isEmpty, !id.isEmpty, let back = byID[id + DOTWriter.gradientSuffix],
               let text = get(UnsafeMutableRawPointer(back), "label"), !text.isEmpty {
                entry.gradientEdge = back
                entry.gradientText = text
            }
            entries.append(entry)
        }
    }

    /// How much larger than the labels the room dot reserves for them is: the labels
    /// end up on both sides of the edge, and neighbouring edges' labels need air.
    let reserveScale = 1.3
    private var fontSizes: [String] = []

    /// Before layout: room for value and gradient on each forward edge.
    func reserve() {
        fontSizes = entries.map { get(UnsafeMutableRawPointer($0.edge), "fontsize") ?? "" }
        for (k, entry) in entries.enumerated() {
            if let size = Double(fontSizes[k]) {
                set(UnsafeMutableRawPointer(entry.edge), "fontsize", Renderer.number(size * reserveScale))
            }
            let gradient = entry.gradientOnHeadLabel ? get(UnsafeMutableRawPointer(entry.edge), "headlabel") : entry.gradientText
            if entry.gradientOnHeadLabel, let gradient {
                // Hidden during layout and made again in apply(): dot would otherwise
                // place every head label itself (xlabels, an R-tree search that is most
                // of the layout time of a wide fan-in) only for the placer to move it.
                entries[k].gradientText = gradient
                set(UnsafeMutableRawPointer(entry.edge), "headlabel", "")
            }
            if let gradient {
                let separator = (entry.value.hasSuffix("\\l") || entry.value.hasSuffix("\\r") || entry.value.hasSuffix("\\n")) ? "" : "\\n"
                set(UnsafeMutableRawPointer(entry.edge), "label", entry.value + separator + gradient)
            }
            if let back = entry.gradientEdge { set(UnsafeMutableRawPointer(back), "label", "") }
        }
    }

    /// After layout: remake, route and place the labels.
    func apply() {
        var anchors: [Point?] = []
        for (k, entry) in entries.enumerated() {
            let e = entry.edge
            if k < fontSizes.count, !fontSizes[k].isEmpty { set(UnsafeMutableRawPointer(e), "fontsize", fontSizes[k]) }
            let old = bp_edge_label(e)
            anchors.append(old.map { Point($0.pointee.pos.x, $0.pointee.pos.y) })
            // make_label reads the edge's current label (for `\L`), so detach the old one first.
            bp_edge_set_label(e, nil)
            if let old { free_label(old) }
            bp_edge_set_label(e, makeLabel(on: e, text: entry.value))
            if entry.gradientOnHeadLabel, let text = entry.gradientText {
                set(UnsafeMutableRawPointer(e), "headlabel", text)
                if let old = bp_edge_head_label(e) { bp_edge_set_head_label(e, nil); free_label(old) }
                bp_edge_set_head_label(e, makeLabel(on: e, text: text, font: "labelfontname", size: "labelfontsize", color: "labelfontcolor"))
            }
            if let back = entry.gradientEdge, let text = entry.gradientText {
                reroute(back, alongside: e)
                if let oldBack = bp_edge_label(back) { bp_edge_set_label(back, nil); free_label(oldBack) }
                bp_edge_set_label(back, makeLabel(on: back, text: text))
            }
        }

        // Geometry: nodes, cluster titles and every edge's polyline.
        var obstacles: [Box] = []
        var node = agfstnode(graph)
        while let n = node {
            let c = bp_node_coord(n)
            let box = Box(center: Point(c.x, c.y), width: bp_node_width(n), height: bp_node_height(n))
            if !box.isEmpty { obstacles.append(box.insetBy(-2)) }
            node = agnxtnode(graph, n)
        }
        let clusterCount = bp_graph_cluster_count(graph)
        if clusterCount > 0 {
            for i in 1...Int(clusterCount) {
                guard let cluster = bp_graph_cluster(graph, Int32(i)), let label = bp_graph_label(cluster) else { continue }
                obstacles.append(Box(center: Point(label.pointee.pos.x, label.pointee.pos.y),
                                     width: label.pointee.dimen.x, height: label.pointee.dimen.y))
            }
        }
        var curveIndex: [EdgePointer: Int] = [:]
        var curves: [[Point]] = []
        for e in allEdges {
            curveIndex[e] = curves.count
            curves.append(polyline(e))
        }

        var placer = LabelPlacer(frame: frame, gap: 2.5, obstacles: obstacles, curves: curves)
        var extent: Box?
        // Short edges have the fewest spots, so they choose first.
        func arcLength(_ c: [Point]) -> Double { zip(c, c.dropFirst()).reduce(0) { $0 + ($1.1 - $1.0).length } }
        let order = entries.indices.sorted { a, b in
            let la = arcLength(curves[curveIndex[entries[a].edge]!]), lb = arcLength(curves[curveIndex[entries[b].edge]!])
            return la != lb ? la < lb : a < b
        }
        for k in order {
            let entry = entries[k]
            let e = entry.edge
            let valueLabel = bp_edge_label(e)
            let gradientLabel = entry.gradientOnHeadLabel ? bp_edge_head_label(e) : entry.gradientEdge.flatMap { bp_edge_label($0) }
            let gradientCurve = entry.gradientEdge.map { curves[curveIndex[$0]!] } ?? curves[curveIndex[e]!]
            var own = [curveIndex[e]!]
            if let back = entry.gradientEdge { own.append(curveIndex[back]!) }
            let request = LabelPlacer.Request(
                valueCurve: curves[curveIndex[e]!], gradientCurve: gradientCurve, anchor: anchors[k],
                valueSize: valueLabel.map { size($0) }, gradientSize: gradientLabel.map { size($0) },
                ownCurves: own)
            let placement = placer.place(request)
            // A label with no spot (an edge dot could not route) stays where dot put the pair.
            if let label = valueLabel { move(label, to: placement.value ?? anchors[k] ?? Point(0, 0)) }
            if let label = gradientLabel, let p = placement.gradient { move(label, to: p) }
            for box in [placement.valueBox, placement.gradientBox].compactMap({ $0 }) {
                extent = extent.map { $0.union(box) } ?? box
            }
        }
        for e in allEdges {
            if let s = bp_edge_splines(e) {
                let b = s.pointee.bb
                if b.UR.x > b.LL.x {
                    let box = Box(minX: b.LL.x, minY: b.LL.y, maxX: b.UR.x, maxY: b.UR.y)
                    extent = extent.map { $0.union(box) } ?? box
                }
            }
        }
        if let extent { grow(to: extent.insetBy(-2)) }
    }

    // MARK: Pieces

    private func size(_ label: UnsafeMutablePointer<textlabel_t>) -> (Double, Double) {
        (label.pointee.dimen.x + 2, label.pointee.dimen.y)
    }

    private func move(_ label: UnsafeMutablePointer<textlabel_t>, to p: Point) {
        label.pointee.pos = pointf(x: p.x, y: p.y)
        label.pointee.set = 1
    }

    /// A label made the way Graphviz makes edge labels. `make_label` keeps the font
    /// name and colour pointers, so they must be Graphviz's own (pooled) strings.
    private func makeLabel(on e: EdgePointer, text: String, font: String = "fontname", size: String = "fontsize",
                           color: String = "fontcolor") -> UnsafeMutablePointer<textlabel_t>? {
        let object = UnsafeMutableRawPointer(e)
        // As Graphviz does for head labels: label* attributes, else the edge's own font.
        let fontSize = Double(get(object, size) ?? "") ?? Double(get(object, "fontsize") ?? "") ?? 14
        guard let fontName = rawAttribute(object, font) ?? rawAttribute(object, "fontname"),
              let fontColor = rawAttribute(object, color) ?? rawAttribute(object, "fontcolor") else { return nil }
        return text.withCString { t in
            bp_make_label(object, UnsafeMutablePointer(mutating: t), fontSize, fontName, fontColor)
        }
    }

    private func rawAttribute(_ object: UnsafeMutableRawPointer, _ name: String) -> UnsafeMutablePointer<CChar>? {
        name.withCString { n in
            guard let v = agget(object, UnsafeMutablePointer(mutating: n)), v.pointee != 0 else { return nil }
            return v
        }
    }

    /// Control points of an edge's spline, sampled, with its arrowheads' tips.
    private func controls(_ e: EdgePointer) -> (points: [Point], start: Point?, end: Point?) {
        guard let spl = bp_edge_splines(e), spl.pointee.size > 0, let list = spl.pointee.list else { return ([], nil, nil) }
        let bezier = list[0]
        var points: [Point] = []
        for i in 0..<Int(bezier.size) { points.append(Point(bezier.list[i].x, bezier.list[i].y)) }
        // Further pieces (rare for dot) are appended.
        if spl.pointee.size > 1 {
            for k in 1..<Int(spl.pointee.size) {
                let b = list[k]
                for i in 1..<Int(b.size) { points.append(Point(b.list[i].x, b.list[i].y)) }
            }
        }
        let last = list[Int(spl.pointee.size) - 1]
        return (points,
                bezier.sflag != 0 ? Point(bezier.sp.x, bezier.sp.y) : nil,
                last.eflag != 0 ? Point(last.ep.x, last.ep.y) : nil)
    }

    private func polyline(_ e: EdgePointer) -> [Point] {
        let c = controls(e)
        var out = sampleBezier(c.points)
        if let s = c.start { out.insert(s, at: 0) }
        if let t = c.end { out.append(t) }
        return out
    }

    /// Routes `back` as a copy of `forward`'s spline moved `arrowOffset` below it
    /// (to the right in top-to-bottom figures), clipped to the nodes by Graphviz.
    private func reroute(_ back: EdgePointer, alongside forward: EdgePointer) {
        let c = controls(forward)
        guard c.points.count >= 4 else { return }
        var pts = c.points
        if let end = c.end { pts += line(pts.last!, end).dropFirst() }
        if let start = c.start { pts = line(start, pts[0]) + pts.dropFirst() }
        // The side of the arrow the gradient goes on, taken continuously along the
        // spline: right of the direction of travel left to right (below), left of it
        // top to bottom (to the right of the edge).
        let rightHand = frame == .leftToRight
        func normal(_ i: Int) -> Point {
            let a = pts[max(i - 1, 0)], b = pts[min(i + 1, pts.count - 1)]
            let t = b - a
            let len = t.length
            if len == 0 { return rightHand ? Point(0, -1) : Point(1, 0) }
            return rightHand ? Point(t.y / len, -t.x / len) : Point(-t.y / len, t.x / len)
        }
        var shifted = pts.indices.map { pts[$0] + normal($0) * arrowOffset }
        let tail = bp_node_coord(bp_edge_tail(forward)), head = bp_node_coord(bp_edge_head(forward))
        let tailPoint = Point(tail.x, tail.y) + normal(0) * arrowOffset
        let headPoint = Point(head.x, head.y) + normal(pts.count - 1) * arrowOffset
        shifted = line(tailPoint, shifted[0]) + shifted.dropFirst() + line(shifted.last!, headPoint).dropFirst()
        var raw = shifted.map { pointf(x: $0.x, y: $0.y) }
        raw.withUnsafeMutableBufferPointer { buffer in
            bp_edge_reroute(back, buffer.baseAddress, Int32(buffer.count))
        }
    }

    /// A straight Bézier segment a → b (4 control points).
    private func line(_ a: Point, _ b: Point) -> [Point] {
        [a, a + (b - a) * (1.0 / 3), a + (b - a) * (2.0 / 3), b]
    }

    /// Grows the graph's bounding box to `extent`, keeping the title above everything.
    private func grow(to extent: Box) {
        var bb = bp_graph_bb(graph)
        let title = bp_graph_label(graph)
        let band = title.map { $0.pointee.dimen.y + 8 } ?? 0
        let titleOnTop = (bp_graph_label_pos(graph) & 1) != 0
        var contentTop = bb.UR.y - (titleOnTop ? band : 0)
        var contentBottom = bb.LL.y + (titleOnTop || title == nil ? 0 : band)
        contentTop = max(contentTop, extent.maxY)
        contentBottom = min(contentBottom, extent.minY)
        bb.LL.x = min(bb.LL.x, extent.minX)
        bb.UR.x = max(bb.UR.x, extent.maxX)
        if let title {
            let width = title.pointee.dimen.x + 16
            if bb.UR.x - bb.LL.x < width {
                let mid = (bb.UR.x + bb.LL.x) / 2
                bb.LL.x = mid - width / 2; bb.UR.x = mid + width / 2
            }
            if titleOnTop {
                bb.UR.y = contentTop + band; bb.LL.y = contentBottom
                title.pointee.pos = pointf(x: (bb.LL.x + bb.UR.x) / 2, y: bb.UR.y - band / 2)
            } else {
                bb.UR.y = contentTop; bb.LL.y = contentBottom - band
                title.pointee.pos = pointf(x: (bb.LL.x + bb.UR.x) / 2, y: bb.LL.y + band / 2)
            }
        } else {
            bb.UR.y = contentTop; bb.LL.y = contentBottom
        }
        bp_graph_set_bb(graph, bb)
    }
}
