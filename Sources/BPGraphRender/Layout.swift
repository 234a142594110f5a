import Foundation

/// bpgraph's own layered layout of a figure, in place of dot's coordinates and
/// splines (dot still sizes the nodes and draws).
///
/// Why not dot's: dot puts each edge label on a virtual node that its edge bends
/// around (S-bends), ignores the order of a node's inputs once there are clusters,
/// and routes splines through boxes that kink. Textbook figures want the opposite:
/// inputs arriving in argument order, edges that run straight (or in one gentle
/// arc), and room for a value above and a gradient below every edge.
///
/// The steps, in a frame where ranks run along u and the order within a rank along
/// v (left to right: u = x, v = −y; top to bottom: u = −y, v = x):
/// 1. ranks (`assignRanks`): longest path from the inputs; an input sits just before its first consumer;
/// 2. items (`makeItems`): long edges get one virtual item per rank they cross;
/// 3. order (`orderItems`): a depth-first walk back from the output, inputs in argument order (a tree
///    comes out crossing-free and in order), then barycentre sweeps kept only when
///    they lower crossings and argument-order inversions; a group's items stay together;
/// 4. v (`assignV`): each item pulled towards its neighbours, rank by rank, and projected onto the
///    rank's order with the separations its labels need (isotonic regression); then
///    items that are not a group's are pushed out of its box;
/// 5. u (`assignU`): each gap between ranks as wide as the labels that sit in it;
///    then the groups' boxes (`boxGroups`);
/// 6. routes (`route`): a straight line between centres, else the gentlest single arc that
///    clears every node, else a smooth curve through the virtual items; then ports
///    for inputs that would arrive out of argument order, and the labels' anchors.
///
/// Each step is a method of `Skeleton`, the working state of one run (`run()` calls them
/// in turn), so that each can be tested on its own.
struct LayeredLayout {
    typealias Frame = LabelPlacer.Frame

    struct Node {
        /// Size in Graphviz points (width, height).
        var width: Double
        var height: Double
        var group: Int?
    }

    struct Edge {
        var from: Int
        var to: Int
        /// The edge's place among its head's inputs.
        var argument: Int
        /// The room its labels need, (width, height) in Graphviz points: the value and the
        /// gradient stacked (left to right) or side by side (top to bottom). Zero: no labels.
        var labelWidth: Double
        var labelHeight: Double
        /// The share of that room across on the value's side of the edge (above it left to
        /// right, left of it top to bottom); the gradient's is the rest.
        var valueShare = 0.5
    }

    struct Group {
        /// The group's title, (width, height) in points.
        var labelWidth: Double
        var labelHeight: Double
    }

    struct Result {
        /// Node centres, Graphviz coordinates.
        var centers: [Point]
        /// Per edge: cubic Bézier control points (3k + 1) from the tail's centre to the head's.
        var routes: [[Point]]
        /// Per edge: where along its route its labels would best sit (a point on the route).
        var labelAnchors: [Point]
        /// Per group: its box and the centre of its title.
        var groupBoxes: [Box]
        var groupLabels: [Point]
    }

    let frame: Frame
    let nodes: [Node]
    let edges: [Edge]
    let groups: [Group]
    /// How much room between neighbours, as a multiple of what the labels need (grown
    /// when labels found no clean spot).
    var spread: Double = 1
    /// Room made where a label found no readable spot (`Skeleton.makeRoom`).
    var room = Room()
    /// Which ranks and order (`Variant`): a figure whose labels still read as another
    /// edge's in the usual layout is laid out again another way (`varied`).
    private(set) var variant = Variant.usual

    /// Other ways to rank and order the same graph. `unswept`: the walk's order (and the
    /// transposes), without the barycentre sweeps. `late`: every node but an output sits
    /// just before its first consumer (not just the inputs), so that a node feeding a far
    /// one does not run a long edge beside the others; in the usual order. `roomyGroups`:
    /// the usual ranks and order, each group's box wide enough across for the labels of
    /// the edges inside it (top to bottom, a value and gradient side by side can reach
    /// over the border), with what is outside kept clear of it.
    enum Variant: CaseIterable { case usual, unswept, late, roomyGroups }

    /// This layout with ranks and order made the `variant` way (from scratch: steps 1–3
    /// are cached per variant).
    func varied(_ variant: Variant) -> LayeredLayout {
        var copy = self
        copy.variant = variant
        copy.ordered = Ordered()
        return copy
    }

    /// Extra room, by place: more distance before an item from the one before it in
    /// its rank, and a longer gap after a rank. Items and ranks are numbered the same
    /// in every run of one layout (nothing before the order depends on the room).
    struct Room: Equatable {
        var beforeItem: [Int: Double] = [:]
        var afterRank: [Int: Double] = [:]
        /// Pairs of items of one rank that change places in the order (`Skeleton.trade`).
        var swaps: [[Int]] = []
        var isEmpty: Bool { beforeItem.isEmpty && afterRank.isEmpty && swaps.isEmpty }
    }

    // MARK: Frame

    private func along(_ n: Node) -> Double { frame == .leftToRight ? n.width : n.height }
    private func across(_ n: Node) -> Double { frame == .leftToRight ? n.height : n.width }
    private func labelAlong(_ e: Edge) -> Double { frame == .leftToRight ? e.labelWidth : e.labelHeight }
    private func labelAcross(_ e: Edge) -> Double { frame == .leftToRight ? e.labelHeight : e.labelWidth }
    private func toGraphviz(_ u: Double, _ v: Double) -> Point {
        frame == .leftToRight ? Point(u, -v) : Point(v, -u)
    }

    // MARK: Items

    struct Item {
        var node: Int?        // a real node
        var edge: Int?        // or a virtual item of this edge
        var rank: Int
        var extent: Double    // across
        var group: Int?
    }

    /// Where a polyline running along +u crosses u (its v there), if it does.
    static func crossing(_ poly: [Point], atU u: Double) -> Double? {
        for i in 1..<poly.count {
            let p = poly[i - 1], q = poly[i]
            if (p.x - u) * (q.x - u) <= 0, p.x != q.x { return p.y + (u - p.x) / (q.x - p.x) * (q.y - p.y) }
        }
        return nil
    }

    /// Whether a polyline runs in one gentle arc: no turn sharper than `sharpest`° within
    /// 6 pt, and not bending both ways by more than `bothWays`° each (an S).
    static func isGentle(_ poly: [Point], sharpest: Double = 16, bothWays: Double = 12) -> Bool {
        let b = bends(poly)
        return b.sharp <= sharpest && min(b.left, b.right) <= bothWays
    }

    /// How a polyline bends: its sharpest turn within 6 pt, and its total turning left
    /// and right, in degrees.
    static func bends(_ poly: [Point]) -> (sharp: Double, left: Double, right: Double) {
        // (In one pass, without arrays: the points kept, their turns and the sums of three
        // turns in a row come in the same order, with the same arithmetic.)
        var last = poly[0]
        var kept = 1
        var heading = 0.0  // of the segment into `last`
        var t1 = 0.0, t2 = 0.0  // the two turns before
        var turns = 0
        var left = 0.0, right = 0.0, sharp = 0.0
        for p in poly.dropFirst() {
            let d = p - last
            guard d.length >= 2 else { continue }
            let h = atan2(d.y, d.x)
            if kept >= 2 {
                var t = h - heading
                while t > .pi { t -= 2 * .pi }
                while t < -.pi { t += 2 * .pi }
                t = t * 180 / .pi
                if t > 0 { left += t } else { right -= t }
                turns += 1
                if turns >= 3 { sharp = max(sharp, abs(t2 + t1 + t)) }
                t2 = t1; t1 = t
            }
            heading = h
            last = p
            kept += 1
        }
        return (sharp, left, right)
    }

    /// How far a polyline is from gentle: its sharpest turn against a corner's 20°, or its
    /// lesser way of bending against an S's 15°, whichever is worse (over 1: a reader
    /// sees a corner or an S).
    static func bendiness(_ poly: [Point]) -> Double {
        let b = bends(poly)
        return max(b.sharp / 20, min(b.left, b.right) / 15)
    }

