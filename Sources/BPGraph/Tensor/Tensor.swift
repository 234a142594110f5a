/// A dense, row-major tensor of Doubles: a scalar (shape `[]`), a vector (`[D]`)
/// or a matrix (`[N, D]`, N rows). Higher ranks work in the elementwise ops too.
public struct Tensor: Equatable, Sendable {
    public var shape: [Int]
    public var data: [Double]

    public init(shape: [Int], data: [Double]) {
        precondition(shape.reduce(1, *) == data.count, "tensor data does not fill its shape")
        self.shape = shape
        self.data = data
    }

    public init(_ scalar: Double) {
        self.shape = []
        self.data = [scalar]
    }

    public init(vector: [Double]) {
        self.shape = [vector.count]
        self.data = vector
    }

    public init(matrix rows: [[Double]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "ragged matrix")
        self.shape = [rows.count, columns]
        self.data = rows.flatMap { $0 }
    }

    public static func filled(_ value: Double, shape: [Int]) -> Tensor {
        Tensor(shape: shape, data: Array(repeating: value, count: shape.reduce(1, *)))
    }

    public static func zeros(_ shape: [Int]) -> Tensor { filled(0, shape: shape) }

    public var rank: Int { shape.count }
    public var count: Int { data.count }
    public var isScalar: Bool { shape.isEmpty }
    /// The single value of a scalar (or the first element).
    public var scalar: Double { data[0] }

    public func map(_ f: (Double) -> Double) -> Tensor {
        Tensor(shape: shape, data: data.map(f))
    }

    /// Elementwise combination of two tensors of the same shape.
    public func zip(_ other: Tensor, _ f: (Double, Double) -> Double) -> Tensor {
        precondition(shape == other.shape)
        var out = [Double](repeating: 0, count: data.count)
        for i in 0..<data.count { out[i] = f(data[i], other.data[i]) }
        return Tensor(shape: shape, data: out)
    }

    public var isFinite: Bool { data.allSatisfy { $0.isFinite } }

    /// Rows of a matrix, for display.
    public var rows: [[Double]] {
        switch rank {
        case 0: return [[scalar]]
        case 1: return [data]
        default:
            let columns = shape.last!
            let n = columns == 0 ? 0 : data.count / columns
            return (0..<n).map { Array(data[($0 * columns)..<(($0 + 1) * columns)]) }
        }
    }
}

public func describeShape(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
}

// MARK: - Broadcasting (NumPy rules)

public enum Broadcast {
    /// The broadcast shape of several shapes, or nil when they are incompatible.
    public static func shape(_ shapes: [[Int]]) -> [Int]? {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for s in shapes {
            let offset = rank - s.count
            for (i, d) in s.enumerated() {
                let r = result[offset + i]
                if r == 1 { result[offset + i] = d }
                else if d != 1 && d != r { return nil }
            }
        }
        return result
    }

    /// `tensor` broadcast up to `shape` (which must be a valid broadcast target).
    public static func expand(_ tensor: Tensor, to shape: [Int]) -> Tensor {
        if tensor.shape == shape { return tensor }
        let total = shape.reduce(1, *)
        var out = [Double](repeating: 0, count: total)
        let sourceStrides = strides(of: tensor.shape, alignedTo: shape.count)
        var index = [Int](repeating: 0, count: shape.count)
        for flat in 0..<total {
            var source = 0
            for axis in 0..<shape.count { source += index[axis] * sourceStrides[axis] }
            out[flat] = tensor.data[source]
            increment(&index, shape: shape)
        }
        return Tensor(shape: shape, data: out)
    }

    /// Sums `gradient` (of a broadcast shape) back down to `shape`: the gradient of broadcasting.
    public static func reduce(_ gradient: Tensor, to shape: [Int]) -> Tensor {
        if gradient.shape == shape { return gradient }
        var out = [Double](repeating: 0, count: shape.reduce(1, *))
        let targetStrides = strides(of: shape, alignedTo: gradient.shape.count)
        var index = [Int](repeating: 0, count: gradient.shape.count)
        for flat in 0..<gradient.count {
            var target = 0
            for axis in 0..<index.count { target += index[axis] * targetStrides[axis] }
            out[target] += gradient.data[flat]
            increment(&index, shape: gradient.shape)
        }
        return Tensor(shape: shape, data: out)
    }

    /// Strides of `shape` right-aligned to `rank` axes, 0 on broadcast (size-1 or missing) axes.
    static func strides(of shape: [Int], alignedTo rank: Int) -> [Int] {
        var result = [Int](repeating: 0, count: rank)
        var step = 1
        for i in (0..<shape.count).reversed() {
            let axis = rank - shape.count + i
            result[axis] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return result
    }

    static func increment(_ index: inout [Int], shape: [Int]) {
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { return }
            index[axis] = 0
            axis -= 1
        }
    }

    /// Applies `f` elementwise over broadcast inputs.
    public static func apply(_ inputs: [Tensor], _ f: ([Double]) -> Double) -> Tensor {
        let shape = Self.shape(inputs.map(\.shape))!
        let expanded = inputs.map { expand($0, to: shape) }
        let total = shape.reduce(1, *)
        var out = [Double](repeating: 0, count: total)
        var args = [Double](repeating: 0, count: inputs.count)
        for i in 0..<total {
            for k in 0..<expanded.count { args[k] = expanded[k].data[i] }
            out[i] = f(args)
        }
        return Tensor(shape: shape, data: out)
    }
}
