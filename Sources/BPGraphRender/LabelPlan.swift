import BPGraph
import CGraphviz

typealias GraphPointer = UnsafeMutablePointer<Agraph_t>
typealias NodePointer = UnsafeMutablePointer<Agnode_t>
typealias EdgePointer = UnsafeMutablePointer<Agedge_t>

/// The Graphviz side of label placement, around `gvLayout`. Which label is whose value
/// and gradient comes typed from the DOT writer (`LabelTable`, by edge id); only DOT
/// text from elsewhere has it read back from its attributes.
///
/// 1. `reserve()` (before layout): every value and gradient label is emptied, so dot
///    lays out no labels (it only sizes the nodes).
/// 2. `apply()` (after layout): the labels are made anew from the plan's texts;
///    backward arrows are re-routed as a parallel copy just under their forward
///    arrow; `LabelPlacer` chooses where the labels go; the labels are moved there
///    and the bounding box (and the title) grow to hold them. The layout and the
///    placement run without the Graphviz lock (`FigureLock`), on a copy of what they
///    read of the graph.
final class LabelPlan {
    struct Entry {
        var edge: EdgePointer
        var value: String
        /// The gradient sits on this edge's head label…
        var gradientOnHeadLabel: Bool
        /// …or on its own backward arrow, with this text.
        var gradientEdge: EdgePointer?
        var gradientText: String?
        /// The edge's id in the typed table (nil when the labels were read from the DOT).
        var id: String?
    }

    let graph: GraphPointer
    let frame: LabelPlacer.Frame
    private(set) var entries: [Entry] = []
    private var allEdges: [EdgePointer] = []
    /// Distance between a forward arrow and its backward arrow.
    let arrowOffset = 7.0

    /// Nodes that are drawn but take no part in the layout (a step frame's caption):
    /// their coordinates are the caller's.
    let excluded: Set<NodePointer>
    /// Edges by their DOT `id`.
    let edgesByID: [String: EdgePointer]

    /// The plan for `table`: the DOT writer's typed labels, per edge id (edges are taken
    /// in cgraph's order, whatever the table's). Without a table — DOT text that did not
    /// come from `DOTWriter.plan` — the labels are read back from the attributes the
    /// writer writes: `label` the value, `headlabel` the gradient, or the label of the
    /// backward arrow whose id is the edge's plus `-grad`.
    init(graph: GraphPointer, table: LabelTable?, excluding: Set<NodePointer> = []) {
        self.graph = graph
        self.excluded = excluding
        let rankdir = (get(UnsafeMutableRawPointer(graph), "rankdir") ?? "TB").uppercased()
        frame = (rankdir == "LR" || rankdir == "RL") ? .leftToRight : .topToBottom

        var byID: [String: EdgePointer] = [:]
        var position: [EdgePointer: Int] = [:]
        var node = agfstnode(graph)
        while let n = node {
            var edge = agfstout(graph, n)
            while let e = edge {
                position[e] = allEdges.count
                allEdges.append(e)
                if let id = get(UnsafeMutableRawPointer(e), "id"), !id.isEmpty { byID[id] = e }
                edge = agnxtout(graph, e)
            }
            node = agnxtnode(graph, n)
        }
        edgesByID = byID
        guard let table else {
            for e in allEdges {
                let id = get(UnsafeMutableRawPointer(e), "id") ?? ""
                if id.hasSuffix(DOTWriter.gradientSuffix) { continue }
                guard let value = get(UnsafeMutableRawPointer(e), "label"), !value.isEmpty else { continue }
                let head = get(UnsafeMutableRawPointer(e), "headlabel") ?? ""
                var entry = Entry(edge: e, value: value, gradientOnHeadLabel: !head.isEmpty)
                if !head.isEmpty { entry.gradientText = head }
                if head.isEmpty, !id.isEmpty, let back = byID[id + DOTWriter.gradientSuffix],
                   let text = get(UnsafeMutableRawPointer(back), "label"), !text.isEmpty {
                    entry.gradientEdge = back
                    entry.gradientText = text
                }
                entries.append(entry)
            }
            return
        }
        for label in table.edges where !label.value.isEmpty {
            guard let e = byID[label.id] else { continue }
            var entry = Entry(edge: e, value: label.value, gradientOnHeadLabel: label.gradient != nil && label.gradientEdge == nil)
            entry.gradientText = label.gradient
            if let id = label.gradientEdge {
                if let back = byID[id] { entry.gradientEdge = back } else { entry.gradientText = nil }
            }
            entry.id = label.id
            entries.append(entry)
        }
        entries.sort { position[$0.edge]! < position[$1.edge]! }
    }

    /// Before dot's layout: no labels at all. dot only sizes the nodes (its coordinates
    /// and splines are replaced by `LayeredLayout`'s), and without labels it neither
    /// makes label nodes nor places head labels (an R-tree search that was most of the
    /// layout time of a wide fan-in). The texts are kept and made again in `apply()`.
    func reserve() {
        for entry in entries {
            if entry.gradientOnHeadLabel { set(UnsafeMutableRawPointer(entry.edge), "headlabel", "") }
            set(UnsafeMutableRawPointer(entry.edge), "label", "")
            if let back = entry.gradientEdge { set(UnsafeMutableRawPointer(back), "label", "") }
        }
    }

