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
/// 1. ranks: longest path from the inputs; an input sits just before its first consumer;
/// 2. long edges get one virtual item per rank they cross;
/// 3. order: a depth-first walk back from the output, inputs in argument order (a tree
///    comes out crossing-free and in order), then barycentre sweeps kept only when
///    they lower crossings and argument-order inversions; a group's items stay together;
/// 4. v: each item pulled towards its neighbours, rank by rank, and projected onto the
///    rank's order with the separations its labels need (isotonic regression); then
///    items that are not a group's are pushed out of its box;
/// 5. u: each gap between ranks as wide as the labels that sit in it;
/// 6. routes: a straight line between centres, else the gentlest single arc that
///    clears every node, else a smooth curve through the virtual items.
struct LayeredLayout {
    enum Frame { case leftToRight, topToBottom }

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

    // MARK: Frame

    private func along(_ n: Node) -> Double { frame == .leftToRight ? n.width : n.height }
    private func across(_ n: Node) -> Double { frame == .leftToRight ? n.height : n.width }
    private func labelAlong(_ e: Edge) -> Double { frame == .leftToRight ? e.labelWidth : e.labelHeight }
    private func labelAcross(_ e: Edge) -> Double { frame == .leftToRight ? e.labelHeight : e.labelWidth }
    private func toGraphviz(_ u: Double, _ v: Double) -> Point {
        frame == .leftToRight ? Point(u, -v) : Point(v, -u)
    }

    // MARK: Items

    private struct Item {
        var node: Int?        // a real node
        var edge: Int?        // or a virtual item of this edge
        var rank: Int
        var extent: Double    // across
        var group: Int?
        var weight: Double
    }