    /// Whether a curve as drawn shows a corner or an S the way a reader (and the quality
    /// measure) sees it: `bends` over it, the corners judged without the first and last
    /// two turns, where it meets a node's outline.
    static func kinked(_ poly: [Point]) -> Bool {
        guard let first = poly.first else { return false }
        var kept = [first]
        for p in poly.dropFirst() where (p - kept[kept.count - 1]).length >= 2 { kept.append(p) }
        let whole = bends(kept)
        if min(whole.left, whole.right) > 15 { return true }
        return kept.count > 6 && bends(Array(kept[2..<(kept.count - 2)])).sharp > 20
    }

    /// The layout, one step after another (each documented on `Skeleton`).
    func run() -> Result { skeleton().result() }

    /// Steps 1–3 (ranks, items, order) read neither `spread` nor `room`: they are run once
    /// per layout, and every later run (and copy of the layout) starts from their state.
    final class Ordered {
        var skeleton: Skeleton?
    }
    var ordered = Ordered()

    /// Steps 1–3, run once (`Ordered`).
    private func orderedSkeleton() -> Skeleton {
        if let done = ordered.skeleton { return done }
        var s = Skeleton(self)
        s.assignRanks()
        s.makeItems()
        s.orderItems()
        // (Kept with a copy of the layout that holds no cache: no cycle.)
        var bare = self
        bare.ordered = Ordered()
        s.layout = bare
        ordered.skeleton = s
        return s
    }

    /// Whether this layout ranks and orders the graph as `other` does (then a variant
    /// would only repeat the other's attempts).
    func ordersLike(_ other: LayeredLayout) -> Bool {
        let a = orderedSkeleton(), b = other.orderedSkeleton()
        return a.rank == b.rank && a.order == b.order
    }

    /// Every step run, the working state kept (for `Skeleton.makeRoom`).
    func skeleton() -> Skeleton {
        var s = orderedSkeleton()
        s.layout = self
        for pair in room.swaps { s.exchange(pair[0], pair[1]) }
        s.assignV()
        s.assignU()
        s.boxGroups()
        s.route()
        return s
    }
}

// MARK: - The steps

extension LayeredLayout {
    /// Room between a group's border and what it holds.
    static let margin = 10.0

    /// One run of the layout: its working state, in the (u, v) frame, and its steps. The
    /// steps run in order (`run()`), each filling in what the next ones read; a test can
    /// stop after any of them and look at its part.
    struct Skeleton {
        fileprivate(set) var layout: LayeredLayout
        let n: Int
        /// Per node: its edges in and out (in: in argument order).
        var inEdges: [[Int]]
        var outEdges: [[Int]]

        // 1. Ranks
        /// The nodes in topological order, spec order among the ready.
        var topo: [Int] = []
        /// Per node: its rank.
        var rank: [Int] = []
        var maxRank = 0

        // 2. Items
        var items: [Item] = []
        var itemOfNode: [Int] = []
        /// Per edge: its items, tail to head.
        var chain: [[Int]] = []
        /// Per group: the ranks it spans (lo > hi: none), and its items (spacers included).
        var groupRanks: [(lo: Int, hi: Int)] = []
        var groupItems: [[Int]] = []
        /// Per item: its neighbours in the rank before and after, with the argument place
        /// of the edge into the later one.
        var before: [[(item: Int, argument: Int)]] = []
        var after: [[(item: Int, argument: Int)]] = []

        // 3. Order
        /// Per rank: its items, in order along v.
        var order: [[Int]] = []
        /// Per item: its index in its rank (as a Double, for barycentres).
        var position: [Double] = []
        /// Per group: its place among the groups (their order, the same in every rank).
        var groupRank: [Double] = []
        /// Per rank: its nodes with more than one input.
        var headsOfRank: [[Int]] = []

        // 4. v
        /// Per item: its place across.
        var v: [Double] = []
        /// Per item: whether a labelled edge runs through it.
        var labelled: [Bool] = []
        /// Per item: `separation` from the item before it in its rank (0 for the first),
        /// worked out once in `assignV` (nothing it reads changes after the order).
        var separationBefore: [Double] = []
        /// Scratch rows for `relax`, kept between calls.
        private var scratchOld: [Double] = [], scratchTargets: [Double] = [], scratchWeights: [Double] = [],
                    scratchOffset: [Double] = [], scratchBlocks: [(weight: Double, sum: Double, count: Int)] = []
        /// Per group: where its box starts and ends across (`measureGroups()`).
        var groupTop: [Double] = []
        var groupBottom: [Double] = []

        // 5. u and group boxes
        /// Per rank: the longest node along, and the rank's place along u.
        var rankAlong: [Double] = []
        var u: [Double] = []
        /// Per group: its box (x is u, y is v).
        var boxes: [Box] = []

        // 6. Routes
        var centers: [Point] = []
        var obstacles: [(Int, Box)] = []
        var indexInRank: [Int] = []
        /// Per (tail · n + head): the edges between those two nodes.
        var siblings: [Int: [Int]] = [:]
        /// Per edge: its cubic Bézier route and where its labels best sit.
        var routes: [[Point]] = []
        var anchors: [Point] = []

        init(_ layout: LayeredLayout) {
            self.layout = layout
            let edges = layout.edges
            n = layout.nodes.count
            inEdges = [[Int]](repeating: [], count: n)
            outEdges = [[Int]](repeating: [], count: n)
            for (k, e) in edges.enumerated() { outEdges[e.from].append(k); inEdges[e.to].append(k) }
            for v in 0..<n { inEdges[v].sort { (edges[$0].argument, $0) < (edges[$1].argument, $1) } }
        }

        private var nodes: [Node] { layout.nodes }
        private var edges: [Edge] { layout.edges }
        private var groups: [Group] { layout.groups }
        private var frame: Frame { layout.frame }
        private var spread: Double { layout.spread }
        private var margin: Double { LayeredLayout.margin }
        /// The least room between two neighbours, besides their extents.
        private var gap: Double { 10.0 * spread }
        /// How far apart twins (x · x) are at their middle.
        private var twinGap: Double { 40.0 * spread }
        private func along(_ n: Node) -> Double { layout.along(n) }
        private func across(_ n: Node) -> Double { layout.across(n) }
        private func labelAlong(_ e: Edge) -> Double { layout.labelAlong(e) }
        private func labelAcross(_ e: Edge) -> Double { layout.labelAcross(e) }

        // MARK: 1. Ranks

        /// Step 1: each node's rank, the longest path from the inputs; an input (a node
        /// with no inputs) then moves up to just before its first consumer, so that a
        /// constant sits beside the node it feeds rather than far back at rank 0.
        mutating func assignRanks() {
            var indegree = inEdges.map(\.count)
            topo.reserveCapacity(n)
            var ready = (0..<n).filter { indegree[$0] == 0 }.reversed() as [Int]
            while let v = ready.popLast() {
                topo.append(v)
                var next: [Int] = []
                for k in outEdges[v] {
                    let w = edges[k].to
                    indegree[w] -= 1
                    if indegree[w] == 0 { next.append(w) }
                }
                ready.append(contentsOf: next.sorted().reversed())
            }
            if topo.count < n { for v in 0..<n where !topo.contains(v) { topo.append(v) } }
            rank = [Int](repeating: 0, count: n)
            for v in topo where !inEdges[v].isEmpty {
                rank[v] = inEdges[v].map { rank[edges[$0].from] + 1 }.max() ?? 0
            }
            let late = layout.variant == .late
            for v in topo.reversed() where (late || inEdges[v].isEmpty) && !outEdges[v].isEmpty {
                rank[v] = max(0, outEdges[v].map { rank[edges[$0].to] }.min()! - 1)
            }
            maxRank = rank.max() ?? 0
        }

        // MARK: 2. Items

        /// The room an edge's labels need across (or a thin line's, unlabelled).
        private func labelRoom(_ k: Int) -> Double {
            let e = edges[k]
            return e.labelWidth > 0 ? labelAcross(e) + 6 : 4
        }

