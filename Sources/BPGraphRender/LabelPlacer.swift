/// Puts each edge's forward value above the edge and its gradient below it.
///
/// Works after dot's layout, on plain geometry: the edges' sampled splines, the node
/// boxes and the labels placed so far. It reasons in a frame where edges flow along
/// +u and "above" is +v (left to right: u = x, v = y; top to bottom: u = −y, v = −x,
/// so the value sits left of a downward edge and the gradient right of it).
///
/// For each edge it tries points along the spline, nearest dot's own label position
/// first; at each it stacks the value's box just clear of the highest point of the
/// spline under the box, and the gradient's box just clear of the lowest point of the
/// (gradient) spline, and takes the first spot where neither box touches a node,
/// another label or another edge — or, if there is none, the spot that overlaps least.
struct LabelPlacer {
    enum Frame { case leftToRight, topToBottom }

    struct Request {
        /// The spline the value sits above (Graphviz coordinates).
        var valueCurve: [Point]
        /// The spline the gradient sits below (the same one, or the red backward arrow).
        var gradientCurve: [Point]
        /// Dot's label position, the preferred spot.
        var anchor: Point?
        /// Label sizes (width, height) in points; nil when there is no such label.
        var valueSize: (Double, Double)?
        var gradientSize: (Double, Double)?
        /// Indices (into `curves`) of this edge's own splines, which do not count as crossings.
        var ownCurves: [Int]
        /// Its twins' splines (x · x: the other edges between the same two nodes). A label
        /// stays off them as off any edge, but they never make it read as another edge's:
        /// the reader sees twins as one pair of nodes.
        var twinCurves: [Int] = []
    }

    struct Placement {
        var value: Point?
        var gradient: Point?
        var valueBox: Box?
        var gradientBox: Box?
        /// Whether the chosen spot is free of overlaps with nodes and labels and clear of
        /// other edges.
        var clean: Bool
        /// Whether, if not clean, every other edge is still clearly farther from each
        /// label than its own edge.
        var readable: Bool = true
        /// Whether a label overlaps a node or another label there.
        var overlaps: Bool = false
        /// Whether another edge comes within a point of a label as near as its own
        /// (the reader can't tell whose it is).
        var ambiguous: Bool = false
        /// Then: the other curve (index into `curves`) that comes as near to the label as
        /// its own edge, and that label's centre (Graphviz coordinates).
        var crowdedBy: Int?
        var crowdedAt: Point?
    }

    /// How many spots along an edge, nearest the anchor first, are weighed in full.
    static let nearCandidates = 120
    /// A label with no clean spot among those looks along the rest of its edge, while the
    /// placer has looked at fewer than this many boxes and segments for that (counted, not
    /// timed, so the figure is the same on every run): figure-sized drawings search every
    /// edge to its ends, crowded big ones stop early.
    static let farSearchBudget = 60_000
    /// Whether a label with no spot that reads as its own edge's may sit `tightGap` from it.
    var hug = false
    /// The clearance between a label and its own edge, with `hug`, where at the usual one
    /// another edge would be as near.
    static let tightGap = 1.0
    let frame: Frame
    /// Clearance between a label and its spline, and between labels.
    let gap: Double
    /// Clearance between a label and every other edge.
    var clearance: Double { gap + 5 }
    /// Node boxes, cluster labels: never covered (canonical frame).
    private var obstacles: [Box]
    /// Labels placed so far (canonical frame).
    private(set) var placed: [Box] = []
    /// Every edge's polyline (canonical frame) and its bounding box.
    private var curves: [[Point]]
    private var curveBoxes: [Box]
    /// Spatial indexes, so that placing a label looks only at what is near it (near-
    /// linear in the number of edges): the obstacles, then the placed labels, numbered
    /// as in `obstacles + placed`; and every curve segment, numbered curve by curve.
    private var boxGrid = SpatialGrid(cell: 48)
    private var segmentGrid = SpatialGrid(cell: 48)
    /// Segment number → its curve and its two ends (canonical frame).
    private var segmentCurve: [Int32] = []
    private var segmentStart: [Point] = []
    private var segmentEnd: [Point] = []
    private var scratch: [Int] = []
    /// Per curve, while an edge is placed: whether it is another edge's, near this one.
    private var otherCurve: [Bool] = []
    /// What is left of `farSearchBudget`.
    private var farBudget = LabelPlacer.farSearchBudget