    func run() -> Result {
        let n = nodes.count
        var inEdges = [[Int]](repeating: [], count: n), outEdges = [[Int]](repeating: [], count: n)
        for (k, e) in edges.enumerated() { outEdges[e.from].append(k); inEdges[e.to].append(k) }
        for v in 0..<n { inEdges[v].sort { (edges[$0].argument, $0) < (edges[$1].argument, $1) } }

        // 1. Ranks. Topological order, spec order among the ready.
        var indegree = inEdges.map(\.count)
        var topo: [Int] = []
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
        var rank = [Int](repeating: 0, count: n)
        for v in topo where !inEdges[v].isEmpty {
            rank[v] = inEdges[v].map { rank[edges[$0].from] + 1 }.max() ?? 0
        }
        for v in topo.reversed() where inEdges[v].isEmpty && !outEdges[v].isEmpty {
            rank[v] = max(0, outEdges[v].map { rank[edges[$0].to] }.min()! - 1)
        }
        let maxRank = rank.max() ?? 0

        // 2. Items: nodes, and a virtual item per rank a long edge crosses.
        var items: [Item] = []
        var itemOfNode = [Int](repeating: 0, count: n)
        let labelRoom: (Int) -> Double = { k in
            let e = edges[k]
            return e.labelWidth > 0 ? labelAcross(e) + 6 : 4
        }
        // A node's own extent, or the room its edges' labels need beside it.
        for v in 0..<n {
            var extent = across(nodes[v])
            for k in inEdges[v] + outEdges[v] where edges[k].labelWidth > 0 { extent = max(extent, labelRoom(k)) }
            itemOfNode[v] = items.count
            items.append(Item(node: v, edge: nil, rank: rank[v], extent: extent, group: nodes[v].group, weight: 1))
        }
        // chain[k]: the items of edge k, tail to head.
        var chain = [[Int]](repeating: [], count: edges.count)
        for (k, e) in edges.enumerated() {
            var c = [itemOfNode[e.from]]
            let g = nodes[e.from].group != nil && nodes[e.from].group == nodes[e.to].group ? nodes[e.from].group : nil
            if rank[e.to] - rank[e.from] > 1 {
                for r in (rank[e.from] + 1)..<rank[e.to] {
                    c.append(items.count)
                    items.append(Item(node: nil, edge: k, rank: r, extent: labelRoom(k), group: g, weight: 2))
                }
            }
            c.append(itemOfNode[e.to])
            chain[k] = c
        }
        // Neighbours of each item in the rank before and after, with the argument
        // place of the edge into the later one.
        var before = [[(item: Int, argument: Int)]](repeating: [], count: items.count)
        var after = [[(item: Int, argument: Int)]](repeating: [], count: items.count)
        for (k, c) in chain.enumerated() {
            let place = inEdges[edges[k].to].firstIndex(of: k) ?? 0
            for i in 1..<c.count {
                before[c[i]].append((c[i - 1], place))
                after[c[i - 1]].append((c[i], place))
            }
        }

        // 3. Order: a walk back from the sinks, inputs in argument order.
        var order = [[Int]](repeating: [], count: maxRank + 1)
        var placed = [Bool](repeating: false, count: items.count)
        func put(_ item: Int) {
            if !placed[item] { placed[item] = true; order[items[item].rank].append(item) }
        }
        var stack: [Int] = []
        let sinks = (0..<n).filter { outEdges[$0].isEmpty }
        for s in sinks.reversed() + topo.reversed() {
            guard !placed[itemOfNode[s]] else { continue }
            stack.append(s)
            while let v = stack.popLast() {
                guard !placed[itemOfNode[v]] else { continue }
                put(itemOfNode[v])
                // Depth first, the first argument first: push in reverse.
                for k in inEdges[v].reversed() { stack.append(edges[k].from) }
                // The virtual items of the edges into v, first argument first, before
                // their tails' subtrees (so they sit in line with them).
                for k in inEdges[v] { for item in chain[k].dropFirst().dropLast().reversed() { put(item) } }
            }
        }
        for i in items.indices { put(i) }
        var position = [Double](repeating: 0, count: items.count)
        func number() { for r in order.indices { for (i, item) in order[r].enumerated() { position[item] = Double(i) } } }
        func keepGroupsTogether(_ r: Int) {
            // A group's items move to where its first one is, keeping their order.
            var firstOfGroup: [Int: Double] = [:]
            for item in order[r] { if let g = items[item].group, firstOfGroup[g] == nil { firstOfGroup[g] = position[item] } }
            guard !firstOfGroup.isEmpty else { return }
            order[r].sort { a, b in
                let ka = items[a].group.map { firstOfGroup[$0]! } ?? position[a]
                let kb = items[b].group.map { firstOfGroup[$0]! } ?? position[b]
                return (ka, position[a]) < (kb, position[b])
            }
        }
        number()
        for r in order.indices { keepGroupsTogether(r) }
        number()

        func cost() -> Int {
            var crossings = 0, inversions = 0
            for r in 0..<maxRank {
                var segments: [(Double, Double)] = []
                for item in order[r] { for (next, _) in after[item] { segments.append((position[item], position[next])) } }
                segments.sort { $0 < $1 }
                if segments.count > 1 {
                    for i in 0..<(segments.count - 1) {
                        for j in (i + 1)..<segments.count where segments[j].1 < segments[i].1 && segments[j].0 > segments[i].0 { crossings += 1 }
                    }
                }
            }
            for v in 0..<n where inEdges[v].count > 1 {
                let ends = inEdges[v].map { position[chain[$0][chain[$0].count - 2]] }
                for i in 0..<ends.count { for j in (i + 1)..<ends.count where ends[j] < ends[i] { inversions += 1 } }
            }
            return crossings + 3 * inversions
        }
        if items.count <= 3000 {
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
                    order[r].sort { (key[$0]!, position[$0]) < (key[$1]!, position[$1]) }
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

        // 4. v: pulled towards neighbours, projected onto the order.
        let gap = 10.0 * spread
        var v = [Double](repeating: 0, count: items.count)
        func separation(_ a: Int, _ b: Int) -> Double {
            let pad = (items[a].node == nil && items[b].node == nil) ? 4 * spread : gap
            return (items[a].extent + items[b].extent) / 2 * spread + pad
        }
        for r in order.indices {
            var at = 0.0
            for (i, item) in order[r].enumerated() {
                if i > 0 { at += separation(order[r][i - 1], item) }
                v[item] = at
            }
        }
        func project(_ r: Int, targets: [Double], weights: [Double]) {
            let row = order[r]
            guard !row.isEmpty else { return }
            var offset = [Double](repeating: 0, count: row.count)
            for i in 1..<max(row.count, 1) { offset[i] = offset[i - 1] + separation(row[i - 1], row[i]) }
            // Pool adjacent violators on targets − offsets.
            var blocks: [(weight: Double, sum: Double, count: Int)] = []
            for i in row.indices {
                blocks.append((weights[i], weights[i] * (targets[i] - offset[i]), 1))
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
                for _ in 0..<b.count { v[row[i]] = z + offset[i]; i += 1 }
            }
        }
        for pass in 0..<16 {
            let useBefore = pass % 2 == 0 || pass >= 14, useAfter = pass % 2 == 1 || pass >= 14
            let ranks = pass % 2 == 0 ? Array(order.indices) : Array(order.indices.reversed())
            for r in ranks {
                var targets: [Double] = [], weights: [Double] = []
                for item in order[r] {
                    var sum = 0.0, count = 0.0
                    if useBefore { for (o, _) in before[item] { sum += v[o]; count += 1 } }
                    if useAfter { for (o, _) in after[item] { sum += v[o]; count += 1 } }
                    targets.append(count > 0 ? sum / count : v[item])
                    weights.append(items[item].weight * max(count, 0.5))
                }
                project(r, targets: targets, weights: weights)
            }
        }

        // 5. u: each gap as wide as what sits in it.
        var rankAlong = [Double](repeating: 0, count: maxRank + 1)
        for v in 0..<n { rankAlong[rank[v]] = max(rankAlong[rank[v]], along(nodes[v])) }
        var room = [Double](repeating: 24, count: max(maxRank, 1))
        for (k, e) in edges.enumerated() where e.labelWidth > 0 {
            let span = rank[e.to] - rank[e.from]
            let g = rank[e.from] + (span - 1) / 2
            if g < room.count { room[g] = max(room[g], labelAlong(e) * spread + 26) }
        }
        // Top to bottom, a group's title sits above it, in the gap before its first rank.
        var groupRanks = [(lo: Int, hi: Int)](repeating: (Int.max, Int.min), count: groups.count)
        for item in items.indices { if let g = items[item].group { groupRanks[g] = (min(groupRanks[g].lo, items[item].rank), max(groupRanks[g].hi, items[item].rank)) } }
        let margin = 10.0
        if frame == .topToBottom {
            for (g, span) in groupRanks.enumerated() where span.lo > 0 && span.lo <= maxRank {
                room[span.lo - 1] += groups[g].labelHeight + 4
            }
        }
        // Groups that end and start in neighbouring ranks need room for both borders.
        for (g, span) in groupRanks.enumerated() where span.lo <= span.hi {
            if span.hi < maxRank { room[span.hi] = max(room[span.hi], 2 * margin + 16 + (frame == .topToBottom ? groups[g].labelHeight : 0)) }
        }
        var u = [Double](repeating: 0, count: maxRank + 1)
        for r in 0..<maxRank { u[r + 1] = u[r] + rankAlong[r] / 2 + rankAlong[r + 1] / 2 + room[r] }

        // Groups: boxes around their items; what is not theirs is pushed out.
        var boxes = [Box](repeating: Box(minX: 0, minY: 0, maxX: 0, maxY: 0), count: groups.count)
        func groupBox(_ g: Int) -> Box? {
            var lo = Double.infinity, hi = -Double.infinity, start = Double.infinity, end = -Double.infinity
            for item in items.indices where items[item].group == g {
                let half = items[item].node.map { across(nodes[$0]) / 2 } ?? 2
                lo = min(lo, v[item] - half); hi = max(hi, v[item] + half)
                let a = items[item].node.map { along(nodes[$0]) / 2 } ?? 0
                start = min(start, u[items[item].rank] - a); end = max(end, u[items[item].rank] + a)
            }
            guard lo <= hi else { return nil }
            var box = Box(minX: start - margin, minY: lo - margin, maxX: end + margin, maxY: hi + margin)
            if frame == .leftToRight { box.minY -= groups[g].labelHeight + 4 } else { box.minX -= groups[g].labelHeight + 4 }
            // The title fits across the box.
            let titleRoom = (frame == .leftToRight ? groups[g].labelWidth : groups[g].labelWidth) + 2 * margin
            if frame == .leftToRight, box.maxX - box.minX < titleRoom {
                let mid = (box.minX + box.maxX) / 2; box.minX = mid - titleRoom / 2; box.maxX = mid + titleRoom / 2
            }
            if frame == .topToBottom, box.maxY - box.minY < titleRoom {
                let mid = (box.minY + box.maxY) / 2; box.minY = mid - titleRoom / 2; box.maxY = mid + titleRoom / 2
            }
            return box
        }
        // (In this frame a box's x is u and its y is v.)
        for _ in 0..<3 {
            var moved = false
            for g in groups.indices {
                guard let box = groupBox(g) else { continue }
                let center = (box.minY + box.maxY) / 2
                for r in order.indices where u[r] >= box.minX && u[r] <= box.maxX {
                    let row = order[r]
                    let members = row.indices.filter { items[row[$0]].group == g }
                    for (i, item) in row.enumerated() where items[item].group != g {
                        let above = members.first.map { i < $0 } ?? (v[item] < center)
                        let half = items[item].node.map { across(nodes[$0]) / 2 } ?? 2
                        if above, v[item] + half + 6 > box.minY {
                            let shift = v[item] + half + 6 - box.minY
                            for j in 0...i where items[row[j]].group != g || j == i { v[row[j]] -= shift }
                            moved = true
                        } else if !above, v[item] - half - 6 < box.maxY {
                            let shift = box.maxY - (v[item] - half - 6)
                            for j in i..<row.count where items[row[j]].group != g || j == i { v[row[j]] += shift }
                            moved = true
                        }
                    }
                }
            }
            if !moved { break }
        }
        for g in groups.indices { boxes[g] = groupBox(g) ?? Box(minX: 0, minY: 0, maxX: 0, maxY: 0) }

        // 6. Routes.
        var centers = [Point](repeating: Point(0, 0), count: n)
        for node in 0..<n { centers[node] = Point(u[rank[node]], v[itemOfNode[node]]) }
        var obstacles: [(Int, Box)] = []
        for node in 0..<n {
            let w = along(nodes[node]), h = across(nodes[node])
            obstacles.append((node, Box(center: centers[node], width: w + 6, height: h + 6)))
        }
        func clear(_ polyline: [Point], _ e: Edge) -> Bool {
            for (node, box) in obstacles where node != e.from && node != e.to {
                for i in 1..<polyline.count where box.clippedLength(polyline[i - 1], polyline[i]) > 0 { return false }
            }
            return true
        }
        // Edges between the same two nodes are spread into arcs, the first argument on top.
        var siblings: [Int: [Int]] = [:]
        for (k, e) in edges.enumerated() { siblings[e.from * n + e.to, default: []].append(k) }
        var routes = [[Point]](repeating: [], count: edges.count)
        var anchors = [Point](repeating: Point(0, 0), count: edges.count)
        for (k, e) in edges.enumerated() {
            let a = centers[e.from], b = centers[e.to]
            let twins = siblings[e.from * n + e.to]!
            let twin = Double(twins.firstIndex(of: k)!) - Double(twins.count - 1) / 2
            func arc(_ bulge: Double) -> [Point] {
                let d = b - a, len = max(d.length, 1e-9)
                let normal = Point(-d.y / len, d.x / len)   // towards +v for a left-to-right edge
                let c = Point((a.x + b.x) / 2, (a.y + b.y) / 2) + normal * bulge
                return [a, a + (c - a) * (2.0 / 3), b + (c - b) * (2.0 / 3), b]
            }
            var route: [Point]?
            if twins.count == 1 {
                let straight = [a, a + (b - a) * (1.0 / 3), a + (b - a) * (2.0 / 3), b]
                if clear([a, b], e) { route = straight }
                if route == nil {
                    // Bulge towards where the virtual items are.
                    let mid = chain[k].dropFirst().dropLast().map { v[$0] }
                    let lineV = (a.y + b.y) / 2
                    let side: Double = mid.isEmpty ? 1 : ((mid.reduce(0, +) / Double(mid.count)) >= lineV ? 1 : -1)
                    for step in [12.0, 24, 36, 48, 64, 80, 100, 130] {
                        for s in [side, -side] {
                            let candidate = arc(s * step * 2)
                            if clear(sampleBezier(candidate, steps: 16), e) { route = candidate; break }
                        }
                        if route != nil { break }
                    }
                }
                if route == nil {
                    // A smooth curve through the virtual items (Catmull–Rom).
                    let pts = [a] + chain[k].dropFirst().dropLast().map { Point(u[items[$0].rank], v[$0]) } + [b]
                    var controls = [pts[0]]
                    for i in 0..<(pts.count - 1) {
                        let p0 = pts[max(i - 1, 0)], p1 = pts[i], p2 = pts[i + 1], p3 = pts[min(i + 2, pts.count - 1)]
                        controls += [p1 + (p2 - p0) * (1.0 / 6), p2 - (p3 - p1) * (1.0 / 6), p2]
                    }
                    route = controls
                }
            } else {
                route = arc(twin * 2 * 22)
            }
            routes[k] = route!
            // Labels best sit in the middle of the gap the edge was given room in.
            let span = rank[e.to] - rank[e.from]
            let g = rank[e.from] + (span - 1) / 2
            let target = g < maxRank ? (u[g] + rankAlong[g] / 2 + u[g + 1] - rankAlong[g + 1] / 2) / 2 : (a.x + b.x) / 2
            let poly = sampleBezier(route!, steps: 16)
            anchors[k] = poly.min { abs($0.x - target) < abs($1.x - target) } ?? a
        }

        // To Graphviz coordinates.
        func map(_ p: Point) -> Point { toGraphviz(p.x, p.y) }
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