        /// Step 2: what is ordered and placed in each rank. Every node is an item, as wide
        /// across as itself or its edges' labels; a long edge gets a virtual item per rank
        /// it crosses (a lane for it and its labels); a group gets a spacer in a rank it
        /// spans without an item, so its box is kept clear there too. Then each item's
        /// neighbours in the ranks before and after (a spacer's: its group's items there).
        mutating func makeItems() {
            itemOfNode = [Int](repeating: 0, count: n)
            // A node's own extent, or the room its edges' labels need beside it.
            for v in 0..<n {
                var extent = across(nodes[v])
                for k in inEdges[v] + outEdges[v] where edges[k].labelWidth > 0 { extent = max(extent, labelRoom(k)) }
                itemOfNode[v] = items.count
                items.append(Item(node: v, edge: nil, rank: rank[v], extent: extent, group: nodes[v].group))
            }
            chain = [[Int]](repeating: [], count: edges.count)
            for (k, e) in edges.enumerated() {
                var c = [itemOfNode[e.from]]
                let g = nodes[e.from].group != nil && nodes[e.from].group == nodes[e.to].group ? nodes[e.from].group : nil
                if rank[e.to] - rank[e.from] > 1 {
                    for r in (rank[e.from] + 1)..<rank[e.to] {
                        c.append(items.count)
                        items.append(Item(node: nil, edge: k, rank: r, extent: labelRoom(k), group: g))
                    }
                }
                c.append(itemOfNode[e.to])
                chain[k] = c
            }
            // A group's box spans its ranks: a rank it crosses without an item of its own
            // gets a spacer.
            groupRanks = [(lo: Int, hi: Int)](repeating: (Int.max, Int.min), count: groups.count)
            for item in items.indices { if let g = items[item].group { groupRanks[g] = (min(groupRanks[g].lo, items[item].rank), max(groupRanks[g].hi, items[item].rank)) } }
            groupItems = [[Int]](repeating: [], count: groups.count)   // per group, per rank: its items
            var byRank = [[Int: [Int]]](repeating: [:], count: groups.count)
            for item in items.indices { if let g = items[item].group { byRank[g][items[item].rank, default: []].append(item) } }
            for (g, span) in groupRanks.enumerated() where span.lo <= span.hi {
                for r in span.lo...span.hi where byRank[g][r] == nil {
                    byRank[g][r] = [items.count]
                    items.append(Item(node: nil, edge: nil, rank: r, extent: 0, group: g))
                }
                groupItems[g] = byRank[g].values.flatMap { $0 }
            }
            before = [[(item: Int, argument: Int)]](repeating: [], count: items.count)
            after = [[(item: Int, argument: Int)]](repeating: [], count: items.count)
            for (k, c) in chain.enumerated() {
                let place = inEdges[edges[k].to].firstIndex(of: k) ?? 0
                for i in 1..<c.count {
                    before[c[i]].append((c[i - 1], place))
                    after[c[i - 1]].append((c[i], place))
                }
            }
            // Spacers follow their group's items in the neighbouring ranks.
            for (g, span) in groupRanks.enumerated() where span.lo <= span.hi {
                for r in span.lo...span.hi {
                    for item in byRank[g][r]! where items[item].node == nil && items[item].edge == nil {
                        if r > span.lo { for o in byRank[g][r - 1]! { before[item].append((o, 0)); after[o].append((item, 0)) } }
                        if r < span.hi { for o in byRank[g][r + 1]! { after[item].append((o, 0)); before[o].append((item, 0)) } }
                    }
                }
            }
        }

        // MARK: 3. Order

        /// Step 3: the order of the items in each rank. A depth-first walk back from the
        /// sinks seeds it (inputs in argument order: a tree comes out crossing-free and in
        /// order); barycentre sweeps are kept only when they lower `cost()`, then
        /// neighbours are transposed while that lowers it. A group's items stay together,
        /// and the groups keep one order among themselves in every rank.
        mutating func orderItems() {
            seedOrder()
            headsOfRank = [[Int]](repeating: [], count: maxRank + 1)
            for v in 0..<n where inEdges[v].count > 1 { headsOfRank[rank[v]].append(v) }
            if items.count <= 3000 {
                if layout.variant != .unswept { sweepBarycentres() }
                if items.count <= 400 { transpose() }
            }
        }

        /// Sets `position` from `order`.
        private mutating func number() { for r in order.indices { for (i, item) in order[r].enumerated() { position[item] = Double(i) } } }

        /// The walk back from the sinks: a node, then for each input in argument order the
        /// edge's virtual items, nearest first, and the input's own inputs, before the next
        /// one (depth first by hand). Then the groups are ranked and made contiguous.
        private mutating func seedOrder() {
            order = [[Int]](repeating: [], count: maxRank + 1)
            var placed = [Bool](repeating: false, count: items.count)
            func put(_ item: Int) {
                if !placed[item] { placed[item] = true; order[items[item].rank].append(item) }
            }
            var stack: [(node: Int, next: Int)] = []
            let sinks = (0..<n).filter { outEdges[$0].isEmpty }
            for s in sinks.reversed() + topo.reversed() {
                guard !placed[itemOfNode[s]] else { continue }
                put(itemOfNode[s])
                stack.append((s, 0))
                while let top = stack.last {
                    guard top.next < inEdges[top.node].count else { stack.removeLast(); continue }
                    stack[stack.count - 1].next += 1
                    let k = inEdges[top.node][top.next]
                    for item in chain[k].dropFirst().dropLast().reversed() { put(item) }
                    let tail = edges[k].from
                    if !placed[itemOfNode[tail]] {
                        put(itemOfNode[tail])
                        stack.append((tail, 0))
                    }
                }
            }
            for i in items.indices { put(i) }
            position = [Double](repeating: 0, count: items.count)
            number()
            rankGroups()
            for r in order.indices { keepGroupsTogether(r) }
            number()
        }

        /// Groups keep one order among themselves in every rank (else their boxes could
        /// not all be kept apart): the order they have on average after the walk.
        private mutating func rankGroups() {
            var sum = [Double](repeating: 0, count: groups.count), count = sum
            for row in order where !row.isEmpty {
                for (i, item) in row.enumerated() { if let g = items[item].group { sum[g] += Double(i) / Double(row.count); count[g] += 1 } }
            }
            groupRank = groups.indices.map { count[$0] > 0 ? sum[$0] / count[$0] : 0 }
        }

        /// Rank r with each group's items together, where its first one is (keeping their
        /// order), and the groups' blocks in the groups' own order.
        private mutating func keepGroupsTogether(_ r: Int) {
            let items = self.items, position = self.position, groupRank = self.groupRank
            var firstOfGroup: [Int: Double] = [:]
            for item in order[r] { if let g = items[item].group, firstOfGroup[g] == nil { firstOfGroup[g] = position[item] } }
            guard !firstOfGroup.isEmpty else { return }
            order[r].sort { a, b in
                let ka = items[a].group.map { firstOfGroup[$0]! } ?? position[a]
                let kb = items[b].group.map { firstOfGroup[$0]! } ?? position[b]
                return (ka, position[a]) < (kb, position[b])
            }
            guard firstOfGroup.count > 1 else { return }
            var units: [[Int]] = []
            for item in order[r] {
                if let g = items[item].group, let last = units.last?.last, items[last].group == g { units[units.count - 1].append(item) }
                else { units.append([item]) }
            }
            let slots = units.indices.filter { items[units[$0][0]].group != nil }
            let blocks = slots.map { units[$0] }.sorted { (groupRank[items[$0[0]].group!], items[$0[0]].group!) < (groupRank[items[$1[0]].group!], items[$1[0]].group!) }
            for (slot, block) in zip(slots, blocks) { units[slot] = block }
            order[r] = units.flatMap { $0 }
        }

        /// Crossings between ranks r and r + 1: segments sorted by their upper end, then
        /// the inversions among their lower ends (a merge count, O(m log m)).
        func crossings(_ r: Int) -> Int {
            guard r >= 0, r < maxRank else { return 0 }
            var segments: [(Double, Double)] = []
            for item in order[r] { for (next, _) in after[item] { segments.append((position[item], position[next])) } }
            guard segments.count > 1 else { return 0 }
            segments.sort { $0 < $1 }
            var ends = segments.map(\.1), scratch = ends
            func count(_ lo: Int, _ hi: Int) -> Int {
                guard hi - lo > 1 else { return 0 }
                let mid = (lo + hi) / 2
                var total = count(lo, mid) + count(mid, hi)
                var i = lo, j = mid, k = lo
                while i < mid || j < hi {
                    if j >= hi || (i < mid && ends[i] <= ends[j]) { scratch[k] = ends[i]; i += 1 }
                    else { total += mid - i; scratch[k] = ends[j]; j += 1 }
                    k += 1
                }
                for x in lo..<hi { ends[x] = scratch[x] }
                return total
            }
            return count(0, ends.count)
        }

