/// Plain geometry for label placement, in Graphviz's coordinates (points, y up).
public struct Point: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    static func + (a: Point, b: Point) -> Point { Point(a.x + b.x, a.y + b.y) }
    static func - (a: Point, b: Point) -> Point { Point(a.x - b.x, a.y - b.y) }
    static func * (a: Point, k: Double) -> Point { Point(a.x * k, a.y * k) }
    var length: Double { (x * x + y * y).squareRoot() }
}

public struct Box: Sendable, Equatable {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }
    public init(center: Point, width: Double, height: Double) {
        self.init(minX: center.x - width / 2, minY: center.y - height / 2,
                  maxX: center.x + width / 2, maxY: center.y + height / 2)
    }
    public var center: Point { Point((minX + maxX) / 2, (minY + maxY) / 2) }
    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    public func insetBy(_ d: Double) -> Box { Box(minX: minX + d, minY: minY + d, maxX: maxX - d, maxY: maxY - d) }

    public func overlapArea(_ o: Box) -> Double {
        let w = Swift.min(maxX, o.maxX) - Swift.max(minX, o.minX)
        let h = Swift.min(maxY, o.maxY) - Swift.max(minY, o.minY)
        return w > 0 && h > 0 ? w * h : 0
    }

    public func union(_ o: Box) -> Box {
        Box(minX: Swift.min(minX, o.minX), minY: Swift.min(minY, o.minY),
            maxX: Swift.max(maxX, o.maxX), maxY: Swift.max(maxY, o.maxY))
    }

    public func contains(_ p: Point) -> Bool { p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY }
    public func contains(_ b: Box) -> Bool { b.minX >= minX && b.maxX <= maxX && b.minY >= minY && b.maxY <= maxY }

    /// Distance from a point to the box (0 inside it).
    public func distance(to p: Point) -> Double {
        let dx = Swift.max(minX - p.x, 0, p.x - maxX), dy = Swift.max(minY - p.y, 0, p.y - maxY)
        return (dx * dx + dy * dy).squareRoot()
    }

    /// Distance from segment a–b to the box (0 when they touch): between two convex
    /// shapes that do not meet, it is reached at an end of the segment or a corner.
    public func distance(to a: Point, _ b: Point) -> Double {
        if contains(a) || contains(b) || clippedLength(a, b) > 0 { return 0 }
        var d = Swift.min(distance(to: a), distance(to: b))
        let ab = b - a, len2 = ab.x * ab.x + ab.y * ab.y
        guard len2 > 0 else { return d }
        // (The four corners in turn, without an array: this is the placer's inner loop.)
        func corner(_ c: Point) {
            let t = Swift.max(0, Swift.min(1, ((c.x - a.x) * ab.x + (c.y - a.y) * ab.y) / len2))
            d = Swift.min(d, (a + ab * t - c).length)
        }
        corner(Point(minX, minY)); corner(Point(maxX, minY)); corner(Point(minX, maxY)); corner(Point(maxX, maxY))
        return d
    }

    /// Length of the part of segment a–b inside the box (Liang–Barsky clipping).
    public func clippedLength(_ a: Point, _ b: Point) -> Double {
        // Both ends beyond the same side: nothing inside.
        if (a.x < minX && b.x < minX) || (a.x > maxX && b.x > maxX) || (a.y < minY && b.y < minY) || (a.y > maxY && b.y > maxY) {
            return 0
        }
        var t0 = 0.0, t1 = 1.0
        let dx = b.x - a.x, dy = b.y - a.y
        func clip(_ p: Double, _ q: Double) -> Bool {
            if p == 0 { return q >= 0 }
            let r = q / p
            if p < 0 { if r > t1 { return false }; if r > t0 { t0 = r } }
            else { if r < t0 { return false }; if r < t1 { t1 = r } }
            return true
        }
        guard clip(-dx, a.x - minX), clip(dx, maxX - a.x), clip(-dy, a.y - minY), clip(dy, maxY - a.y) else { return 0 }
        return t1 > t0 ? (t1 - t0) * (dx * dx + dy * dy).squareRoot() : 0
    }
}

/// Cubic Bézier control points (3k+1 of them) sampled into a polyline.
func sampleBezier(_ controls: [Point], steps: Int = 12, chord: Double? = nil) -> [Point] {
    guard controls.count >= 4 else { return controls }
    var out: [Point] = [controls[0]]
    var i = 0
    while i + 3 < controls.count {
        let p0 = controls[i], p1 = controls[i + 1], p2 = controls[i + 2], p3 = controls[i + 3]
        // (`chord`: a long piece gets more steps, so that no step is longer than that (its
        // control polygon is no shorter than the piece), but no more than keep every step
        // within a quarter point of the curve: n steps stray at most 0.75 · M / n² from
        // it, M the larger of |p0 − 2p1 + p2| and |p1 − 2p2 + p3|. A long straight piece, as
        // in a wide fan-in, keeps its few steps.)
        var steps = steps
        if let chord {
            let length = (p1 - p0).length + (p2 - p1).length + (p3 - p2).length
            let bend = max((p0 - p1 * 2 + p2).length, (p1 - p2 * 2 + p3).length)
            steps = max(steps, min(Int((length / chord).rounded(.up)), Int((3 * bend).squareRoot().rounded(.up))))
        }
        for s in 1...steps {
            let t = Double(s) / Double(steps), u = 1 - t
            let a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t
            out.append(Point(a * p0.x + b * p1.x + c * p2.x + d * p3.x, a * p0.y + b * p1.y + c * p2.y + d * p3.y))
        }
        i += 3
    }
    return out
}