    /// After dot's layout (which sized the nodes): remake the labels, lay the figure out
    /// again with bpgraph's own layout (`LayeredLayout`), route every edge, place the
    /// labels, and fit the bounding box to what is drawn. When a label finds no clean
    /// spot, the layout is made again with more room, up to twice. The Graphviz lock is
    /// held on entry and on return; in between only while each layout's routes are
    /// installed (`graphviz`): the layouts and placements work on a copy of the graph.
    func apply(_ graphviz: FigureLock) {
        for entry in entries {
            let e = entry.edge
            // make_label reads the edge's current label (for `\L`), so detach the old one first.
            if let old = bp_edge_label(e) { bp_edge_set_label(e, nil); free_label(old) }
            bp_edge_set_label(e, makeLabel(on: e, text: entry.value))
            if entry.gradientOnHeadLabel, let text = entry.gradientText {
                set(UnsafeMutableRawPointer(e), "headlabel", text)
                if let old = bp_edge_head_label(e) { bp_edge_set_head_label(e, nil); free_label(old) }
                bp_edge_set_head_label(e, makeLabel(on: e, text: text, font: "labelfontname", size: "labelfontsize", color: "labelfontcolor"))
            }
            if let back = entry.gradientEdge, let text = entry.gradientText {
                if let oldBack = bp_edge_label(back) { bp_edge_set_label(back, nil); free_label(oldBack) }
                bp_edge_set_label(back, makeLabel(on: back, text: text))
            }
        }
        copyGraph()

        // The figure as the layout sees it.
        var nodes: [NodePointer] = []
        var index: [NodePointer: Int] = [:]
        var node = agfstnode(graph)
        while let n = node {
            if !excluded.contains(n) {
                index[n] = nodes.count
                nodes.append(n)
            }
            node = agnxtnode(graph, n)
        }
        var clusters: [GraphPointer] = []
        var groupOf = [Int?](repeating: nil, count: nodes.count)
        let clusterCount = Int(bp_graph_cluster_count(graph))
        if clusterCount > 0 {
            for i in 1...clusterCount {
                guard let cluster = bp_graph_cluster(graph, Int32(i)) else { continue }
                var member = agfstnode(cluster)
                while let m = member {
                    if let k = index[m], groupOf[k] == nil { groupOf[k] = clusters.count }
                    member = agnxtnode(cluster, m)
                }
                clusters.append(cluster)
            }
        }
        let entryOf = Dictionary(entries.indices.map { (entries[$0].edge, $0) }, uniquingKeysWith: { a, _ in a })
        let backEdges = Set(entries.compactMap(\.gradientEdge))
        var forward: [EdgePointer] = []
        var layoutEdges: [LayeredLayout.Edge] = []
        for e in allEdges where !backEdges.contains(e) {
            guard let from = index[bp_edge_tail(e)], let to = index[bp_edge_head(e)] else { continue }
            let id = get(UnsafeMutableRawPointer(e), "id") ?? ""
            // Edges are written by head, then argument: their number orders the arguments.
            let argument = id.hasPrefix("e") ? Int(id.dropFirst()) ?? 0 : 0
            var width = 0.0, height = 0.0, valueShare = 0.5
            if let k = entryOf[e] {
                let value = bp_edge_label(e).map(size)
                let gradientLabel = entries[k].gradientOnHeadLabel ? bp_edge_head_label(e) : entries[k].gradientEdge.flatMap { bp_edge_label($0) }
                let gradient = gradientLabel.map(size)
                let offset = entries[k].gradientEdge == nil ? 0 : arrowOffset
                let (vw, vh) = value ?? (0, 0), (gw, gh) = gradient ?? (0, 0)
                if frame == .leftToRight {
                    width = max(vw, gw); height = vh + gh + 4 * gap + offset
                    valueShare = (vh + 2 * gap) / height
                } else {
                    width = vw + gw + 4 * gap + offset; height = max(vh, gh)
                    valueShare = (vw + 2 * gap) / width
                }
            }
            forward.append(e)
            layoutEdges.append(.init(from: from, to: to, argument: argument, labelWidth: width, labelHeight: height, valueShare: valueShare))
        }
        // Per node, its inputs in argument order.
        var inputsByHead = [[(Int, EdgePointer)]](repeating: [], count: nodes.count)
        for (k, e) in forward.enumerated() { inputsByHead[layoutEdges[k].to].append((layoutEdges[k].argument, e)) }
        let inputs = inputsByHead.filter { $0.count > 1 }.map { $0.sorted { $0.0 < $1.0 }.map(\.1) }
        let layoutNodes = nodes.indices.map { LayeredLayout.Node(width: bp_node_width(nodes[$0]), height: bp_node_height(nodes[$0]), group: groupOf[$0]) }
        let groups = clusters.map { c -> LayeredLayout.Group in
            let label = bp_graph_label(c)
            return .init(labelWidth: label?.pointee.dimen.x ?? 0, labelHeight: label?.pointee.dimen.y ?? 0)
        }
        // Without the lock from here, but for installing each layout's routes.
        graphviz.unlock()
        var layout = LayeredLayout(frame: frame, nodes: layoutNodes, edges: layoutEdges, groups: groups)

        // (Layouts again only for figure-sized graphs: a big or crowded one would take
        // seconds and gain little.)
        let retries = nodes.count <= 400 && layoutEdges.count <= 200
        let forwardIndex = Dictionary(forward.indices.map { (forward[$0], $0) }, uniquingKeysWith: { a, _ in a })
        // (Per forward edge, its first twin (`twinCurves`): the edges between the same two
        // nodes crowd a label as one.)
        let allIndex = Dictionary(allEdges.indices.map { (allEdges[$0], $0) }, uniquingKeysWith: { a, _ in a })
        let firstTwin = forward.indices.map { k in twinCurves[allIndex[forward[k]]!].compactMap { forwardIndex[allEdges[$0]] }.min() ?? k }
        var backOf: [EdgePointer: EdgePointer] = [:]
        for entry in entries { if let back = entry.gradientEdge { backOf[back] = entry.edge } }
        /// How an attempt came out: labels on text; labels that read as another edge's
        /// and edges with a corner or an S; labels that are not clearly their own edge's,
        /// that are not clear of other edges; and the area drawn.
        typealias Outcome = (overlapping: Int, ambiguous: Int, unreadable: Int, unclean: Int, area: Double)
        var last: LayeredLayout.Skeleton?
        var lastVariant = LayeredLayout.Variant.usual
        var crowded: [Crowded] = []
        // The last attempt's anchors, group boxes and placement, for `refine`.
        var lastAnchors: [EdgePointer: Point] = [:], lastBorders: [Box] = [], lastPlaced: Placed?
        /// Labels that read as another edge's choose first, once (earlier labels may have
        /// taken their spots); the better of the two placements stays.
        /// Then, if some still do, once more with those labels hugging their edges closer
        /// where that makes them read as their own.
        func refine() {
            guard let placed = lastPlaced, placed.ambiguous > 0 else { return }
            func key(_ p: Placed) -> (Int, Int, Int, Int) { (p.overlapping, p.ambiguous, p.unreadable, p.unclean) }
            var kept = placed
            let again = place(anchors: lastAnchors, borders: lastBorders, first: Set(placed.crowded.map(\.edge)))
            if key(again) < key(kept) { kept = again } else { for (label, p) in kept.moves { move(label, to: p) } }
            guard kept.ambiguous > 0 else { return }
            let hugged = place(anchors: lastAnchors, borders: lastBorders, first: Set(kept.crowded.map(\.edge)), hug: true)
            if !(key(hugged) < key(kept)) { for (label, p) in kept.moves { move(label, to: p) } }
        }
        func attempt(_ spread: Double, _ room: LayeredLayout.Room) -> Outcome {
            layout.spread = spread
            layout.room = room
            let skeleton = layout.skeleton()
            let result = skeleton.result()
            last = skeleton
            lastVariant = layout.variant
            // Into the graph, where Graphviz clips the routes to the nodes, and back into the copy.
            graphviz.lock()
            for (k, n) in nodes.enumerated() { bp_node_set_coord(n, pointf(x: result.centers[k].x, y: result.centers[k].y)) }
            for (k, c) in clusters.enumerated() {
                let b = result.groupBoxes[k]
                bp_graph_set_bb(c, boxf(LL: pointf(x: b.minX, y: b.minY), UR: pointf(x: b.maxX, y: b.maxY)))
                if let label = bp_graph_label(c) { move(label, to: result.groupLabels[k]) }
            }
            for (k, e) in forward.enumerated() {
                install(e, result.routes[k])
                if let i = entryOf[e], let back = entries[i].gradientEdge { install(back, offset(result.routes[k])) }
            }
            copyLayout()
            graphviz.unlock()
            let anchors = Dictionary(forward.indices.map { (forward[$0], result.labelAnchors[$0]) }, uniquingKeysWith: { a, _ in a })
            let placed = place(anchors: anchors, borders: result.groupBoxes)
            (lastAnchors, lastBorders, lastPlaced) = (anchors, result.groupBoxes, placed)
            crowded = placed.crowded
            return (placed.overlapping, placed.ambiguous + bentEdges(forward) + outOfOrder(inputs), placed.unreadable, placed.unclean, placed.extent.width * placed.extent.height)
        }
        // Lay out, route, place. While a label has no clean spot, again: with room made
        // where labels read as another edge's or lie on text (`makeRoom`, `lengthen`, a
        // few rounds while that helps), with more room everywhere (1.4× and 1.75×,
        // bounded so that hopeless figures do not sprawl), and, if a label still reads
        // as another edge's, a few rounds more from the best attempt. The attempt with
        // the fewest labels on text, then that read as another edge's, that are not
        // clearly their own, that are not clear, is kept; the most compact of those.
        var best: (outcome: Outcome, spread: Double, room: LayeredLayout.Room, variant: LayeredLayout.Variant)?
        // (An attempt that sprawls to many times the first one's area counts as one label
        // more that reads as another edge's: a figure of rank gaps stretched for one label
        // reads worse than that label.)
        var firstArea = Double.infinity
        func crowding(_ o: Outcome) -> Int { o.ambiguous + (o.area > Self.sprawl * firstArea ? 1 : 0) }
        func consider(_ outcome: Outcome, _ spread: Double, _ room: LayeredLayout.Room) {
            func key(_ o: Outcome) -> (Int, Int, Int, Int, Double) { (o.overlapping, crowding(o), o.unreadable, o.unclean, o.area) }
            if best == nil || key(outcome) < key(best!.outcome) { best = (outcome, spread, room, layout.variant) }
        }
        let room = LayeredLayout.Room()
        var tried: [Int: Int] = [:]  // by k · edges + j
        /// Up to `count` layouts again at `spread`, from `start`, each with room made where
        /// the last one left labels that read as another edge's or lie on text.
        /// `trading`: two edges whose label reads as the other's first try their items beside
        /// it the other way round (`Skeleton.trade`), once, before room is made for them.
        func rounds(_ spread: Double, from start: LayeredLayout.Room, _ first: Outcome, count: Int, trading: Bool = false) {
            var traded: Set<Int> = []
            var room = start, outcome = first
            for _ in 0..<count where outcome.ambiguous > 0 || outcome.overlapping > 0 {
                guard let skeleton = last else { break }
                var more = room
                for c in crowded {
                    // (A label on a node or a label: its gap gets longer, more each time.)
                    if c.onText, let k = forwardIndex[c.edge] {
                        let times = tried[k * forward.count + k, default: 0] + 1
                        tried[k * forward.count + k] = times
                        skeleton.lengthen(k, at: c.at, times: Double(times), into: &more)
                        continue
                    }
                    guard let k = forwardIndex[c.edge], let by = c.by.map({ backOf[$0] ?? $0 }), let j = forwardIndex[by].map({ firstTwin[$0] }), j != k else { continue }
                    // (Room made for the same two edges before did not part them: the gap gets longer too,
                    // more each time.)
                    let pair = k * forward.count + j, times = tried[pair, default: 0]
                    tried[pair] = times + 1
                    if trading, traded.insert(pair).inserted, skeleton.trade(for: k, against: j, at: c.at, into: &more) { continue }
                    skeleton.makeRoom(for: k, against: j, at: c.at, longer: Double(times), into: &more)
                }
                if more == room { break }
                room = more
                outcome = attempt(spread, room)
                consider(outcome, spread, room)
            }
        }
        let outcome = attempt(1, room)
        firstArea = outcome.area
        consider(outcome, 1, room)
        if retries && outcome.unclean > 0 {
            rounds(1, from: room, outcome, count: Self.roomRounds)
            // More room everywhere, with and without the room made.
            let made = best!.room
            for spread in [1.4, 1.75] where best!.outcome.unclean > 0 {
                for room in made.isEmpty ? [made] : [LayeredLayout.Room(), made] where best!.outcome.unclean > 0 {
                    consider(attempt(spread, room), spread, room)
                }
            }
            // Still a label that reads as another edge's or lies on text: more rounds from the
            // best attempt.
            if let kept = best, kept.outcome.ambiguous > 0 || kept.outcome.overlapping > 0 {
                rounds(kept.spread, from: kept.room, attempt(kept.spread, kept.room), count: Self.roomRounds)
            }
            // Still: rounds again from the best attempt, where the edges a label is crowded by
            // first trade places with its own.
            if let kept = best, kept.outcome.ambiguous > 0 || kept.outcome.overlapping > 0 {
                rounds(kept.spread, from: kept.room, attempt(kept.spread, kept.room), count: Self.roomRounds, trading: true)
            }
            // Still: the graph ranked and ordered other ways (`LayeredLayout.Variant`), each
            // with its own rounds of room.
            let usual = layout
            // (Also when the best attempt sprawls.)
            for variant in LayeredLayout.Variant.allCases.dropFirst() where crowding(best!.outcome) > 0 || best!.outcome.overlapping > 0 {
                if variant == .roomyGroups, clusters.isEmpty { continue }
                layout = usual.varied(variant)
                if variant != .roomyGroups, layout.ordersLike(usual) { continue }
                tried = [:]
                let first = attempt(1, LayeredLayout.Room())
                consider(first, 1, LayeredLayout.Room())
                rounds(1, from: LayeredLayout.Room(), first, count: Self.roomRounds)
            }
            if best!.variant != layout.variant { layout = usual.varied(best!.variant) }
        }
        // The attempt kept, laid out again if it was not the last, and its labels placed
        // once more with those that read as another edge's choosing first.
        if let best, best.spread != layout.spread || best.room != layout.room || best.variant != lastVariant {
            _ = attempt(best.spread, best.room)
        }
        if retries { refine() }
        graphviz.lock()
        writeLabels()
        growGroups(clusters, groupOf: { index[$0].flatMap { groupOf[$0] } })
        fit()
    }

