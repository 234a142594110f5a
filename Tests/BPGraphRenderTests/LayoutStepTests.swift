@testable import BPGraphRender
import Testing

/// `LayeredLayout`'s steps one at a time, on small graphs, through `Skeleton`.
@Suite("Layout, step by step")
struct LayoutStepTests {
    /// A layout of `count` nodes (54 × 36 pt) and edges (tail, head), each edge's argument
    /// its place among its head's edges in the list; `label`: every edge labelled.
    private func layout(_ count: Int, _ edges: [(Int, Int)], label: (Double, Double)? = nil,
                        frame: LayeredLayout.Frame = .leftToRight) -> LayeredLayout {
        var seen: [Int: Int] = [:]
        let list = edges.map { from, to -> LayeredLayout.Edge in
            defer { seen[to, default: 0] += 1 }
            return .init(from: from, to: to, argument: seen[to, default: 0], labelWidth: label?.0 ?? 0, labelHeight: label?.1 ?? 0)
        }
        return LayeredLayout(frame: frame, nodes: Array(repeating: .init(width: 54, height: 36, group: nil), count: count),
                             edges: list, groups: [])
    }

    /// tanh(x1·w1 + x2·w2 + b): x1 0, w1 1, x2 2, w2 3, b 4, x1·w1 5, x2·w2 6, sum 7, + b 8, tanh 9.
    private let neuron: [(Int, Int)] = [(0, 5), (1, 5), (2, 6), (3, 6), (5, 7), (6, 7), (7, 8), (4, 8), (8, 9)]

    @Test func ranksPutAnInputJustBeforeItsFirstConsumer() {
        var s = LayeredLayout.Skeleton(layout(10, neuron))
        s.assignRanks()
        // b feeds the node at rank 3, so it sits at rank 2, not back at 0 with x1…w2.
        #expect(s.rank == [0, 0, 0, 0, 2, 1, 1, 2, 3, 4])
        #expect(s.maxRank == 4)

        // An input feeding two nodes sits before the earlier one.
        var t = LayeredLayout.Skeleton(layout(4, [(0, 1), (1, 2), (3, 2), (3, 1)]))
        t.assignRanks()
        #expect(t.rank == [0, 1, 2, 0])
    }

    @Test func aLongEdgeGetsOneVirtualItemPerRankItCrosses() {
        // 0 → 1 → 2 → 3, and 0 → 3 across ranks 1 and 2.
        var s = LayeredLayout.Skeleton(layout(4, [(0, 1), (1, 2), (2, 3), (0, 3)]))
        s.assignRanks()
        s.makeItems()
        #expect(s.items.count == 6)
        let lane = s.chain[3]
        #expect(lane.count == 4)
        #expect(lane.first == s.itemOfNode[0])
        #expect(lane.last == s.itemOfNode[3])
        for (r, item) in zip([1, 2], lane.dropFirst().dropLast()) {
            #expect(s.items[item].node == nil)
            #expect(s.items[item].edge == 3)
            #expect(s.items[item].rank == r)
        }
        // The virtual items link up tail to head.
        #expect(s.after[lane[1]].map(\.item) == [lane[2]])
        #expect(s.before[lane[1]].map(\.item) == [lane[0]])
        #expect(s.chain[0] == [s.itemOfNode[0], s.itemOfNode[1]])
    }

    @Test func orderKeepsANeuronsInputsInArgumentOrder() {
        var s = LayeredLayout.Skeleton(layout(10, neuron))
        s.assignRanks()
        s.makeItems()
        s.orderItems()
        let node = { (item: Int) in s.items[item].node }
        #expect(s.order[0].map(node) == [0, 1, 2, 3])          // x1, w1, x2, w2
        #expect(s.order[1].map(node) == [5, 6])                // x1·w1, x2·w2
        #expect(s.order[2].map(node) == [7, 4])                // the sum, then b
        #expect(s.cost() == 0)                                 // a tree: no crossings, nothing out of order

        // The walk alone can put inputs out of order; the count sees it.
        s.order[0].swapAt(0, 1)
        for (i, item) in s.order[0].enumerated() { s.position[item] = Double(i) }
        #expect(s.inversions(1) == 1)
        #expect(s.cost() > 0)
    }