        /// Pairs of inputs of a node in rank r that reach it out of argument order.
        func inversions(_ r: Int) -> Int {
            guard r >= 0, r <= maxRank else { return 0 }
            var count = 0
            for v in headsOfRank[r] {
                let ends = inEdges[v].map { position[chain[$0][chain[$0].count - 2]] }
                for i in 0..<ends.count { for j in (i + 1)..<ends.count where ends[j] < ends[i] { count += 1 } }
            }
            return count
        }

        /// What the order step lowers: crossings, and ten per input out of order.
        func cost() -> Int {
            var total = 0
            for r in 0...maxRank { total += crossings(r) + 10 * inversions(r) }
            return total
        }

        /// The part of `cost()` that an order change within rank r can move.
        private func localCost(_ r: Int) -> Int { crossings(r - 1) + crossings(r) + 10 * inversions(r + 1) }

        /// Eight sweeps, alternately forward (each item at the mean place of its
        /// neighbours before) and backward (of those after, nudged by argument place);
        /// the order of the sweep with the lowest cost is kept, the walk's unless lower.
        private mutating func sweepBarycentres() {
            var best = (cost: cost(), order: order)
            for sweep in 0..<8 {
                let forward = sweep % 2 == 0
                let ranks = forward ? Array(1...max(1, maxRank)) : Array((0..<maxRank).reversed())
                for r in ranks where r <= maxRank {
                    var key: [Int: Double] = [:]
                    for item in order[r] {
                        let neighbours = forward ? before[item] : after[item]
                        if neighbours.isEmpty { key[item] = position[item]; continue }
                        var sum = 0.0
                        for (other, argument) in neighbours {
                            if forward { sum += position[other] }
                            else {
                                let count = Double(before[other].count)
                                sum += position[other] + (Double(argument) - (count - 1) / 2) * 0.4 / max(count, 1)
                            }
                        }
                        key[item] = sum / Double(neighbours.count)
                    }
                    let positions = position
                    order[r].sort { (key[$0]!, positions[$0]) < (key[$1]!, positions[$1]) }
                    for (i, item) in order[r].enumerated() { position[item] = Double(i) }
                    keepGroupsTogether(r)
                    for (i, item) in order[r].enumerated() { position[item] = Double(i) }
                }
                let c = cost()
                if c < best.cost { best = (c, order) }
            }
            order = best.order
            number()
        }

        /// Transpose: swap neighbours while that lowers crossings and inversions (a
        /// constant that is a node's first input moves above the other input when the
        /// walk put it below). Never splits a group, nor moves one group past another.
        private mutating func transpose() {
            var improved = true, rounds = 0
            while improved && rounds < 6 {
                improved = false; rounds += 1
                for r in order.indices where order[r].count > 1 {
                    var current = localCost(r)
                    for i in 0..<(order[r].count - 1) {
                        let a = order[r][i], b = order[r][i + 1]
                        if items[a].group != items[b].group, items[a].group != nil || items[b].group != nil { continue }
                        order[r].swapAt(i, i + 1); position[a] = Double(i + 1); position[b] = Double(i)
                        let c = localCost(r)
                        if c < current { current = c; improved = true }
                        else { order[r].swapAt(i, i + 1); position[a] = Double(i); position[b] = Double(i + 1) }
                    }
                }
            }
        }

        // MARK: 4. v

        /// Half an item's extent across, for boxes and obstacles (a virtual item: a line).
        func half(_ item: Int) -> Double { items[item].node.map { across(nodes[$0]) / 2 } ?? 2 }
        /// How far an item outside every group reaches across towards a group's box: itself,
        /// or the labels beside it of its edges that run outside the groups (they sit across
        /// from their edges; an edge into a group has its labels where it crosses in).
        func reach(_ item: Int) -> Double {
            var r = half(item)
            func outside(_ k: Int) -> Bool { edges[k].labelWidth > 0 && nodes[edges[k].from].group == nil && nodes[edges[k].to].group == nil }
            if let node = items[item].node {
                for k in inEdges[node] where outside(k) { r = max(r, labelRoom(k) / 2 * spread) }
                for k in outEdges[node] where outside(k) { r = max(r, labelRoom(k) / 2 * spread) }
            } else if let k = items[item].edge, outside(k) {
                r = max(r, labelRoom(k) / 2 * spread)
            }
            return r
        }

        /// Where each group's box starts and ends across, from the items' current places.
        /// `labels`: also around the labels of the edges inside each group, which sit across
        /// from their edges (for keeping groups apart: a box may grow to hold them).
        mutating func measureGroups(labels: Bool = false) {
            var inner = [[Int]](repeating: [], count: labels ? groups.count : 0)
            if labels {
                for (k, e) in edges.enumerated() where e.labelWidth > 0 {
                    if let g = nodes[e.from].group, nodes[e.to].group == g { inner[g].append(k) }
                }
            }
            for g in groups.indices {
                var lo = Double.infinity, hi = -Double.infinity
                for item in groupItems[g] { lo = min(lo, v[item] - half(item)); hi = max(hi, v[item] + half(item)) }
                for k in labels ? inner[g] : [] {
                    // (Roomy boxes: the value's and the gradient's sides as they are.)
                    let share = layout.variant == .roomyGroups ? edges[k].valueShare : 0.5
                    let before = labelAcross(edges[k]) * share, after = labelAcross(edges[k]) - before
                    for item in chain[k] { lo = min(lo, v[item] - before); hi = max(hi, v[item] + after) }
                }
                groupTop[g] = lo - margin - (frame == .leftToRight ? groups[g].labelHeight + 4 : 0)
                groupBottom[g] = hi + margin
            }
        }

        /// The least distance across between the centres of two neighbours a, b (a first).
        func separation(_ a: Int, _ b: Int) -> Double {
            let pad = (items[a].node == nil && items[b].node == nil) ? 4 * spread : gap
            var s = (items[a].extent + items[b].extent) / 2 * spread + pad
            // Two edges that leave one item (or enter one) together are only half as far
            // apart halfway along as at this end: twice the room, so their labels fit there.
            if labelled[a] && labelled[b],
               before[a].contains(where: { x in before[b].contains { $0.item == x.item } }) || after[a].contains(where: { x in after[b].contains { $0.item == x.item } }) {
                s = max(s, (items[a].extent + items[b].extent) * 0.7 * spread + pad)
            }
            let ga = items[a].group, gb = items[b].group
            if ga != gb {
                // Room for the borders between (and the title of a group that starts below).
                let title = gb.map { frame == .leftToRight ? groups[$0].labelHeight + 4 : 0 } ?? 0
                s = max(s, half(a) + half(b) + (ga == nil || gb == nil ? margin : 2 * margin) + 8 + title)
            }
            return s + (layout.room.beforeItem[b] ?? 0)
        }

        /// Step 4: each item's place across. Items start packed at their separations; then
        /// `relax` pulls each towards its neighbours under the order; groups that share
        /// ranks are moved apart (`separateGroups`) and, with groups, a second round keeps
        /// the groups' items where they are and pushes the rest out of the boxes.
        mutating func assignV() {
            v = [Double](repeating: 0, count: items.count)
            labelled = [Bool](repeating: false, count: items.count)
            for (k, c) in chain.enumerated() where edges[k].labelWidth > 0 { for item in c { labelled[item] = true } }
            groupTop = [Double](repeating: 0, count: groups.count)
            groupBottom = groupTop
            separationBefore = [Double](repeating: 0, count: items.count)
            for row in order { for i in row.indices.dropFirst() { separationBefore[row[i]] = separation(row[i - 1], row[i]) } }
            for r in order.indices {
                var at = 0.0
                for (i, item) in order[r].enumerated() {
                    if i > 0 { at += separationBefore[item] }
                    v[item] = at
                }
            }
            relax(groupsFixed: false)
            if groups.count > 1 { separateGroups() }
            if !groups.isEmpty {
                measureGroups(labels: layout.variant == .roomyGroups)
                relax(groupsFixed: true)
            }
        }