    /// A group's box grown to hold the labels of the edges inside it that its border
    /// crosses (top to bottom, a value beside an edge can be wider than the room the box
    /// kept for it), where the grown box still touches no node, label or box outside it.
    /// (`groupOf`: the index in `clusters` of a node's group.)
    private func growGroups(_ clusters: [GraphPointer], groupOf: (NodePointer) -> Int?) {
        guard !clusters.isEmpty else { return }
        func box(_ label: UnsafeMutablePointer<textlabel_t>?) -> Box? {
            guard let label, label.pointee.set != 0 else { return nil }
            return Box(center: Point(label.pointee.pos.x, label.pointee.pos.y), width: label.pointee.dimen.x, height: label.pointee.dimen.y)
        }
        func labels(_ entry: Entry) -> [Box] {
            [box(bp_edge_label(entry.edge)), entry.gradientOnHeadLabel ? box(bp_edge_head_label(entry.edge)) : nil,
             entry.gradientEdge.flatMap { box(bp_edge_label($0)) }].compactMap { $0 }
        }
        func bounds(_ c: GraphPointer) -> Box {
            let b = bp_graph_bb(c)
            return Box(minX: b.LL.x, minY: b.LL.y, maxX: b.UR.x, maxY: b.UR.y)
        }
        for (i, cluster) in clusters.enumerated() {
            let old = bounds(cluster)
            guard !old.isEmpty else { continue }
            var grown = old
            var inner: [Box] = [], outer: [Box] = []
            for entry in entries {
                let mine = groupOf(bp_edge_tail(entry.edge)) == i && groupOf(bp_edge_head(entry.edge)) == i
                for b in labels(entry) {
                    if mine, b.overlapArea(old) > 0, !old.contains(b) { grown = grown.union(b.insetBy(-4)) }
                    if mine { inner.append(b) } else { outer.append(b) }
                }
            }
            guard grown != old else { continue }
            // Nothing outside the group may be touched by the grown box.
            var clear = outer.allSatisfy { $0.overlapArea(grown) == 0 || old.contains($0) }
            var node = agfstnode(graph)
            while clear, let n = node {
                let c = bp_node_coord(n)
                if groupOf(n) != i, !excluded.contains(n),
                   Box(center: Point(c.x, c.y), width: bp_node_width(n), height: bp_node_height(n)).overlapArea(grown) > 0 { clear = false }
                node = agnxtnode(graph, n)
            }
            for (j, other) in clusters.enumerated() where j != i && clear {
                let b = bounds(other)
                if !b.isEmpty, b.overlapArea(grown) > 0, !old.contains(b), !b.contains(old) { clear = false }
            }
            guard clear, inner.allSatisfy({ grown.contains($0) || $0.overlapArea(grown) == 0 }) else { continue }
            bp_graph_set_bb(cluster, boxf(LL: pointf(x: grown.minX, y: grown.minY), UR: pointf(x: grown.maxX, y: grown.maxY)))
            // Its title stays at the top, centred.
            if let title = bp_graph_label(cluster) {
                moveInGraph(title, to: Point((grown.minX + grown.maxX) / 2, title.pointee.pos.y + grown.maxY - old.maxY))
            }
        }
    }

