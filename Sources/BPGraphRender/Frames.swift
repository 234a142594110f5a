import BPGraph
import CGraphviz
import Foundation

/// How step frames mark what is happening.
public struct StepStyle: Sendable, Equatable {
    /// The active node's and edges' colour (the theme's `accent`).
    public var accent: String
    /// The active node's outline and edges' width, in points.
    public var penWidth: Double
    /// The caption's font size, in points.
    public var captionFontSize: Double

    public init(accent: String, penWidth: Double, captionFontSize: Double) {
        self.accent = accent
        self.penWidth = penWidth
        self.captionFontSize = captionFontSize
    }

    /// The theme's accent, at twice its pen width, the caption in the edge labels' size.
    public init(theme: Theme) {
        self.init(accent: Theme.graphvizColor(theme.accent), penWidth: 2.2 * theme.penWidth, captionFontSize: theme.edgeFontSize + 1)
    }
}

extension Renderer {
    /// One drawing per step, all from **one** layout: the figure is laid out once with
    /// every label in place and room under it for the widest caption, then drawn once per
    /// step, changing only what Graphviz reads while it draws — which labels are there
    /// (a hidden label keeps its place), the highlight's colour and width, and the
    /// caption's text. Every node, edge and label is at the same coordinates in every
    /// frame, and every frame has the same size.
    public func drawSteps(plan: FigurePlan, steps: [StepPlan.Step], style: StepStyle,
                          format: OutputFormat, dpi: Double = 144) throws -> [Drawing] {
        var drawings: [Drawing] = []
        try drawSteps(plan: plan, steps: steps, style: style, format: format, dpi: dpi) { drawings.append($1) }
        return drawings
    }

    /// `drawSteps`, handing each frame to `each` as soon as it is drawn (under the
    /// Graphviz lock), so that a caller writing frames out holds one at a time, not all.
    public func drawSteps(plan: FigurePlan, steps: [StepPlan.Step], style: StepStyle, format: OutputFormat,
                          dpi: Double = 144, each: (Int, Drawing) throws -> Void) throws {
        guard format == .png || format == .svg else { throw RenderError("step frames are drawn as png or svg, not \(format.rawValue)") }
        lock.lock()
        defer { lock.unlock() }
        let gvc = try gvcContext()
        let graph = try read(plan.dot)
        defer { _ = agclose(graph) }

        // The caption: a plain-text node that the layout leaves out and that sits under
        // the figure. Attributes that change per frame must exist before the layout
        // (Graphviz looks their symbols up once).
        var captionName = "bpgraph caption"
        while captionName.withCString({ agnode(graph, UnsafeMutablePointer(mutating: $0), 0) }) != nil { captionName += "'" }
        guard let caption = captionName.withCString({ agnode(graph, UnsafeMutablePointer(mutating: $0), 1) }) else {
            throw RenderError("Graphviz could not add the caption")
        }
        for (name, value) in [("label", ""), ("shape", "plaintext"), ("style", ""), ("id", "caption"),
                              ("fontsize", Self.number(style.captionFontSize)), ("width", "0"), ("height", "0"), ("margin", "0")] {
            set(UnsafeMutableRawPointer(caption), name, value)
        }
        for name in ["color", "penwidth", "style", "fontcolor"] {
            name.withCString { n in "".withCString { d in
                if agattr(graph, Int32(AGEDGE), UnsafeMutablePointer(mutating: n), nil) == nil {
                    _ = agattr(graph, Int32(AGEDGE), UnsafeMutablePointer(mutating: n), UnsafeMutablePointer(mutating: d))
                }
            } }
        }

        defer { _ = gvFreeLayout(gvc, graph) }
        guard let plan = try layOut(graph, gvc: gvc, labels: .typed(plan.labels), format: format, dpi: dpi, excluding: [caption]) else {
            throw RenderError("step frames need the figure's labels")
        }

        // Every caption's label, made once; the band under the figure fits the widest.
        var captions: [UnsafeMutablePointer<textlabel_t>] = []
        let original = bp_node_label(caption)
        defer {
            bp_node_set_label(caption, original)
            for label in captions { free_label(label) }
        }
        guard let font = rawAttribute(UnsafeMutableRawPointer(caption), "fontname"),
              let color = rawAttribute(UnsafeMutableRawPointer(caption), "fontcolor") else {
            throw RenderError("Graphviz: the caption has no font")
        }
        for step in steps {
            let text = DOTEscape.unquoted(DOTEscape.label(step.caption))
            guard let label = text.withCString({ bp_make_label(UnsafeMutableRawPointer(caption), UnsafeMutablePointer(mutating: $0), style.captionFontSize, font, color) }) else {
                throw RenderError("Graphviz could not make a caption")
            }
            captions.append(label)
        }
        var bb = bp_graph_bb(graph)
        let widest = captions.map(\.pointee.dimen.x).max() ?? 0, tallest = captions.map(\.pointee.dimen.y).max() ?? 0
        let band = tallest + 8
        bb.LL.y -= band
        if bb.UR.x - bb.LL.x < widest + 8 {
            let mid = (bb.LL.x + bb.UR.x) / 2
            bb.LL.x = mid - (widest + 8) / 2
            bb.UR.x = mid + (widest + 8) / 2
        }
        bp_graph_set_bb(graph, bb)
        bp_node_set_coord(caption, pointf(x: (bb.LL.x + bb.UR.x) / 2, y: bb.LL.y + band / 2))
        try checkPixels(graph, format: format, dpi: dpi)

        // What each frame changes, and how to put it back.
        let frames = FrameState(graph: graph, plan: plan, style: style)
        defer { frames.restore() }
        for (k, step) in steps.enumerated() {
            frames.show(step)
            bp_node_set_label(caption, captions[k])
            try each(k, try drawLaidOut(graph, gvc: gvc, format: format, dpi: dpi))
        }
    }