        /// Least squares under the order, for row[lo..<hi] (a run of neighbours in a rank),
        /// its targets and weights in `scratchTargets` and `scratchWeights` (from 0):
        /// minimise Σ weight·(v − target)² with each item at least its separation after the
        /// one before (pool adjacent violators), then keep the run between `lower` and
        /// `upper` (clipping an isotonic solution to bounds keeps it optimal). No array is
        /// made per call.
        private mutating func solve(_ row: [Int], _ lo: Int, _ hi: Int, lower: Double?, upper: Double?) {
            guard hi > lo else { return }
            let count = hi - lo
            var offset = [Double](), blocks = [(weight: Double, sum: Double, count: Int)]()
            swap(&offset, &scratchOffset); swap(&blocks, &scratchBlocks)
            defer { swap(&offset, &scratchOffset); swap(&blocks, &scratchBlocks) }
            offset.removeAll(keepingCapacity: true); blocks.removeAll(keepingCapacity: true)
            offset.append(0)
            for i in 1..<max(count, 1) { offset.append(offset[i - 1] + separationBefore[row[lo + i]]) }
            for i in 0..<count {
                let weight = scratchWeights[i]
                blocks.append((weight, weight * (scratchTargets[i] - offset[i]), 1))
                while blocks.count > 1 {
                    let b = blocks[blocks.count - 1], a = blocks[blocks.count - 2]
                    guard a.sum / a.weight > b.sum / b.weight else { break }
                    blocks.removeLast(2)
                    blocks.append((a.weight + b.weight, a.sum + b.sum, a.count + b.count))
                }
            }
            var i = 0
            for b in blocks {
                let z = b.sum / b.weight
                for _ in 0..<b.count { v[row[lo + i]] = z + offset[i]; i += 1 }
            }
            // (Room for the labels beside a box too, where the run fits between its boxes with it.)
            var first = 0.0, last = 0.0
            if lower != nil || upper != nil {
                (first, last) = (reach(row[lo]), reach(row[hi - 1]))
                if let lower, let upper, lower + first + offset[count - 1] + last > upper { (first, last) = (half(row[lo]), half(row[hi - 1])) }
            }
            if let lower {
                v[row[lo]] = max(v[row[lo]], lower + first)
                for i in 1..<max(count, 1) { v[row[lo + i]] = max(v[row[lo + i]], v[row[lo + i - 1]] + offset[i] - offset[i - 1]) }
            }
            if let upper {
                v[row[hi - 1]] = min(v[row[hi - 1]], upper - last)
                for i in stride(from: count - 2, through: 0, by: -1) { v[row[lo + i]] = min(v[row[lo + i]], v[row[lo + i + 1]] - (offset[i + 1] - offset[i])) }
            }
        }

        /// A segment between two virtual items of one long edge pulls harder, so long
        /// edges run straight.
        private func segmentWeight(_ a: Int, _ b: Int) -> Double { items[a].node == nil && items[b].node == nil ? 4 : (items[a].node == nil || items[b].node == nil ? 2 : 1) }

        /// Where an item's neighbours pull it (their weighted mean), and how hard.
        private func target(_ item: Int) -> (Double, Double) {
            var sum = 0.0, count = 0.0
            for (o, _) in before[item] { let w = segmentWeight(item, o); sum += w * v[o]; count += w }
            for (o, _) in after[item] { let w = segmentWeight(item, o); sum += w * v[o]; count += w }
            return (count > 0 ? sum / count : v[item], max(count, 0.01))
        }

        /// Block coordinate descent on Σ weight·(v(a) − v(b))² over the edges' segments,
        /// one rank at a time, each solved exactly under its order and separations: it
        /// converges to the straightest drawing the order allows. With `groupsFixed`, the
        /// groups' items stay where they are and each run of the rest between two boxes is
        /// solved for, kept outside both (`lower`, `upper`).
        private mutating func relax(groupsFixed: Bool) {
            let passes = items.count <= 3000 ? 40 : 8
            // (Targets, weights and old places in scratch rows, not arrays per rank and pass.)
            func targets(_ row: [Int], _ lo: Int, _ hi: Int) {
                scratchTargets.removeAll(keepingCapacity: true); scratchWeights.removeAll(keepingCapacity: true)
                for i in lo..<hi { let (t, w) = target(row[i]); scratchTargets.append(t); scratchWeights.append(w) }
            }
            for pass in 0..<passes {
                var change = 0.0
                let ranks = order.count
                for step in 0..<ranks {
                    let r = pass % 2 == 0 ? step : ranks - 1 - step
                    let row = order[r]
                    scratchOld.removeAll(keepingCapacity: true)
                    for item in row { scratchOld.append(v[item]) }
                    if !groupsFixed {
                        targets(row, 0, row.count)
                        solve(row, 0, row.count, lower: nil, upper: nil)
                    } else {
                        var i = 0
                        while i < row.count {
                            guard items[row[i]].group == nil else { i += 1; continue }
                            var j = i
                            while j < row.count, items[row[j]].group == nil { j += 1 }
                            // (Room made beside a box counts from the box.)
                            let lower = i > 0 ? items[row[i - 1]].group.map { groupBottom[$0] + 8 + (layout.room.beforeItem[row[i]] ?? 0) } : nil
                            let upper = j < row.count ? items[row[j]].group.map { groupTop[$0] - 8 - (layout.room.beforeItem[row[j]] ?? 0) } : nil
                            targets(row, i, j)
                            solve(row, i, j, lower: lower, upper: upper)
                            i = j
                        }
                    }
                    for (i, item) in row.enumerated() { change = max(change, abs(v[item] - scratchOld[i])) }
                }
                if change < 0.25 { break }
            }
        }

        /// Groups that share ranks: each box below the ones before it in the groups' order,
        /// moving it (and what follows it in its ranks) down as a whole.
        private mutating func separateGroups() {
            measureGroups(labels: true)
            let sorted = groups.indices.sorted { (groupRank[$0], $0) < (groupRank[$1], $1) }
            for (i, g2) in sorted.enumerated() where groupRanks[g2].lo <= groupRanks[g2].hi {
                var need = 0.0
                for g1 in sorted[..<i] where groupRanks[g1].lo <= groupRanks[g2].hi && groupRanks[g2].lo <= groupRanks[g1].hi {
                    need = max(need, groupBottom[g1] + 8 - groupTop[g2])
                    // Items of no group between the two boxes in a rank they share need the
                    // room between the borders too (else they end up inside a box).
                    for r in max(groupRanks[g1].lo, groupRanks[g2].lo)...min(groupRanks[g1].hi, groupRanks[g2].hi) {
                        let row = order[r]
                        guard let end = row.lastIndex(where: { items[$0].group == g1 }),
                              let start = row.firstIndex(where: { items[$0].group == g2 }), end + 1 < start,
                              row[(end + 1)..<start].allSatisfy({ items[$0].group == nil }) else { continue }
                        var run = reach(row[end + 1]) + reach(row[start - 1]) + (layout.room.beforeItem[row[end + 1]] ?? 0)
                            + (layout.room.beforeItem[row[start]] ?? 0)
                        for x in (end + 2)..<start { run += separationBefore[row[x]] }
                        need = max(need, groupBottom[g1] + 8 + run + 8 - groupTop[g2])
                    }
                }
                guard need > 0 else { continue }
                for r in groupRanks[g2].lo...groupRanks[g2].hi {
                    guard let first = order[r].firstIndex(where: { items[$0].group == g2 }) else { continue }
                    for item in order[r][first...] { v[item] += need }
                }
                measureGroups(labels: true)
            }
        }

        // MARK: 5. u and group boxes