    /// How many of `edges` are drawn with a corner or an S: their splines as drawn
    /// (clipped to the nodes), sampled as a reader's eye (and the quality measure) sees
    /// them, the first and last 4 pt, where they meet the node's outline, not judged for
    /// corners. (A route's bend inside a node is not seen.)
    private func bentEdges(_ edges: [EdgePointer]) -> Int {
        var count = 0
        for e in edges {
            let points = controls(e).points
            guard points.count >= 4 else { continue }
            if LayeredLayout.kinked(sampleBezier(points, steps: 24)) { count += 1 }
        }
        return count
    }

    /// How many nodes' inputs arrive out of argument order as drawn: where their clipped
    /// splines end, the first argument's above the next (left to right) or left of it
    /// (top to bottom), read along the axis the ends spread over most, as the quality
    /// measure reads them. Nodes with two inputs from one node are not judged.
    /// (`inputs`: per node with more than one input, its edges in argument order.)
    private func outOfOrder(_ inputs: [[EdgePointer]]) -> Int {
        var count = 0
        for edges in inputs {
            guard Set(edges.map { UInt(bitPattern: tail($0)) }).count == edges.count else { continue }
            let ends = edges.compactMap { controls($0).points.last }
            guard ends.count == edges.count else { continue }
            let xs = ends.map(\.x), ys = ends.map(\.y)
            let seq = (xs.max()! - xs.min()!) <= (ys.max()! - ys.min()!) ? ys.map { -$0 } : xs
            if zip(seq, seq.dropFirst()).contains(where: { $1 < $0 - 0.5 }) { count += 1 }
        }
        return count
    }