    func rawAttribute(_ object: UnsafeMutableRawPointer, _ name: String) -> UnsafeMutablePointer<CChar>? {
        name.withCString { n in
            guard let v = agget(object, UnsafeMutablePointer(mutating: n)), v.pointee != 0 else { return nil }
            return v
        }
    }
}

/// The parts of a laid-out graph a step frame changes: edge labels taken away and put
/// back (their `textlabel_t`s are kept, so they keep their place), the highlighted
/// node's and edges' attributes, the highlighted node's text colour. `restore()` leaves
/// the graph as the layout made it, so Graphviz frees exactly what it allocated.
private final class FrameState {
    struct Labels {
        var edge: EdgePointer
        var value: UnsafeMutablePointer<textlabel_t>?
        var gradientEdge: EdgePointer?
        /// The gradient's label: the edge's head label, or its backward arrow's label.
        var gradient: UnsafeMutablePointer<textlabel_t>?
    }

    let graph: GraphPointer
    let style: StepStyle
    private var labels: [String: Labels] = [:]
    private var edgesByID: [String: EdgePointer]
    /// Attributes changed by the current frame, with their values before it.
    private var changed: [(UnsafeMutableRawPointer, String, String)] = []
    private var recoloured: [(UnsafeMutablePointer<textlabel_t>, UnsafeMutablePointer<CChar>?)] = []
    private let accent: UnsafeMutablePointer<CChar>?

    init(graph: GraphPointer, plan: LabelPlan, style: StepStyle) {
        self.graph = graph
        self.style = style
        edgesByID = plan.edgesByID
        for entry in plan.entries {
            guard let id = entry.id else { continue }
            let gradient = entry.gradientOnHeadLabel ? bp_edge_head_label(entry.edge) : entry.gradientEdge.flatMap { bp_edge_label($0) }
            labels[id] = Labels(edge: entry.edge, value: bp_edge_label(entry.edge), gradientEdge: entry.gradientEdge, gradient: gradient)
        }
        accent = style.accent.withCString { agstrdup(graph, UnsafeMutablePointer(mutating: $0)) }
    }

    func show(_ step: StepPlan.Step) {
        undoHighlight()
        for (id, l) in labels {
            bp_edge_set_label(l.edge, step.values.contains(id) ? l.value : nil)
            let showGradient = step.gradients.contains(id)
            if let back = l.gradientEdge {
                bp_edge_set_label(back, showGradient ? l.gradient : nil)
                change(UnsafeMutableRawPointer(back), "style", showGradient ? nil : "invis")
            } else {
                bp_edge_set_head_label(l.edge, showGradient ? l.gradient : nil)
            }
        }
        let width = Renderer.format(style.penWidth)
        if let name = step.activeNode, let node = name.withCString({ agnode(graph, UnsafeMutablePointer(mutating: $0), 0) }) {
            change(UnsafeMutableRawPointer(node), "color", style.accent)
            change(UnsafeMutableRawPointer(node), "penwidth", width)
            if let label = bp_node_label(node), let accent {
                recoloured.append((label, label.pointee.fontcolor))
                label.pointee.fontcolor = accent
            }
        }
        let backward: Bool
        if case .backward = step.kind { backward = true } else { backward = false }
        for id in step.activeEdges {
            var edges: [EdgePointer] = []
            if let l = labels[id] {
                // Backward, the gradient's own arrow is the one that moves.
                if backward, let back = l.gradientEdge { edges.append(back) } else { edges.append(l.edge) }
            } else if let e = edgesByID[id] {
                edges.append(e)
            }
            for e in edges {
                change(UnsafeMutableRawPointer(e), "color", style.accent)
                change(UnsafeMutableRawPointer(e), "penwidth", width)
            }
        }
    }

    /// Sets an attribute for this frame (nil: leaves it as it is), remembering the old value.
    private func change(_ object: UnsafeMutableRawPointer, _ name: String, _ value: String?) {
        guard let value else { return }
        changed.append((object, name, get(object, name) ?? ""))
        set(object, name, value)
    }

    private func undoHighlight() {
        for (object, name, value) in changed.reversed() { set(object, name, value) }
        changed.removeAll()
        for (label, color) in recoloured.reversed() { label.pointee.fontcolor = color }
        recoloured.removeAll()
    }

    func restore() {
        undoHighlight()
        for l in labels.values {
            bp_edge_set_label(l.edge, l.value)
            if let back = l.gradientEdge { bp_edge_set_label(back, l.gradient) } else { bp_edge_set_head_label(l.edge, l.gradient) }
        }
        if let accent { agstrfree(graph, accent) }
    }
}