        /// Step 5: each rank's place along. The gap after a rank is as wide as what sits in
        /// it: the labels of the edges given room there (a long edge's in its middle gap),
        /// a group's border (and title) reaching in, twins' arcs, and a steep fan-out's
        /// labels, which sit where its edges have spread apart.
        mutating func assignU() {
            rankAlong = [Double](repeating: 0, count: maxRank + 1)
            for v in 0..<n { rankAlong[rank[v]] = max(rankAlong[rank[v]], along(nodes[v])) }
            var room = [Double](repeating: 24, count: max(maxRank, 1))
            for e in edges where e.labelWidth > 0 {
                let span = rank[e.to] - rank[e.from]
                let g = rank[e.from] + (span - 1) / 2
                if g < room.count { room[g] = max(room[g], labelAlong(e) * spread + 26) }
            }
            // A group's border (and, top to bottom, its title) reaches into the gaps before
            // and after its ranks: the labels there need their room besides.
            var intrusion = [Double](repeating: 0, count: room.count)
            for (g, span) in groupRanks.enumerated() where span.lo <= span.hi {
                if span.hi < maxRank { intrusion[span.hi] += margin + 4 }
                if span.lo > 0, span.lo <= maxRank { intrusion[span.lo - 1] += margin + 4 + (frame == .topToBottom ? groups[g].labelHeight + 4 : 0) }
            }
            for g in room.indices { room[g] += intrusion[g] + (layout.room.afterRank[g] ?? 0) }
            // Twins (x · x) arc apart, and their arcs must stay gentle: a wider gap.
            let twinGap = self.twinGap
            var twinCount: [Int: Int] = [:]
            for e in edges { twinCount[e.from * n + e.to, default: 0] += 1 }
            for e in edges where twinCount[e.from * n + e.to]! > 1 {
                let g = rank[e.from] + (rank[e.to] - rank[e.from] - 1) / 2
                if g < room.count { room[g] = max(room[g], labelAlong(e) * spread + 2.2 * twinGap * Double(twinCount[e.from * n + e.to]! - 1) + 30) }
            }
            // Steep edges (a fan-out) need a wider gap: their labels sit where the edges
            // have spread apart, towards the heads.
            for (k, e) in edges.enumerated() where e.labelWidth > 0 && rank[e.to] - rank[e.from] == 1 {
                let dv = abs(v[chain[k][1]] - v[chain[k][0]])
                room[rank[e.from]] = max(room[rank[e.from]], min(0.45 * dv, 160) * spread)
            }
            u = [Double](repeating: 0, count: maxRank + 1)
            for r in 0..<maxRank { u[r + 1] = u[r] + rankAlong[r] / 2 + rankAlong[r + 1] / 2 + room[r] }
        }

        /// Step 5, continued: each group's box around its items (across, as measured for
        /// the relaxation, title included left to right), wide enough for its title.
        mutating func boxGroups() {
            measureGroups(labels: layout.variant == .roomyGroups)
            boxes = [Box](repeating: Box(minX: 0, minY: 0, maxX: 0, maxY: 0), count: groups.count)
            for g in groups.indices where groupRanks[g].lo <= groupRanks[g].hi {
                var start = Double.infinity, end = -Double.infinity
                for item in groupItems[g] {
                    let a = items[item].node.map { along(nodes[$0]) / 2 } ?? 0
                    start = min(start, u[items[item].rank] - a); end = max(end, u[items[item].rank] + a)
                }
                // (In this frame a box's x is u and its y is v.)
                var box = Box(minX: start - margin, minY: groupTop[g], maxX: end + margin, maxY: groupBottom[g])
                if frame == .topToBottom { box.minX -= groups[g].labelHeight + 4 }
                let titleRoom = groups[g].labelWidth + 2 * margin
                if frame == .leftToRight, box.width < titleRoom {
                    let mid = (box.minX + box.maxX) / 2; box.minX = mid - titleRoom / 2; box.maxX = mid + titleRoom / 2
                }
                if frame == .topToBottom, box.height < titleRoom {
                    let mid = (box.minY + box.maxY) / 2; box.minY = mid - titleRoom / 2; box.maxY = mid + titleRoom / 2
                }
                boxes[g] = box
            }
        }

        // MARK: 6. Routes

        /// Step 6: each edge's route from its tail's centre to its head's
        /// (`makeRoute`), then ports for the inputs of a node that would arrive out of
        /// argument order (`arriveInArgumentOrder`), then each edge's label anchor.
        mutating func route() {
            centers = [Point](repeating: Point(0, 0), count: n)
            for node in 0..<n { centers[node] = Point(u[rank[node]], v[itemOfNode[node]]) }
            obstacles = []
            for node in 0..<n {
                let w = along(nodes[node]), h = across(nodes[node])
                obstacles.append((node, Box(center: centers[node], width: w + 6, height: h + 6)))
            }
            indexInRank = [Int](repeating: 0, count: items.count)
            for row in order { for (i, item) in row.enumerated() { indexInRank[item] = i } }
            // Edges between the same two nodes are spread into arcs, the first argument on top.
            siblings = [:]
            for (k, e) in edges.enumerated() { siblings[e.from * n + e.to, default: []].append(k) }
            routes = [[Point]](repeating: [], count: edges.count)
            anchors = [Point](repeating: Point(0, 0), count: edges.count)
            for k in edges.indices { routes[k] = makeRoute(k, to: centers[edges[k].to]) }
            arriveInArgumentOrder()
            anchorLabels()
        }

        /// Whether a polyline keeps clear of every node but the edge's own two.
        private func clear(_ polyline: [Point], _ e: Edge) -> Bool {
            var lo = polyline[0], hi = polyline[0]
            for p in polyline { lo = Point(min(lo.x, p.x), min(lo.y, p.y)); hi = Point(max(hi.x, p.x), max(hi.y, p.y)) }
            for (node, box) in obstacles where node != e.from && node != e.to
                && box.maxX >= lo.x && box.minX <= hi.x && box.maxY >= lo.y && box.minY <= hi.y {
                for i in 1..<polyline.count where box.clippedLength(polyline[i - 1], polyline[i]) > 0 { return false }
            }
            return true
        }

        /// A smooth curve through points (Catmull–Rom, as cubic Bézier pieces).
        private func smooth(_ pts: [Point]) -> [Point] {
            var controls = [pts[0]]
            for i in 0..<(pts.count - 1) {
                let p0 = pts[max(i - 1, 0)], p1 = pts[i], p2 = pts[i + 1], p3 = pts[min(i + 2, pts.count - 1)]
                controls += [p1 + (p2 - p0) * (1.0 / 6), p2 - (p3 - p1) * (1.0 / 6), p2]
            }
            return controls
        }