    /// The clearance between a label and its edge.
    private let gap = 2.5
    /// At most this many layouts again with room made where labels read as another edge's.
    static let roomRounds = 12
    /// An attempt this many times the first one's area sprawls (`consider`).
    static let sprawl = 5.0

    /// A label that reads as another edge's: its edge, the other edge (a backward arrow
    /// stands for its forward one; nil: a group's border) and the label's centre. Or
    /// (`onText`) one on a node or another label.
    struct Crowded {
        var edge: EdgePointer
        var by: EdgePointer?
        var at: Point
        var onText = false
    }

    /// What `place` made of the labels: how many overlap a node or a label, read as
    /// another edge's, are not clearly their own edge's, found no clean spot; the ones that
    /// read as another edge's; the extent of everything drawn; and where each label went.
    typealias Placed = (overlapping: Int, ambiguous: Int, unreadable: Int, unclean: Int, crowded: [Crowded], extent: Box,
                        moves: [(UnsafeMutablePointer<textlabel_t>, Point)])

    private func place(anchors: [EdgePointer: Point], borders: [Box], first: Set<EdgePointer> = [], hug: Bool = false) -> Placed {
        var obstacles: [Box] = []
        for n in copiedNodes {
            let box = Box(center: center(n), width: width(n), height: height(n))
            if !box.isEmpty, !excluded.contains(n) { obstacles.append(box.insetBy(-2)) }
        }
        for label in clusterLabels {
            let (dimen, pos) = (copiedLabels[label]!.dimen, copiedLabels[label]!.pos)
            obstacles.append(Box(center: pos, width: dimen.x, height: dimen.y).insetBy(-2))
        }
        var curveIndex: [EdgePointer: Int] = [:]
        var curves: [[Point]] = []
        for e in allEdges {
            curveIndex[e] = curves.count
            curves.append(polyline(e))
        }
        // A group's border is a line no label may sit on.
        for b in borders where !b.isEmpty {
            curves.append([Point(b.minX, b.minY), Point(b.maxX, b.minY), Point(b.maxX, b.maxY), Point(b.minX, b.maxY), Point(b.minX, b.minY)])
        }

        var placer = LabelPlacer(frame: frame, gap: gap, obstacles: obstacles, curves: curves)
        placer.hug = hug
        var moves: [(UnsafeMutablePointer<textlabel_t>, Point)] = []
        var unclean = 0, unreadable = 0, overlapping = 0, ambiguous = 0
        var crowded: [Crowded] = []
        var labelBoxes: [Box] = []
        // Short edges have the fewest spots, so they choose first (after `first`).
        func arcLength(_ c: [Point]) -> Double { zip(c, c.dropFirst()).reduce(0) { $0 + ($1.1 - $1.0).length } }
        // (Each entry's length and whether it is first, once, not per comparison.)
        let lengths = entries.map { arcLength(curves[curveIndex[$0.edge]!]) }
        let isFirst = entries.map { first.contains($0.edge) }
        let order = entries.indices.sorted { a, b in
            let fa = isFirst[a], fb = isFirst[b]
            if fa != fb { return fa }
            let la = lengths[a], lb = lengths[b]
            return la != lb ? la < lb : a < b
        }
        for k in order {
            let entry = entries[k]
            let e = entry.edge
            let valueLabel = label(e)
            let gradientLabel = entry.gradientOnHeadLabel ? headLabel(e) : entry.gradientEdge.flatMap { label($0) }
            let gradientCurve = entry.gradientEdge.map { curves[curveIndex[$0]!] } ?? curves[curveIndex[e]!]
            var own = [curveIndex[e]!]
            if let back = entry.gradientEdge { own.append(curveIndex[back]!) }
            let twins = twinCurves[curveIndex[e]!].filter { !own.contains($0) }
            let request = LabelPlacer.Request(
                valueCurve: curves[curveIndex[e]!], gradientCurve: gradientCurve, anchor: anchors[e],
                valueSize: valueLabel.map { size($0) }, gradientSize: gradientLabel.map { size($0) },
                ownCurves: own, twinCurves: twins)
            let placement = placer.place(request)
            if !placement.clean { unclean += 1 }
            if !placement.readable { unreadable += 1 }
            let by = placement.crowdedBy.flatMap { $0 < allEdges.count ? allEdges[$0] : nil }
            if placement.ambiguous {
                ambiguous += 1
                if let at = placement.crowdedAt { crowded.append(Crowded(edge: e, by: by, at: at)) }
            }
            if placement.overlaps {
                overlapping += 1
                if !placement.ambiguous, let at = placement.value ?? placement.gradient { crowded.append(Crowded(edge: e, at: at, onText: true)) }
            }
            // A label with no spot (an edge with no route) stays at the anchor.
            labelBoxes += [placement.valueBox, placement.gradientBox].compactMap { $0 }
            if let label = valueLabel { moves.append((label, placement.value ?? anchors[e] ?? Point(0, 0))) }
            if let label = gradientLabel, let p = placement.gradient { moves.append((label, p)) }
        }
        var extent = LabelPlacer.bounds(curves.flatMap { $0 })
        for box in obstacles { extent = extent.union(box) }
        for box in labelBoxes { extent = extent.union(box) }
        for (label, p) in moves { move(label, to: p) }
        return (overlapping, ambiguous, unreadable, unclean, crowded, extent, moves)
    }

