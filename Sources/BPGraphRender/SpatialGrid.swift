/// A uniform grid over boxes, for "which of these items may touch this box?" in time
/// proportional to the answer rather than to the number of items. Items are numbered
/// in insertion order and `query` returns them in that order, so sums taken over
/// its answer add up in the same order as a loop over all items would (items that
/// do not touch the box contribute nothing to such sums), and give the same bits.
struct SpatialGrid {
    let cell: Double
    private var cells: [Cell: [Int32]] = [:]
    private var stamp: [UInt32] = []
    private var generation: UInt32 = 0
    private(set) var count = 0

    private struct Cell: Hashable { var x: Int32, y: Int32 }

    init(cell: Double) { self.cell = cell }

    private func range(_ box: Box) -> (ClosedRange<Int32>, ClosedRange<Int32>)? {
        guard box.minX.isFinite, box.minY.isFinite, box.maxX.isFinite, box.maxY.isFinite,
              box.minX <= box.maxX, box.minY <= box.maxY else { return nil }
        func index(_ v: Double) -> Int32 { Int32(clamping: Int((v / cell).rounded(.down))) }
        return (index(box.minX)...index(box.maxX), index(box.minY)...index(box.maxY))
    }

    /// Adds an item covering `box`; returns its number. An item with an empty or
    /// infinite box is numbered but found by no query.
    @discardableResult
    mutating func insert(_ box: Box) -> Int {
        let id = count
        count += 1
        stamp.append(0)
        guard let (xs, ys) = range(box) else { return id }
        for x in xs { for y in ys { cells[Cell(x: x, y: y), default: []].append(Int32(id)) } }
        return id
    }

    /// The items whose cells meet `box`, each once, in insertion order (a superset of
    /// the items whose boxes meet it: callers test the boxes themselves).
    mutating func query(_ box: Box, into out: inout [Int]) {
        out.removeAll(keepingCapacity: true)
        guard let (xs, ys) = range(box) else { return }
        generation &+= 1
        if generation == 0 { for i in stamp.indices { stamp[i] = 0 }; generation = 1 }
        for x in xs {
            for y in ys {
                guard let items = cells[Cell(x: x, y: y)] else { continue }
                for item in items where stamp[Int(item)] != generation {
                    stamp[Int(item)] = generation
                    out.append(Int(item))
                }
            }
        }
        out.sort()
    }
}