        /// Edge k's route to b: twins bulge apart in arcs; a long edge runs through the
        /// lane its virtual items kept free when that is smooth and clear, else the gentle
        /// clear option that strays least out of the lane; else the straight line, when
        /// clear; else the gentlest clear arc; else the lane anyway.
        func makeRoute(_ k: Int, to b: Point) -> [Point] {
            let e = edges[k]
            let a = centers[e.from]
            let twins = siblings[e.from * n + e.to]!
            let twin = Double(twins.firstIndex(of: k)!) - Double(twins.count - 1) / 2
            func arc(_ bulge: Double) -> [Point] {
                let d = b - a, len = max(d.length, 1e-9)
                let normal = Point(-d.y / len, d.x / len)   // towards +v for a left-to-right edge
                let c = Point((a.x + b.x) / 2, (a.y + b.y) / 2) + normal * bulge
                return [a, a + (c - a) * (2.0 / 3), b + (c - b) * (2.0 / 3), b]
            }
            // Twins bulge apart: their curves are `twinGap` apart at the middle.
            guard twins.count == 1 else { return arc(twin * 2 * twinGap) }
            // A long edge runs through the lane its virtual items kept free for it and its
            // labels, when that is one smooth curve clear of the nodes.
            let virtuals = Array(chain[k].dropFirst().dropLast())
            let lane = virtuals.map { Point(u[items[$0].rank], v[$0]) }
            let straight = [a, a + (b - a) * (1.0 / 3), a + (b - a) * (2.0 / 3), b]
            var options: [(route: [Point], poly: [Point])] = []
            if !lane.isEmpty {
                // The straightest line within the lane first: a taut string between the
                // neighbours' room at every rank it crosses, smoothed.
                let tight = smooth([a] + taut(virtuals, from: a, to: b) + [b])
                let tightPoly = sampleBezier(tight, steps: 16)
                if clear(tightPoly, e), LayeredLayout.isGentle(tightPoly) { return tight }
                let curve = smooth([a] + lane + [b])
                let poly = sampleBezier(curve, steps: 16)
                if clear(poly, e), LayeredLayout.isGentle(poly) { return curve }
                // Else the gentle curve that strays least out of the lane (between the
                // neighbours its virtual items were kept apart from at every rank it
                // crosses: their labels sit there), clear of the nodes: the straight
                // line, the lane pulled towards it, or a single arc.
                options = [(straight, [a, b])]
                for t in stride(from: 0.1, through: 0.9, by: 0.1) {
                    // Lane points pulled towards the straight line.
                    let pulled = lane.map { p -> Point in
                        let line = a + (b - a) * ((p.x - a.x) / max(b.x - a.x, 1e-9))
                        return p + (line - p) * t
                    }
                    let route = smooth([a] + pulled + [b])
                    options.append((route, sampleBezier(route, steps: 16)))
                }
                for step in [8.0, 16, 24, 36, 48] {
                    for side in [1.0, -1.0] { let route = arc(side * step * 2); options.append((route, sampleBezier(route, steps: 16))) }
                }
                // How far a curve strays out of the lane, summed over the ranks it crosses.
                func strays(_ poly: [Point]) -> Double {
                    var out = 0.0
                    for x in virtuals {
                        let r = items[x].rank, i = indexInRank[x]
                        guard let at = LayeredLayout.crossing(poly, atU: u[r]) else { return .infinity }
                        if i > 0 { out += max(0, v[order[r][i - 1]] + separationBefore[x] - 1 - at) }
                        if i + 1 < order[r].count { out += max(0, at - (v[order[r][i + 1]] - separationBefore[order[r][i + 1]] + 1)) }
                    }
                    return out
                }
                // The candidate clear of the nodes and gentle enough that strays least (by more
                // than `margin` than the best so far).
                var best: (route: [Point], strays: Double)?
                func consider(_ candidates: ArraySlice<(route: [Point], poly: [Point])>, sharpest: Double, bothWays: Double, margin: Double) {
                    for option in candidates where clear(option.poly, e)
                        && LayeredLayout.isGentle(option.poly, sharpest: sharpest, bothWays: bothWays) {
                        let s = strays(option.poly)
                        if best == nil || s < best!.strays - margin { best = (option.route, s) }
                    }
                }
                consider(options[...], sharpest: 16, bothWays: 12, margin: 0.5)
                // A curve that strays far out of its lane runs through its neighbours' label
                // room: then a lane curve that bends a little more (still short of a corner or
                // an S a reader sees: 20° within 6 pt, 15° both ways) is the better edge.
                if best == nil || best!.strays > 2 {
                    consider(([(curve, poly)] + options.dropFirst())[...], sharpest: 18.5, bothWays: 13.5, margin: 4)
                }
                if let best { return best.route }
            }
            if clear([a, b], e) { return straight }
            // Bulge towards where the virtual items are: the first arc clear of the nodes
            // and gentle; else, of those clear and the lane, the least bent.
            let mid = chain[k].dropFirst().dropLast().map { v[$0] }
            let lineV = (a.y + b.y) / 2
            let side: Double = mid.isEmpty ? 1 : ((mid.reduce(0, +) / Double(mid.count)) >= lineV ? 1 : -1)
            let laneCurve = smooth([a] + lane + [b])
            var fallback: (route: [Point], bendiness: Double) = (laneCurve, LayeredLayout.bendiness(sampleBezier(laneCurve, steps: 16)))
            for option in options.dropFirst() where clear(option.poly, e) {
                let bent = LayeredLayout.bendiness(option.poly)
                if bent < fallback.bendiness { fallback = (option.route, bent) }
            }
            for step in [12.0, 24, 36, 48, 64, 80, 100, 130] {
                for s in [side, -side] {
                    let candidate = arc(s * step * 2), poly = sampleBezier(candidate, steps: 16)
                    guard clear(poly, e) else { continue }
                    let bent = LayeredLayout.bendiness(poly)
                    if bent <= 0.92 { return candidate }
                    if bent < fallback.bendiness { fallback = (candidate, bent) }
                }
            }
            return fallback.route
        }

        /// The points of the shortest line from a to b through the lane of virtual items
        /// `virtuals` (one per rank): at each rank it stays between the neighbours' room
        /// (their separations), so it strays from no neighbour's labels, but bends only
        /// where the lane makes it. (Gauss–Seidel on the line's straightness under those
        /// bounds: a convex problem, so it settles on the taut string.)
        func taut(_ virtuals: [Int], from a: Point, to b: Point) -> [Point] {
            let us = virtuals.map { u[items[$0].rank] }
            var lo = [Double](), hi = [Double]()
            // (A neighbour that is another edge's lane may move towards this one as far:
            // each of the two takes half the room between them, so they never close in.)
            for x in virtuals {
                let r = items[x].rank, i = indexInRank[x]
                if i > 0 {
                    let y = order[r][i - 1], bound = v[y] + separationBefore[x]
                    lo.append(items[y].node == nil && items[y].edge != nil ? min(v[x], (bound + v[x]) / 2) : bound)
                } else { lo.append(-.infinity) }
                if i + 1 < order[r].count {
                    let y = order[r][i + 1], bound = v[y] - separationBefore[y]
                    hi.append(items[y].node == nil && items[y].edge != nil ? max(v[x], (bound + v[x]) / 2) : bound)
                } else { hi.append(.infinity) }
            }
            var vs = virtuals.map { v[$0] }
            for _ in 0..<60 {
                var change = 0.0
                for i in vs.indices {
                    let u0 = i == 0 ? a.x : us[i - 1], v0 = i == 0 ? a.y : vs[i - 1]
                    let u1 = i == vs.count - 1 ? b.x : us[i + 1], v1 = i == vs.count - 1 ? b.y : vs[i + 1]
                    let t = u1 > u0 ? (us[i] - u0) / (u1 - u0) : 0.5
                    let next = min(max(v0 + (v1 - v0) * t, min(lo[i], vs[i])), max(hi[i], vs[i]))
                    change = max(change, abs(next - vs[i]))
                    vs[i] = next
                }
                if change < 0.05 { break }
            }
            return zip(us, vs).map { Point($0, $1) }
        }