    /// Installs a route (cubic Bézier control points, centre to centre) as the edge's
    /// spline, clipped to both nodes by Graphviz, with the edge's arrowheads.
    private func install(_ e: EdgePointer, _ route: [Point]) {
        guard route.count >= 4 else { return }
        var raw = route.map { pointf(x: $0.x, y: $0.y) }
        raw.withUnsafeMutableBufferPointer { buffer in
            bp_edge_reroute(e, buffer.baseAddress, Int32(buffer.count))
        }
    }

    /// A route moved `arrowOffset` to the gradient's side of it (below left to right,
    /// right of it top to bottom): the backward arrow's.
    private func offset(_ route: [Point]) -> [Point] {
        guard let a = route.first, let b = route.last else { return route }
        let d = b - a, len = max(d.length, 1e-9)
        let normal = frame == .leftToRight ? Point(d.y / len, -d.x / len) : Point(-d.y / len, d.x / len)
        return route.map { $0 + normal * arrowOffset }
    }

    /// The bounding box: what is drawn (nodes, edges, labels, groups) and the title.
    private func fit() {
        var extent: Box?
        func add(_ b: Box) { if !b.isEmpty || b.width > 0 || b.height > 0 { extent = extent.map { $0.union(b) } ?? b } }
        var node = agfstnode(graph)
        while let n = node {
            let c = bp_node_coord(n)
            if !excluded.contains(n) { add(Box(center: Point(c.x, c.y), width: bp_node_width(n), height: bp_node_height(n))) }
            node = agnxtnode(graph, n)
        }
        for e in allEdges {
            if let s = bp_edge_splines(e) {
                let b = s.pointee.bb
                if b.UR.x >= b.LL.x { add(Box(minX: b.LL.x, minY: b.LL.y, maxX: b.UR.x, maxY: b.UR.y)) }
            }
            for label in [bp_edge_label(e), bp_edge_head_label(e)].compactMap({ $0 }) where label.pointee.set != 0 {
                add(Box(center: Point(label.pointee.pos.x, label.pointee.pos.y), width: label.pointee.dimen.x, height: label.pointee.dimen.y))
            }
        }
        let clusterCount = bp_graph_cluster_count(graph)
        if clusterCount > 0 {
            for i in 1...Int(clusterCount) {
                guard let cluster = bp_graph_cluster(graph, Int32(i)) else { continue }
                let b = bp_graph_bb(cluster)
                add(Box(minX: b.LL.x, minY: b.LL.y, maxX: b.UR.x, maxY: b.UR.y))
            }
        }
        guard let content = extent?.insetBy(-2) else { return }
        var bb = boxf(LL: pointf(x: content.minX, y: content.minY), UR: pointf(x: content.maxX, y: content.maxY))
        if let title = bp_graph_label(graph) {
            let band = title.pointee.dimen.y + 8
            let width = title.pointee.dimen.x + 6
            if bb.UR.x - bb.LL.x < width {
                let mid = (bb.UR.x + bb.LL.x) / 2
                bb.LL.x = mid - width / 2; bb.UR.x = mid + width / 2
            }
            if (bp_graph_label_pos(graph) & 1) != 0 {
                bb.UR.y += band
                title.pointee.pos = pointf(x: (bb.LL.x + bb.UR.x) / 2, y: bb.UR.y - band / 2)
            } else {
                bb.LL.y -= band
                title.pointee.pos = pointf(x: (bb.LL.x + bb.UR.x) / 2, y: bb.LL.y + band / 2)
            }
        }
        bp_graph_set_bb(graph, bb)
    }

