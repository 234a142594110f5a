extension Op {
    /// (N,D)·(D,H) → (N,H); as in NumPy a vector operand drops that axis.
    /// dA = UG·Bᵀ, dB = Aᵀ·UG, shaped like A and B.
    public static let matmul = Op(
        name: "matmul", symbol: "MatMul", arity: .exactly(2),
        samples: [Sample([[2, 3], [3, 2]]), Sample([[3], [3, 2]]), Sample([[2, 3], [3]]), Sample([[3], [3]]),
                  Sample([[1, 2], [2, 2]])],
        // One multiply-add per output element and step of the inner dimension.
        work: { shapes, output in Double(output.reduce(1, *)) * Double(shapes[0].last ?? 1) },
        shape: { shapes, _ throws(OpError) in
            let (a, b) = (shapes[0], shapes[1])
            guard (1...2).contains(a.count), (1...2).contains(b.count) else {
                throw OpError("matmul takes vectors and matrices, got shapes \(describeShape(a)) and \(describeShape(b))")
            }
            let inner = a.last!, innerB = b[0]
            guard inner == innerB else {
                throw OpError("inner dimensions differ: \(describeShape(a)) · \(describeShape(b)) (\(inner) ≠ \(innerB))")
            }
            return (a.count == 2 ? [a[0]] : []) + (b.count == 2 ? [b[1]] : [])
        },
        forward: { inputs, _ in
            let (a, b) = (asMatrix(inputs[0], row: true), asMatrix(inputs[1], row: false))
            let y = multiply(a, b)
            return Tensor(shape: outputShape(inputs[0].shape, inputs[1].shape), data: y.data)
        },
        backward: { inputs, _, upstream, _ in
            let a = asMatrix(inputs[0], row: true), b = asMatrix(inputs[1], row: false)
            let g = Tensor(shape: [a.shape[0], b.shape[1]], data: upstream.data)
            let da = multiply(g, transpose(b))
            let db = multiply(transpose(a), g)
            return [Tensor(shape: inputs[0].shape, data: da.data), Tensor(shape: inputs[1].shape, data: db.data)]
        })

    private static func outputShape(_ a: [Int], _ b: [Int]) -> [Int] {
        (a.count == 2 ? [a[0]] : []) + (b.count == 2 ? [b[1]] : [])
    }

    /// A vector as a (1,D) row (left operand) or a (D,1) column (right operand).
    private static func asMatrix(_ t: Tensor, row: Bool) -> Tensor {
        if t.rank == 2 { return t }
        return Tensor(shape: row ? [1, t.count] : [t.count, 1], data: t.data)
    }

    static func transpose(_ m: Tensor) -> Tensor {
        let (r, c) = (m.shape[0], m.shape[1])
        var out = [Double](repeating: 0, count: r * c)
        for i in 0..<r { for j in 0..<c { out[j * r + i] = m.data[i * c + j] } }
        return Tensor(shape: [c, r], data: out)
    }

    static func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (n, d, h) = (a.shape[0], a.shape[1], b.shape[1])
        var out = [Double](repeating: 0, count: n * h)
        for i in 0..<n {
            for k in 0..<d {
                let aik = a.data[i * d + k]
                for j in 0..<h { out[i * h + j] += aik * b.data[k * h + j] }
            }
        }
        return Tensor(shape: [n, h], data: out)
    }
}