    init(frame: Frame, gap: Double, obstacles: [Box], curves: [[Point]]) {
        self.frame = frame
        self.gap = gap
        self.obstacles = []
        self.curves = []
        self.curveBoxes = []
        self.obstacles = obstacles.map(toCanonical)
        self.curves = curves.map { $0.map(toCanonical) }
        self.curveBoxes = self.curves.map { Self.bounds($0).insetBy(-1) }
        // (The grids' cells made once, over everything, not grown as items come.)
        var extent = Box(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        for box in self.obstacles where box.minX <= box.maxX && box.minY <= box.maxY { extent = extent.union(box) }
        for box in self.curveBoxes where box.minX <= box.maxX && box.minY <= box.maxY { extent = extent.union(box) }
        boxGrid.cover(extent)
        segmentGrid.cover(extent)
        for box in self.obstacles { boxGrid.insert(box) }
        let segments = self.curves.reduce(0) { $0 + max($1.count - 1, 0) }
        segmentGrid.reserveCapacity(items: segments, entries: 2 * segments)
        segmentCurve.reserveCapacity(segments)
        segmentStart.reserveCapacity(segments)
        segmentEnd.reserveCapacity(segments)
        for (c, curve) in self.curves.enumerated() where curve.count >= 2 {
            for i in 1..<curve.count {
                segmentGrid.insert(Self.bounds([curve[i - 1], curve[i]]))
                segmentCurve.append(Int32(c))
                segmentStart.append(curve[i - 1])
                segmentEnd.append(curve[i])
            }
        }
    }

    // MARK: Frames

    func toCanonical(_ p: Point) -> Point {
        switch frame {
        case .leftToRight: return p
        case .topToBottom: return Point(-p.y, -p.x)
        }
    }

    func fromCanonical(_ p: Point) -> Point {
        switch frame {
        case .leftToRight: return p
        case .topToBottom: return Point(-p.y, -p.x)
        }
    }

    func toCanonical(_ b: Box) -> Box {
        let a = toCanonical(Point(b.minX, b.minY)), c = toCanonical(Point(b.maxX, b.maxY))
        return Box(minX: Swift.min(a.x, c.x), minY: Swift.min(a.y, c.y), maxX: Swift.max(a.x, c.x), maxY: Swift.max(a.y, c.y))
    }

    func fromCanonical(_ b: Box) -> Box {
        let a = fromCanonical(Point(b.minX, b.minY)), c = fromCanonical(Point(b.maxX, b.maxY))
        return Box(minX: Swift.min(a.x, c.x), minY: Swift.min(a.y, c.y), maxX: Swift.max(a.x, c.x), maxY: Swift.max(a.y, c.y))
    }

    /// (extent along u, extent along v) of a label of this width and height.
    func canonicalSize(_ size: (Double, Double)) -> (Double, Double) {
        switch frame {
        case .leftToRight: return size
        case .topToBottom: return (size.1, size.0)
        }
    }

    static func bounds(_ points: [Point]) -> Box {
        var b = Box(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        for p in points { b = Box(minX: min(b.minX, p.x), minY: min(b.minY, p.y), maxX: max(b.maxX, p.x), maxY: max(b.maxY, p.y)) }
        return b
    }

    // MARK: Placing

    /// The highest (or lowest) v of a polyline over u in [u0, u1], or nil if it never gets there.
    static func extreme(_ curve: [Point], from u0: Double, to u1: Double, highest: Bool, increasing: Bool = false) -> Double? {
        curve.withUnsafeBufferPointer { extreme($0, from: u0, to: u1, highest: highest, increasing: increasing) }
    }

    /// Whether u never decreases along a polyline (false with a NaN).
    static func increasing(_ curve: [Point]) -> Bool {
        for i in curve.indices.dropFirst() where !(curve[i - 1].x <= curve[i].x) { return false }
        return true
    }

    // (The same without an array or a closure per call: this is the placer's inner loop.)
    @inline(__always)
    static func extreme(_ curve: UnsafeBufferPointer<Point>, from u0: Double, to u1: Double, highest: Bool,
                        increasing: Bool = false) -> Double? {
        var best = 0.0, found = false
        @inline(__always) func take(_ v: Double) {
            if found { best = highest ? max(best, v) : min(best, v) } else { best = v; found = true }
        }
        let n = curve.count
        // (On a curve whose u never decreases, the points and segments before the last
        // point short of u0, and from the first point past u1, give nothing: they are
        // skipped, the others taken in the same order.)
        if increasing && u0 <= u1 {
            var lo = 0, hi = n
            while lo < hi { let mid = (lo + hi) / 2; if curve[mid].x < u0 { lo = mid + 1 } else { hi = mid } }
            // (Of the segments, only the one into point lo can cross u0 (the points from lo
            // on are at u0 or past it), and only the one out of the last point at u1 or
            // short of it can cross u1: taken in the order the loop below takes them.)
            if lo >= 1 && lo < n {
                let p = curve[lo - 1], q = curve[lo]
                if (p.x - u0) * (q.x - u0) < 0 {
                    let t = (u0 - p.x) / (q.x - p.x)
                    take(p.y + t * (q.y - p.y))
                }
            }
            var i = lo
            while i < n && curve[i].x <= u1 { take(curve[i].y); i += 1 }
            let last = i - 1
            if last >= 0 && last + 1 < n {
                let p = curve[last], q = curve[last + 1]
                if (p.x - u1) * (q.x - u1) < 0 {
                    let t = (u1 - p.x) / (q.x - p.x)
                    take(p.y + t * (q.y - p.y))
                }
            }
            return found ? best : nil
        }
        for i in 0..<n {
            let p = curve[i]
            if p.x >= u0 && p.x <= u1 { take(p.y) }
            if i + 1 < n {
                let q = curve[i + 1]
                if (p.x - u0) * (q.x - u0) < 0 {
                    let t = (u0 - p.x) / (q.x - p.x)
                    take(p.y + t * (q.y - p.y))
                }
                if (p.x - u1) * (q.x - u1) < 0 {
                    let t = (u1 - p.x) / (q.x - p.x)
                    take(p.y + t * (q.y - p.y))
                }
            }
        }
        return found ? best : nil
    }

    /// Points along a polyline every `step` points of arc length, with their arc position.
    static func stations(_ curve: [Point], step: Double) -> [(point: Point, s: Double)] {
        // (Made with its labels: an array of unlabelled tuples returned as this type is
        // converted element by element, through the runtime's dynamic casts.)
        var out: [(point: Point, s: Double)] = []
        guard let first = curve.first else { return out }
        out.append((first, 0))
        var s = 0.0, next = step
        for i in 1..<max(curve.count, 1) {
            let a = curve[i - 1], b = curve[i]
            let len = (b - a).length
            while len > 0 && next <= s + len {
                let t = (next - s) / len
                out.append((a + (b - a) * t, next))
                next += step
            }
            s += len
        }
        return out
    }

    mutating func place(_ request: Request) -> Placement {
        let valueCurve = request.valueCurve.map(toCanonical)
        let gradientCurve = request.gradientCurve.map(toCanonical)
        let valueSize = request.valueSize.map(canonicalSize)
        let gradientSize = request.gradientSize.map(canonicalSize)
        guard valueCurve.count >= 2 else { return Placement(clean: true) }

        let stations = Self.stations(valueCurve, step: 3)
        let total = stations.last?.s ?? 0
        // The station nearest dot's label position (else the middle).
        var anchorS = total / 2
        if let anchor = request.anchor.map(toCanonical) {
            var best = Double.infinity
            for st in stations {
                let d = (st.point - anchor).length
                if d < best { best = d; anchorS = st.s }
            }
        }
        // Candidates ordered by distance from the anchor, away from the very ends.
        let margin = min(12, total * 0.2)
        // (Each station's distance from the anchor worked out once, not per comparison.)
        let away = stations.map { abs($0.s - anchorS) }
        let candidates = stations.indices.filter { stations[$0].s >= margin && stations[$0].s <= total - margin }
            .sorted { away[$0] < away[$1] }
            .map { (point: stations[$0].point, s: stations[$0].s, index: $0) }

        // Only obstacles and curves near this edge matter.
        let reach = max(valueSize.map { $0.0 + $0.1 } ?? 0, gradientSize.map { $0.0 + $0.1 } ?? 0) + 4 * gap
        let region = Self.bounds(valueCurve + gradientCurve)
        let area = Box(minX: region.minX - reach, minY: region.minY - reach, maxX: region.maxX + reach, maxY: region.maxY + reach)
        // (Boxes and curves counted below are those that overlap `area`, as before the
        // grids: a box or segment outside the padded label box adds exactly 0.)
        // (Worked out once per edge, not per segment looked at.)
        otherCurve.removeAll(keepingCapacity: true)
        for c in curveBoxes.indices { otherCurve.append(!request.ownCurves.contains(c) && curveBoxes[c].overlapArea(area) > 0) }
        let twins = request.twinCurves

        // At a station, each label hugs the curve on its own side: its box slides along
        // u (up to most of its width) to where its centre is nearest the station, so on
        // a steep edge the value sits up-left of the point and the gradient down-right of
        // it, across from each other, instead of being lifted apart by the slope.
        // (Slides of a quarter of the label's size each way, up to three quarters of it, in
        // the order 0, -1/4, +1/4, -1/2, …; `fine`: of an eighth, in the same order.)
        @inline(__always) func shift(_ k: Int, fine: Bool) -> Double {
            k == 0 ? 0 : Double((k + 1) / 2) * (k % 2 == 1 ? -1 : 1) * (fine ? 0.125 : 0.25)
        }
        // The slide that keeps the label's centre across from the station: the least
        // offset along the edge's direction there (so value and gradient pair up), then
        // the least distance.
        // (Options are offered in turn, nearest kept, without an array of them.)
        // Whether an option centred at u = (minX + maxX) / 2 cannot be nearer than the best so
        // far, whatever its v: d ≥ 0.25 |Δu| (with room for rounding), so its extreme is
        // not looked for.
        @inline(__always) func farther(_ minX: Double, _ maxX: Double, than best: (d: Double, box: Box)?, from p: Point) -> Bool {
            guard let best else { return false }
            let du = (minX + maxX) / 2 - p.x
            return 0.25 * abs(du) * (1 - 1e-9) >= best.d - 0.01
        }
        // (The direction is passed in, not a variable captured: each read of one would be
        // checked for exclusive access.)
        @inline(__always) func offer(_ b: Box, to p: Point, along tangent: Point, _ best: inout (d: Double, box: Box)?) {
            let offset = b.center - p
            let along = abs(offset.x * tangent.x + offset.y * tangent.y)
            // (d is no less than `along`: when that is not nearer, neither is d.)
            if let best, !(along < best.d - 0.01) { return }
            let d = along + 0.25 * offset.length
            if best == nil || d < best!.d - 0.01 { best = (d, b) }
        }
        // The direction of the curve at station i (stations are 3 pt apart).
        func direction(at i: Int) -> Point {
            let d = stations[min(i + 1, stations.count - 1)].point - stations[max(i - 1, 0)].point, len = d.length
            return len > 0 ? d * (1 / len) : Point(1, 0)
        }
        // A label stays beside its edge: never slid past either end of it.
        // (Closures, not key paths: a key path is read through the runtime, point by point.)
        let spanU = (valueCurve.map { $0.x }.min() ?? 0, valueCurve.map { $0.x }.max() ?? 0)
        func beside(_ c: Double, _ w: Double) -> Bool { c - w / 2 >= spanU.0 - 0.5 && c + w / 2 <= spanU.1 + 0.5 }
        let valueIncreasing = Self.increasing(valueCurve), gradientIncreasing = Self.increasing(gradientCurve)
        func boxes(at station: Point, gap: Double, along tangent: Point, fine: Bool = false) -> (Box?, Box?)? {
            let u = station.x
            var valueBox: Box?, gradientBox: Box?
            if let (w, h) = valueSize {
                var best: (d: Double, box: Box)?
                for k in 0..<(fine ? 13 : 7) {
                    let s = shift(k, fine: fine)
                    let c = u + s * max(w, h)
                    guard s == 0 || beside(c, w), !farther(c - w / 2, c + w / 2, than: best, from: station),
                          let top = Self.extreme(valueCurve, from: c - w / 2 - gap, to: c + w / 2 + gap, highest: true, increasing: valueIncreasing) else { continue }
                    offer(Box(minX: c - w / 2, minY: top + gap, maxX: c + w / 2, maxY: top + gap + h), to: station, along: tangent, &best)
                }
                guard let b = best?.box else { return nil }
                valueBox = b
            }
            if let (w, h) = gradientSize {
                var best: (d: Double, box: Box)?
                for k in 0..<(fine ? 13 : 7) {
                    let s = shift(k, fine: fine)
                    let c = u + s * max(w, h)
                    guard s == 0 || beside(c, w), !farther(c - w / 2, c + w / 2, than: best, from: station),
                          let bottom = Self.extreme(gradientCurve, from: c - w / 2 - gap, to: c + w / 2 + gap, highest: false, increasing: gradientIncreasing) else { continue }
                    offer(Box(minX: c - w / 2, minY: bottom - gap - h, maxX: c + w / 2, maxY: bottom - gap), to: station, along: tangent, &best)
                }
                guard let b = best?.box else { return nil }
                gradientBox = b
            }
            return (valueBox, gradientBox)
        }

        // A label that is not clear of other edges still reads as its own edge's when
        // every other edge is clearly farther from it than its own: by `margin` points.
        let readableMargin = 1.5
        func cost(_ b: Box?) -> (overlap: Double, touch: Double, crossing: Double, other: Double, by: Int) {
            guard let b else { return (0, 0, 0, .infinity, -1) }
            let padded = Box(minX: b.minX - gap, minY: b.minY - gap, maxX: b.maxX + gap, maxY: b.maxY + gap)
            // (`overlap` within the clearance, `touch` the box itself on the node or label.)
            var overlap = 0.0, touch = 0.0
            boxGrid.query(padded, into: &scratch)
            if far { farBudget -= scratch.count + 1 }
            for id in scratch {
                let o = id < obstacles.count ? obstacles[id] : placed[id - obstacles.count]
                if o.overlapArea(area) > 0 { overlap += padded.overlapArea(o); touch += b.overlapArea(o) }
            }
            // Another edge must stay well clear (a label as near another edge as its own
            // reads as that edge's): its clearance is `clearance`, not `gap`.
            let near = Box(minX: b.minX - clearance, minY: b.minY - clearance, maxX: b.maxX + clearance, maxY: b.maxY + clearance)
            // (A label that sits off its station (across a steep or a turning curve) may be
            // farther from its own edge than the clearance: another edge counts as near it
            // out to that distance too. The station bounds the label's distance from its own
            // edge; only where that bound is not within the clearance is the distance itself
            // worked out.)
            var reach = b.distance(to: station) + readableMargin
            if reach > clearance { reach = ownDistance(b) + readableMargin }
            let wide = reach > clearance ? Box(minX: b.minX - reach, minY: b.minY - reach, maxX: b.maxX + reach, maxY: b.maxY + reach) : near
            // (An edge through the label itself costs far more than one merely near it:
            // where no spot is clear, the label at least stays off other edges.)
            var crossing = 0.0, other = Double.infinity, by = -1
            segmentGrid.query(wide, into: &scratch)
            if far { farBudget -= scratch.count + 1 }
            for id in scratch {
                let c = Int(segmentCurve[id])
                guard otherCurve[c], curveBoxes[c].overlapArea(wide) > 0 else { continue }
                let p = segmentStart[id], q = segmentEnd[id]
                let length = near.clippedLength(p, q)
                if length > 0 { crossing += length + 2 * padded.clippedLength(p, q) }
                else if reach <= clearance || wide.clippedLength(p, q) <= 0 { continue }
                if !twins.isEmpty, twins.contains(c) { continue }
                // (A segment whose bounds are farther than the nearest so far cannot be nearer.)
                if other.isFinite, min(p.x, q.x) - other > b.maxX || max(p.x, q.x) + other < b.minX
                    || min(p.y, q.y) - other > b.maxY || max(p.y, q.y) + other < b.minY { continue }
                let d = b.distance(to: p, q)
                if d < other { other = d; by = c }
            }
            return (overlap, touch, crossing, other, by)
        }
        // How near the label is to its own edge (either of its curves: the reader sees
        // the forward and the backward arrow as one edge).
        // (The station being looked at: it lies on the value's curve, so no nearer point of
        // the curves is farther from a label than it is, and segments whose bounds are
        // farther than that are skipped from the start.)
        var station = Point(0, 0)
        func ownDistance(_ b: Box?) -> Double {
            guard let b else { return 0 }
            var d = Double.infinity
            let bound = b.distance(to: station) + 0.01
            func scan(_ curve: [Point]) {
                for i in 1..<curve.count {
                    let p = curve[i - 1], q = curve[i], r = min(d, bound)
                    // (A segment whose bounds are farther than the nearest so far cannot be nearer.)
                    if min(p.x, q.x) - r > b.maxX || max(p.x, q.x) + r < b.minX || min(p.y, q.y) - r > b.maxY || max(p.y, q.y) + r < b.minY { continue }
                    d = min(d, b.distance(to: p, q))
                }
            }
            scan(valueCurve)
            scan(gradientCurve)
            return d
        }
        // How far apart along the edge a value and its gradient may sit.
        let pairLimit = 20.0
        func shortfall(_ b: Box?, _ c: (overlap: Double, touch: Double, crossing: Double, other: Double, by: Int), margin: Double = readableMargin) -> Double {
            guard b != nil, c.crossing > 0 || c.other.isFinite else { return 0 }
            return max(0, ownDistance(b) + margin - c.other)
        }
        // A label another edge comes within a point of as near as its own reads as that
        // edge's: room is made for it (`crowdedBy`).
        let ambiguousMargin = 1.0

        // Prefer spots near dot's label position where the spline runs flat (there
        // the value and the gradient sit close together, as in the book); any spot
        // touching a node, a label or another edge only if there is no clean one.
        // Spots in tiers: clean (clear of every other edge); readable (every other edge
        // clearly farther than its own); readable but closer to a node or a label than the
        // clearance; free of nodes and labels; the rest. (A label that reads as another
        // edge's is worse than one that merely sits close.)
        var best: (tier: Int, score: Double, value: Box?, gradient: Box?, touch: Double, ambiguous: Bool, by: Int?, at: Box?)?
        var far = false
        for (n, candidate) in candidates.enumerated() {
            let distance = abs(candidate.s - anchorS)
            if let b = best, b.tier == 0, distance * 0.5 >= b.score { break }  // sorted by distance: nothing better follows
            // Past the spots near the anchor, the rest of the edge is searched only while no
            // clean spot is found and the budget lasts.
            far = n >= Self.nearCandidates
            if far, !(farBudget > 0 && (best.map { $0.tier > 0 } ?? true)) { break }
            let tangent = direction(at: candidate.index)
            station = candidate.point
            // A value and its gradient are read as a pair only across from each other.
            func apart(_ vb: Box?, _ gb: Box?) -> Double {
                guard let vb, let gb else { return 0 }
                let d = vb.center - gb.center
                return max(0, abs(d.x * tangent.x + d.y * tangent.y) - pairLimit)
            }
            // (Wide labels beside a slanted edge may not find a coarse slide that keeps them
            // across from each other: there they slide by finer steps.)
            func paired(_ gap: Double) -> (Box?, Box?)? {
                guard let (vb, gb) = boxes(at: candidate.point, gap: gap, along: tangent) else { return nil }
                guard apart(vb, gb) > 0, let (fv, fg) = boxes(at: candidate.point, gap: gap, along: tangent, fine: true),
                      apart(fv, fg) < apart(vb, gb) else { return (vb, gb) }
                return (fv, fg)
            }
            guard var (vb, gb) = paired(gap) else { continue }
            // How far the spline climbs under the labels: the vertical room they straddle.
            func spread(_ vb: Box?, _ gb: Box?, _ gap: Double) -> Double {
                max(0, (vb?.minY ?? candidate.point.y + gap) - (gb?.maxY ?? candidate.point.y - gap) - 2 * gap)
            }
            // (Against a clean spot, a spot that is not clean, or whose score without its
            // costs is no less, cannot win: its costs are not looked at. The score's terms
            // are never negative and rounding is monotone, so the full score is no less.)
            if let b = best, b.tier == 0, apart(vb, gb) > 0 || distance * 0.5 + spread(vb, gb, gap) * 1.5 >= b.score { continue }
            typealias Cost = (overlap: Double, touch: Double, crossing: Double, other: Double, by: Int)
            // A spot's tier and score. Both only grow as its costs are added (the terms are
            // never negative, rounding is monotone, and a tier only rises with more overlap,
            // crossing or shortfall), so once the costs known so far, the rest taken as
            // nothing, already rank no better than the best spot, the spot cannot win: the
            // rest of its costs are not looked at (`weigh` gives nil). Only where nothing
            // else reads them: not past the spots near the anchor (whose looks count against
            // the budget), nor when a label may hug its edge (a spot's own costs decide
            // whether the closer spot is tried).
            let prune = !far && !hug
            @inline(__always) func rank(_ overlap: Double, _ touch: Double, _ crossing: Double, _ short: Double, _ apart: Double, _ spread: Double) -> (tier: Int, score: Double) {
                let tier = touch > 0 ? 4 : short > 0 || apart > 0 ? 3 : overlap > 0 ? 2 : crossing > 0 ? 1 : 0
                return (tier, overlap * 100 + crossing * 10 + short * 60 + apart * 60 + distance * 0.5 + spread * 1.5)
            }
            @inline(__always) func loses(_ r: (tier: Int, score: Double)) -> Bool {
                guard prune, let b = best else { return false }
                return !(r < (b.tier, b.score))
            }
            func weigh(_ vb: Box?, _ gb: Box?, _ gap: Double) -> (tier: Int, score: Double, a: Cost, b: Cost, overlap: Double, touch: Double)? {
                let apart = apart(vb, gb), spread = spread(vb, gb, gap)
                if loses(rank(0, 0, 0, 0, apart, spread)) { return nil }
                let a = cost(vb)
                if loses(rank(a.overlap, a.touch, a.crossing, 0, apart, spread)) { return nil }
                let b = cost(gb)
                let overlap = a.overlap + b.overlap, touch = a.touch + b.touch, crossing = a.crossing + b.crossing
                if loses(rank(overlap, touch, crossing, 0, apart, spread)) { return nil }
                let shortValue = shortfall(vb, a)
                if loses(rank(overlap, touch, crossing, shortValue, apart, spread)) { return nil }
                let short = shortValue + shortfall(gb, b)
                let (tier, score) = rank(overlap, touch, crossing, short, apart, spread)
                return (tier, score, a, b, overlap, touch)
            }
            guard var w = weigh(vb, gb, gap) else { continue }
            // (`hug`: a label that would read as another edge's may hug its own edge closer.)
            if hug, w.tier == 3, w.touch == 0, let (tv, tg) = paired(Self.tightGap),
               let t = weigh(tv, tg, Self.tightGap) {
                if (t.tier, t.score) < (w.tier, w.score) { (vb, gb, w) = (tv, tg, t) }
            }
            let (tier, score, a, b, touch) = (w.tier, w.score, w.a, w.b, w.touch)
            if best == nil || (tier, score) < (best!.tier, best!.score) {
                // (The label that reads as another edge's, and that edge.)
                let sv = shortfall(vb, a, margin: ambiguousMargin), sg = shortfall(gb, b, margin: ambiguousMargin)
                let (by, at): (Int, Box?) = sv >= sg ? (a.by, vb) : (b.by, gb)
                best = (tier, score, vb, gb, touch, max(sv, sg) > 0, by >= 0 && max(sv, sg) > 0 ? by : nil, at)
            }
        }
        if best == nil {
            // A spline too short or too steep for any candidate: stack at the anchor point.
            let p = stations.min { abs($0.s - anchorS) < abs($1.s - anchorS) }?.point ?? valueCurve[0]
            let vb = valueSize.map { Box(minX: p.x - $0.0 / 2, minY: p.y + gap, maxX: p.x + $0.0 / 2, maxY: p.y + gap + $0.1) }
            let gb = gradientSize.map { Box(minX: p.x - $0.0 / 2, minY: p.y - gap - $0.1, maxX: p.x + $0.0 / 2, maxY: p.y - gap) }
            best = (4, 0, vb, gb, 1, false, nil, nil)
        }
        let chosen = best!
        if let v = chosen.value { placed.append(v); boxGrid.insert(v) }
        if let g = chosen.gradient { placed.append(g); boxGrid.insert(g) }
        return Placement(value: chosen.value.map { fromCanonical($0.center) },
                         gradient: chosen.gradient.map { fromCanonical($0.center) },
                         valueBox: chosen.value.map(fromCanonical),
                         gradientBox: chosen.gradient.map(fromCanonical),
                         clean: chosen.tier == 0, readable: chosen.tier <= 1, overlaps: chosen.touch > 0,
                         ambiguous: chosen.ambiguous, crowdedBy: chosen.by, crowdedAt: chosen.at.map { fromCanonical($0.center) })
    }
}
