/// A uniform grid over boxes, for "which of these items may touch this box?" in time
/// proportional to the answer rather than to the number of items. Items are numbered
/// in insertion order and `query` returns them in that order, so sums taken over
/// its answer add up in the same order as a loop over all items would (items that
/// do not touch the box contribute nothing to such sums), and give the same bits.
///
/// The cells are a flat array over the cells used so far (grown, and filled again,
/// when an item falls outside them), each a linked list of entries: no hashing and no
/// array per cell.
struct SpatialGrid {
    let cell: Double
    /// The cells held: columns x0 ..< x0 + nx, rows y0 ..< y0 + ny; `head[(x - x0) * ny + (y - y0)]`
    /// is the cell's first entry (−1: none).
    private var x0: Int32 = 0, y0: Int32 = 0, nx: Int32 = 0, ny: Int32 = 0
    private var head: [Int32] = []
    /// The cell's last entry (new entries go after it, so a cell's items are in order).
    private var tail: [Int32] = []
    /// Entries: an item and the next entry of its cell.
    private var entryItem: [Int32] = []
    private var entryNext: [Int32] = []
    /// Each item's cells (lx > hx: none), to fill the cells again when they grow.
    private var ranges: [(lx: Int32, hx: Int32, ly: Int32, hy: Int32)] = []
    /// One bit per item, all clear between queries (`query`'s scratch).
    private var bits: [UInt64] = []
    private(set) var count = 0

    init(cell: Double) { self.cell = cell }

    private func range(_ box: Box) -> (lx: Int32, hx: Int32, ly: Int32, hy: Int32)? {
        guard box.minX.isFinite, box.minY.isFinite, box.maxX.isFinite, box.maxY.isFinite,
              box.minX <= box.maxX, box.minY <= box.maxY else { return nil }
        func index(_ v: Double) -> Int32 { Int32(clamping: Int((v / cell).rounded(.down))) }
        return (index(box.minX), index(box.maxX), index(box.minY), index(box.maxY))
    }

    private mutating func link(_ id: Int, _ r: (lx: Int32, hx: Int32, ly: Int32, hy: Int32)) {
        guard r.lx <= r.hx else { return }
        for x in r.lx...r.hx {
            let column = Int(x - x0) * Int(ny)
            for y in r.ly...r.hy {
                let c = column + Int(y - y0)
                let e = Int32(entryItem.count)
                entryItem.append(Int32(id))
                entryNext.append(-1)
                if head[c] < 0 { head[c] = e } else { entryNext[Int(tail[c])] = e }
                tail[c] = e
            }
        }
    }

    /// Holds at least the cells of `r` (with some more around them), filling them again.
    private mutating func grow(_ r: (lx: Int32, hx: Int32, ly: Int32, hy: Int32)) {
        var lx = Int(r.lx), hx = Int(r.hx), ly = Int(r.ly), hy = Int(r.hy)
        if nx > 0 {
            lx = min(lx, Int(x0)); hx = max(hx, Int(x0) + Int(nx) - 1)
            ly = min(ly, Int(y0)); hy = max(hy, Int(y0) + Int(ny) - 1)
        }
        let padX = max(2, (hx - lx + 1) / 2), padY = max(2, (hy - ly + 1) / 2)
        lx = max(Int(Int32.min), lx - padX); hx = min(Int(Int32.max), hx + padX)
        ly = max(Int(Int32.min), ly - padY); hy = min(Int(Int32.max), hy + padY)
        x0 = Int32(lx); y0 = Int32(ly); nx = Int32(hx - lx + 1); ny = Int32(hy - ly + 1)
        head = [Int32](repeating: -1, count: Int(nx) * Int(ny))
        tail = [Int32](repeating: -1, count: Int(nx) * Int(ny))
        entryItem.removeAll(keepingCapacity: true)
        entryNext.removeAll(keepingCapacity: true)
        for id in ranges.indices { link(id, ranges[id]) }
    }

    /// Room for `items` items in about as many cells each (only capacity: nothing else changes).
    mutating func reserveCapacity(items: Int, entries: Int) {
        ranges.reserveCapacity(items)
        bits.reserveCapacity(items / 64 + 1)
        entryItem.reserveCapacity(entries)
        entryNext.reserveCapacity(entries)
    }

    /// Makes room for items within `box` (else the cells grow as items come).
    mutating func cover(_ box: Box) {
        guard let r = range(box) else { return }
        if nx == 0 || r.lx < x0 || r.ly < y0 || Int(r.hx) >= Int(x0) + Int(nx) || Int(r.hy) >= Int(y0) + Int(ny) { grow(r) }
    }

    /// Adds an item covering `box`; returns its number. An item with an empty or
    /// infinite box is numbered but found by no query.
    @discardableResult
    mutating func insert(_ box: Box) -> Int {
        let id = count
        count += 1
        if count > bits.count * 64 { bits.append(0) }
        guard let r = range(box) else { ranges.append((1, 0, 1, 0)); return id }
        ranges.append(r)
        if nx == 0 || r.lx < x0 || r.ly < y0 || Int(r.hx) >= Int(x0) + Int(nx) || Int(r.hy) >= Int(y0) + Int(ny) {
            grow(r)  // (fills every item's cells, this one's too)
        } else {
            link(id, r)
        }
        return id
    }

    /// The items whose cells meet `box`, each once, in insertion order (a superset of
    /// the items whose boxes meet it: callers test the boxes themselves).
    mutating func query(_ box: Box, into out: inout [Int]) {
        out.removeAll(keepingCapacity: true)
        guard nx > 0, let r = range(box) else { return }
        // (Cells outside those held hold nothing.)
        let lx = max(Int(r.lx), Int(x0)), hx = min(Int(r.hx), Int(x0) + Int(nx) - 1)
        let ly = max(Int(r.ly), Int(y0)), hy = min(Int(r.hy), Int(y0) + Int(ny) - 1)
        guard lx <= hx, ly <= hy else { return }
        // (One cell: its items are in order, each once.)
        if lx == hx && ly == hy {
            var e = Int(head[(lx - Int(x0)) * Int(ny) + ly - Int(y0)])
            while e >= 0 { out.append(Int(entryItem[e])); e = Int(entryNext[e]) }
            return
        }
        // (Several: each item's bit set, then the bits read in order, each item once,
        // lowest first, clearing them: no stamps and no sort.)
        var lo = Int.max, hi = -1
        // (Plain indexing: closures over the arrays would copy them, retained, per query.)
        for x in lx...hx {
            let column = (x - Int(x0)) * Int(ny) - Int(y0)
            for y in ly...hy {
                var e = Int(head[column + y])
                while e >= 0 {
                    let it = Int(entryItem[e])
                    bits[it >> 6] |= 1 << UInt64(it & 63)
                    lo = min(lo, it); hi = max(hi, it)
                    e = Int(entryNext[e])
                }
            }
        }
        guard hi >= 0 else { return }
        for w in (lo >> 6)...(hi >> 6) {
            var word = bits[w]
            guard word != 0 else { continue }
            bits[w] = 0
            while word != 0 {
                out.append(w << 6 + word.trailingZeroBitCount)
                word &= word - 1
            }
        }
    }
}