    // MARK: The copy

    // What the layout and the placement read of the graph, copied with the Graphviz lock
    // (`copyGraph` once the labels are made, `copyLayout` after each layout's routes are
    // installed), so that they run without it: Graphviz's pointers are only keys here,
    // never followed. Labels are moved in the copy, and in the graph when the lock is
    // taken back (`writeLabels`).
    private var copiedNodes: [NodePointer] = []
    private var centers: [NodePointer: Point] = [:]
    private var sizes: [NodePointer: (width: Double, height: Double)] = [:]
    private var ends: [EdgePointer: (tail: NodePointer?, head: NodePointer?)] = [:]
    private var copiedSplines: [EdgePointer: Controls] = [:]
    private var labels: [EdgePointer: (label: UnsafeMutablePointer<textlabel_t>?, head: UnsafeMutablePointer<textlabel_t>?)] = [:]
    /// Per edge (numbered as `allEdges`), the edges between the same two nodes, itself
    /// included: twins (x · x) and their backward arrows.
    private var twinCurves: [[Int]] = []
    /// The top-level groups' labels, in Graphviz's order.
    private var clusterLabels: [UnsafeMutablePointer<textlabel_t>] = []
    private var copiedLabels: [UnsafeMutablePointer<textlabel_t>: (dimen: Point, pos: Point, moved: Bool)] = [:]