    @Test func crossingsCountsSegmentsThatCross() {
        // Two inputs, two heads, each input to both heads: one crossing between ranks 0 and 1.
        var s = LayeredLayout.Skeleton(layout(4, [(0, 2), (1, 2), (0, 3), (1, 3)]))
        s.assignRanks()
        s.makeItems()
        s.orderItems()
        #expect(s.crossings(0) == 1)
        #expect(s.crossings(1) == 0)
    }

    @Test func vKeepsNeighboursApartAndAChainStraight() {
        var s = LayeredLayout.Skeleton(layout(10, neuron, label: (40, 30)))
        s.assignRanks()
        s.makeItems()
        s.orderItems()
        s.assignV()
        for row in s.order {
            for (a, b) in zip(row, row.dropFirst()) { #expect(s.v[b] - s.v[a] >= s.separation(a, b) - 1e-9) }
        }
        // tanh is alone in its rank: it lines up with its input.
        // (Relaxation stops once no item moves by a quarter point.)
        #expect(abs(s.v[s.itemOfNode[9]] - s.v[s.itemOfNode[8]]) <= 0.25)

        var two = LayeredLayout.Skeleton(layout(2, [(0, 1)]))
        two.assignRanks(); two.makeItems(); two.orderItems(); two.assignV()
        #expect(two.v[two.itemOfNode[0]] == two.v[two.itemOfNode[1]])
    }

    @Test func uGivesALabelledGapRoomForItsLabels() {
        var s = LayeredLayout.Skeleton(layout(3, [(0, 1), (1, 2)], label: (70, 30)))
        s.assignRanks(); s.makeItems(); s.orderItems(); s.assignV(); s.assignU()
        var bare = LayeredLayout.Skeleton(layout(3, [(0, 1), (1, 2)]))
        bare.assignRanks(); bare.makeItems(); bare.orderItems(); bare.assignV(); bare.assignU()
        for r in 0..<2 {
            // Between the nodes' facing sides: the label (70 pt) and room around it.
            #expect(s.u[r + 1] - s.u[r] - 54 >= 70 + 26)
            #expect(bare.u[r + 1] - bare.u[r] - 54 == 24)     // unlabelled: the least gap
        }
    }

    @Test func routesOfTwoNodesRunStraightAndTwinsArcApart() {
        let one = layout(2, [(0, 1)]).run()
        let route = one.routes[0]
        #expect(route.count == 4)
        #expect(route.first == one.centers[0])
        #expect(route.last == one.centers[1])
        for p in route { #expect(abs(p.y - one.centers[0].y) <= 1e-9) }
        #expect(route[0].x < route[1].x)
        #expect(route[1].x < route[2].x)

        // x · x: two edges between the same nodes bulge to either side, the first on top
        // (Graphviz's y grows upwards).
        let twins = layout(2, [(0, 1), (0, 1)]).run()
        #expect(twins.routes[0][1].y > twins.centers[0].y + 10)
        #expect(twins.routes[1][1].y < twins.centers[0].y - 10)

        // Top to bottom the same edge runs straight down.
        let down = layout(2, [(0, 1)], frame: .topToBottom).run()
        for p in down.routes[0] { #expect(abs(p.x - down.centers[0].x) <= 1e-9) }
        #expect(down.centers[0].y > down.centers[1].y)
    }

    @Test func inputsThatWouldArriveOutOfOrderGetPorts() {
        // Two inputs of one head, in argument order across (first at lower v).
        var s = LayeredLayout.Skeleton(layout(3, [(0, 2), (1, 2)]))
        s.assignRanks(); s.makeItems(); s.orderItems(); s.assignV(); s.assignU(); s.boxGroups(); s.route()
        // In order already: the routes end at the head's centre.
        #expect(s.routes[0].last == s.centers[2])
        #expect(s.routes[1].last == s.centers[2])
        // Swap the inputs' places: each now arrives at a port, in argument order (first
        // at lower v, on top).
        let a = s.itemOfNode[0], b = s.itemOfNode[1]
        (s.v[a], s.v[b]) = (s.v[b], s.v[a])
        s.route()
        let ends = s.routes.map { $0.last! }
        #expect(ends[0] != s.centers[2])
        #expect(ends[0].y < ends[1].y)
        #expect(ends[0].x < s.centers[2].x)
    }

    @Test func twoEdgesTradePlacesOnlyWhereNoInputGoesOutOfOrder() {
        // 0 → 2 and 1 → 3: the tails may trade places (no node has two inputs).
        let free = layout(4, [(0, 2), (1, 3)], label: (30, 30))
        let s = free.skeleton()
        let centers = free.run().centers, mid = (centers[0] + centers[2]) * 0.5
        var room = LayeredLayout.Room()
        #expect(s.trade(for: 0, against: 1, at: mid, into: &room))
        #expect(room.swaps == [[s.itemOfNode[0], s.itemOfNode[1]].sorted()])
        var traded = free
        traded.room = room
        let t = traded.skeleton()
        #expect(t.order[0] == Array(s.order[0].reversed()))
        // Asked again: the heads, in the rank after the gap; then nothing is left to try.
        #expect(s.trade(for: 0, against: 1, at: mid, into: &room))
        #expect(room.swaps.last == [s.itemOfNode[2], s.itemOfNode[3]].sorted())
        #expect(!s.trade(for: 0, against: 1, at: mid, into: &room))

        // 0 → 2 and 1 → 2, in argument order: trading would put them out of order.
        let fan = layout(3, [(0, 2), (1, 2)], label: (30, 30))
        let f = fan.skeleton()
        var none = LayeredLayout.Room()
        #expect(!f.trade(for: 0, against: 1, at: (fan.run().centers[0] + fan.run().centers[2]) * 0.5, into: &none))
        #expect(none.isEmpty)
    }

    @Test func longPiecesAreSampledCloseToTheCurve() {
        // One cubic piece 2,500 pt long that bends (as a long edge's route can be).
        let piece = [Point(-660, 1305), Point(173, 1424), Point(1279, 1049), Point(1830, 1678)]
        func at(_ t: Double) -> Point {
            let u = 1 - t
            return piece[0] * (u * u * u) + piece[1] * (3 * u * u * t) + piece[2] * (3 * u * t * t) + piece[3] * (t * t * t)
        }
        // The farthest a polyline strays from the curve, checked at many points of it.
        func stray(_ poly: [Point]) -> Double {
            (0...2000).map { k -> Double in
                let p = at(Double(k) / 2000)
                return zip(poly, poly.dropFirst()).map { a, b -> Double in
                    let d = b - a, len2 = d.x * d.x + d.y * d.y
                    let t = len2 > 0 ? max(0, min(1, ((p - a).x * d.x + (p - a).y * d.y) / len2)) : 0
                    return (p - (a + d * t)).length
                }.min()!
            }.max()!
        }
        let fine = sampleBezier(piece, chord: 20)
        #expect(stray(fine) < 0.5)
        // A long straight piece (a wide fan-in's edge) keeps its twelve steps.
        #expect(sampleBezier([Point(0, 0), Point(1000, 300), Point(2000, 600), Point(3000, 900)], chord: 20).count == 13)
        // Twelve steps (what the labels were placed against) stray by several points.
        #expect(stray(sampleBezier(piece)) > 2)
        // Short pieces keep their twelve steps.
        #expect(sampleBezier([Point(0, 0), Point(30, 10), Point(60, 10), Point(90, 0)], chord: 20).count == 13)
    }
}