        /// A node's inputs arrive in argument order. Where the routes would not, each
        /// input arrives at a port on the node's near side, handed out in argument order
        /// (first on top), along a single arc.
        private mutating func arriveInArgumentOrder() {
            for h in 0..<n where inEdges[h].count > 1 {
                let c = centers[h]
                let halfAlong = along(nodes[h]) / 2, halfAcross = across(nodes[h]) / 2
                // Where an edge reaches the node: read along v (first on top), or along u
                // (first before) where the ends spread further that way (inputs that all
                // come in from above).
                func arrival(_ route: [Point]) -> Point {
                    let from = route[route.count - 2], d = from - c, len = max(d.length, 1e-9)
                    return Point(c.x + d.x / len * (halfAlong + 8), c.y + d.y / len * (halfAcross + 8))
                }
                let ks = inEdges[h]
                let ends = ks.map { arrival(routes[$0]) }
                // (Closures, not key paths: a key path is read through the runtime.)
                let spreadU = (ends.map { $0.x }.max() ?? 0) - (ends.map { $0.x }.min() ?? 0)
                let spreadV = (ends.map { $0.y }.max() ?? 0) - (ends.map { $0.y }.min() ?? 0)
                // (Either way where the ends spread about as far both ways: a reader, like
                // the quality measure, may read either.)
                func outOfOrder(_ xs: [Double]) -> Bool { zip(xs, xs.dropFirst()).contains { $1 < $0 - 0.5 } }
                let checkV = spreadV * 1.5 >= spreadU, checkU = spreadU * 1.5 >= spreadV
                guard (checkV && outOfOrder(ends.map { $0.y })) || (checkU && outOfOrder(ends.map { $0.x })) else { continue }
                let count = Double(ks.count)
                let step = min(0.55 * halfAcross, 1.3 * halfAcross / (count - 1))
                for (i, k) in ks.enumerated() {
                    let dv = (Double(i) - (count - 1) / 2) * step
                    let t = dv / max(halfAcross, 1e-9)
                    // (On the node's outline: Graphviz clips an edge where it enters the
                    // node, so an end inside it would be cut off wherever the curve crosses
                    // the outline, and a steep input from below could end above the next.)
                    let port = Point(c.x - halfAlong * (1 - t * t).squareRoot(), c.y + dv)
                    // It comes in halfway between head-on and straight from where it was,
                    // so a steep input turns gently, not in a corner. A long edge keeps its
                    // route up to its last rank, so it stays in its lane (off the nodes and
                    // the labels there), and only its last stretch goes to the port.
                    let a = centers[edges[k].from]
                    let poly = sampleBezier(routes[k], steps: 16)
                    let through = chain[k].dropFirst().dropLast().compactMap { x -> Point? in
                        LayeredLayout.crossing(poly, atU: u[items[x].rank]).map { Point(u[items[x].rank], $0) }
                    }
                    func toPort(through: [Point]) -> [Point] {
                        let last = through.last ?? a, chord = port - last, length = max(chord.length, 1e-9)
                        let w = chord * (1 / length) + Point(1, 0), wl = max(w.length, 1e-9)
                        var route = through.isEmpty ? [a, a + chord * (1.0 / 3), port, port] : smooth([a] + through + [port])
                        route[route.count - 2] = port - w * (length / 3 / wl)
                        return route
                    }
                    // (The one through the lane when it turns gently and keeps off the other
                    // nodes; else the single arc to the port, when that keeps off them (an
                    // edge through another node reads as that node's); else the lane's when
                    // gentle, the arc when not.)
                    let kept = toPort(through: through)
                    if through.isEmpty { routes[k] = kept; continue }
                    let direct = toPort(through: [])
                    let keptPoly = sampleBezier(kept, steps: 16, chord: 20)
                    routes[k] = LayeredLayout.bendiness(keptPoly) <= 0.92
                        && (clear(keptPoly, edges[k]) || !clear(sampleBezier(direct, steps: 16, chord: 20), edges[k])) ? kept : direct
                }
            }
        }

        /// Labels best sit in the middle of the gap the edge was given room in: the
        /// point of its route nearest to that along u.
        private mutating func anchorLabels() {
            for (k, e) in edges.enumerated() {
                let a = centers[e.from], b = centers[e.to]
                let span = rank[e.to] - rank[e.from]
                let g = rank[e.from] + (span - 1) / 2
                let target = g < maxRank ? (u[g] + rankAlong[g] / 2 + u[g + 1] - rankAlong[g + 1] / 2) / 2 : (a.x + b.x) / 2
                let poly = sampleBezier(routes[k], steps: 16)
                anchors[k] = poly.min { abs($0.x - target) < abs($1.x - target) } ?? a
            }
        }

        // MARK: 7. Room

        /// Where room made for a label of edge `k` at `p` (Graphviz coordinates) against
        /// edge `j` did not part them: their items in a rank beside the label's gap change
        /// places (`Room.swaps`), where that puts no input out of argument order and keeps
        /// groups together. Whether a swap was added.
        func trade(for k: Int, against j: Int, at p: Point, into room: inout Room) -> Bool {
            guard let g = gap(of: k, at: p) else { return false }
            for r in [g, g + 1] {
                guard let a = item(of: k, at: r), let b = item(of: j, at: r), a != b, items[a].group == items[b].group,
                      !room.swaps.contains([min(a, b), max(a, b)]) else { continue }
                // (Places in rank r order only the inputs of nodes in rank r + 1.)
                var trial = self
                trial.exchange(a, b)
                guard trial.inversions(r + 1) <= inversions(r + 1) else { continue }
                room.swaps.append([min(a, b), max(a, b)])
                return true
            }
            return false
        }

        /// Items `a` and `b` of one rank change places in its order.
        mutating func exchange(_ a: Int, _ b: Int) {
            let r = items[a].rank
            guard items[b].rank == r, let i = order[r].firstIndex(of: a), let j = order[r].firstIndex(of: b) else { return }
            order[r].swapAt(i, j)
            position[a] = Double(j); position[b] = Double(i)
        }

        /// Room for a label of edge `k` at `p` (Graphviz coordinates) that found no spot
        /// where it reads as its own edge's, because edge `j` runs as near: in the gap
        /// the label sits in, edges that leave one item together are moved apart at
        /// their heads (and those that meet, at their tails); edges that cross there get
        /// a longer gap, so the label can sit farther from the crossing; edges that just
        /// run close are moved apart at both ends. `longer` > 0 (room made for these two
        /// before did not part them): the gap also gets longer, by that many steps.
        func makeRoom(for k: Int, against j: Int, at p: Point, longer: Double = 0, into room: inout Room) {
            let e = edges[k]
            guard let g = gap(of: k, at: p) else { return }
            let ka = item(of: k, at: g)!, kb = item(of: k, at: g + 1)!
            let ja = item(of: j, at: g), jb = item(of: j, at: g + 1)
            let delta = labelAcross(e) + 12
            func apart(_ x: Int, _ y: Int, _ r: Int) {
                let i = indexInRank[x], i2 = indexInRank[y]
                guard i != i2 else { return }
                room.beforeItem[order[r][min(i, i2) + 1], default: 0] += delta
            }
            if longer > 0 { room.afterRank[g, default: 0] += (labelAlong(e) / 2 + 12) * longer }
            if ja == ka, let jb { apart(kb, jb, g + 1); return }
            if jb == kb, let ja { apart(ka, ja, g); return }
            if let ja, let jb, (indexInRank[ka] < indexInRank[ja]) != (indexInRank[kb] < indexInRank[jb]) {
                if longer == 0 { room.afterRank[g, default: 0] += labelAlong(e) / 2 + 12 }
                return
            }
            if let ja { apart(ka, ja, g) }
            if let jb { apart(kb, jb, g + 1) }
        }

        /// Room for a label of edge `k` at `p` (Graphviz coordinates) that found no spot
        /// off the nodes and the other labels: the gap it sits in gets longer, by `times`
        /// steps.
        func lengthen(_ k: Int, at p: Point, times: Double, into room: inout Room) {
            guard let g = gap(of: k, at: p) else { return }
            room.afterRank[g, default: 0] += (labelAlong(edges[k]) / 2 + 12) * times
        }

        /// Edge `edge`'s item in rank r, if it spans it.
        private func item(of edge: Int, at r: Int) -> Int? {
            let lo = rank[edges[edge].from], hi = rank[edges[edge].to]
            return r >= lo && r <= hi ? chain[edge][r - lo] : nil
        }

        /// The gap between ranks (numbered by the rank before it) that edge k crosses at `p`.
        private func gap(of k: Int, at p: Point) -> Int? {
            let e = edges[k]
            let pu = frame == .leftToRight ? p.x : -p.y
            let r0 = rank[e.from], r1 = rank[e.to]
            guard r1 > r0 else { return nil }
            var g = r0
            while g + 1 < r1 && u[g + 1] <= pu { g += 1 }
            return g
        }

        // MARK: To Graphviz

        /// Everything mapped from (u, v) to Graphviz coordinates.
        func result() -> Result {
            func map(_ p: Point) -> Point { layout.toGraphviz(p.x, p.y) }
            func map(_ b: Box) -> Box {
                let p = map(Point(b.minX, b.minY)), q = map(Point(b.maxX, b.maxY))
                return Box(minX: min(p.x, q.x), minY: min(p.y, q.y), maxX: max(p.x, q.x), maxY: max(p.y, q.y))
            }
            let groupLabels = boxes.enumerated().map { g, box -> Point in
                frame == .leftToRight
                    ? map(Point((box.minX + box.maxX) / 2, box.minY + 4 + groups[g].labelHeight / 2))
                    : map(Point(box.minX + 4 + groups[g].labelHeight / 2, (box.minY + box.maxY) / 2))
            }
            return Result(centers: centers.map(map), routes: routes.map { $0.map(map) }, labelAnchors: anchors.map(map),
                          groupBoxes: boxes.map(map), groupLabels: groupLabels)
        }
    }
}