    private func center(_ n: NodePointer) -> Point { centers[n]! }
    private func width(_ n: NodePointer) -> Double { sizes[n]!.width }
    private func height(_ n: NodePointer) -> Double { sizes[n]!.height }
    private func tail(_ e: EdgePointer) -> NodePointer? { ends[e]!.tail }
    private func head(_ e: EdgePointer) -> NodePointer? { ends[e]!.head }
    /// An edge's label and head label.
    private func label(_ e: EdgePointer) -> UnsafeMutablePointer<textlabel_t>? { labels[e]!.label }
    private func headLabel(_ e: EdgePointer) -> UnsafeMutablePointer<textlabel_t>? { labels[e]!.head }

    /// The nodes, the edges' ends and labels, every label's size and place, and the layout.
    private func copyGraph() {
        func copy(_ label: UnsafeMutablePointer<textlabel_t>?) {
            guard let label else { return }
            copiedLabels[label] = (Point(label.pointee.dimen.x, label.pointee.dimen.y), Point(label.pointee.pos.x, label.pointee.pos.y), false)
        }
        var node = agfstnode(graph)
        while let n = node {
            copiedNodes.append(n)
            sizes[n] = (bp_node_width(n), bp_node_height(n))
            node = agnxtnode(graph, n)
        }
        for e in allEdges {
            ends[e] = (bp_edge_tail(e), bp_edge_head(e))
            labels[e] = (bp_edge_label(e), bp_edge_head_label(e))
            copy(bp_edge_label(e))
            copy(bp_edge_head_label(e))
        }
        let clusterCount = bp_graph_cluster_count(graph)
        if clusterCount > 0 {
            for i in 1...Int(clusterCount) {
                guard let cluster = bp_graph_cluster(graph, Int32(i)), let label = bp_graph_label(cluster) else { continue }
                clusterLabels.append(label)
                copy(label)
            }
        }
        // (Curves are numbered as `allEdges`: the edges between the same two nodes.)
        var between: [[UInt]: [Int]] = [:]
        for (i, e) in allEdges.enumerated() {
            let a = UInt(bitPattern: tail(e)), b = UInt(bitPattern: head(e))
            between[[min(a, b), max(a, b)], default: []].append(i)
        }
        twinCurves = allEdges.indices.map { i in
            let e = allEdges[i], a = UInt(bitPattern: tail(e)), b = UInt(bitPattern: head(e))
            return between[[min(a, b), max(a, b)]]!
        }
        copyLayout()
    }

    /// The nodes' centres and the edges' splines.
    private func copyLayout() {
        for n in copiedNodes {
            let c = bp_node_coord(n)
            centers[n] = Point(c.x, c.y)
        }
        for e in allEdges { copiedSplines[e] = splineControls(e) }
    }

    /// The labels moved in the copy, moved in the graph (with the lock).
    private func writeLabels() {
        for (label, copied) in copiedLabels where copied.moved { moveInGraph(label, to: copied.pos) }
    }

    // MARK: Pieces

    private func size(_ label: UnsafeMutablePointer<textlabel_t>) -> (Double, Double) {
        let dimen = copiedLabels[label]!.dimen
        return (dimen.x + 2, dimen.y)
    }

    /// Moves a label in the copy (`writeLabels` moves it in the graph).
    private func move(_ label: UnsafeMutablePointer<textlabel_t>, to p: Point) {
        copiedLabels[label]!.pos = p
        copiedLabels[label]!.moved = true
    }

    private func moveInGraph(_ label: UnsafeMutablePointer<textlabel_t>, to p: Point) {
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

    /// Control points of an edge's spline, with its arrowheads' tips, as copied.
    private func controls(_ e: EdgePointer) -> Controls {
        copiedSplines[e] ?? ([], nil, nil)
    }

    typealias Controls = (points: [Point], start: Point?, end: Point?)

    /// An edge's spline as the graph has it (with the lock).
    private func splineControls(_ e: EdgePointer) -> Controls {
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
        // (More steps on a long piece that bends: twelve would cut its corners by several
        // points, and a label placed against them would sit off the curve drawn.)
        var out = sampleBezier(c.points, chord: 20)
        if let s = c.start { out.insert(s, at: 0) }
        if let t = c.end { out.append(t) }
        return out
    }
}
