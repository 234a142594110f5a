import Foundation

extension Op {
    /// Softmax along the last axis: yₖ = exp(aₖ)/Σ exp(aᵢ). dx = y·(UG − Σ UG·y) per row.
    public static let softmax = Op(
        name: "softmax", symbol: "Softmax", arity: .exactly(1),
        samples: [Sample([[3]]), Sample([[2, 3]])],
        shape: { shapes, _ throws(OpError) in
            guard !shapes[0].isEmpty else { throw OpError("softmax needs a vector or a matrix, got a scalar") }
            return shapes[0]
        },
        forward: { inputs, _ in softmaxRows(inputs[0]) },
        backward: { _, y, upstream, _ in
            let c = y.shape.last!
            var dx = [Double](repeating: 0, count: y.count)
            for row in stride(from: 0, to: y.count, by: c) {
                var dot = 0.0
                for k in row..<row + c { dot += upstream.data[k] * y.data[k] }
                for k in row..<row + c { dx[k] = y.data[k] * (upstream.data[k] - dot) }
            }
            return [Tensor(shape: y.shape, data: dx)]
        })

    /// Numerically stable softmax over the last axis.
    static func softmaxRows(_ x: Tensor) -> Tensor {
        let c = x.shape.last!
        var out = [Double](repeating: 0, count: x.count)
        for row in stride(from: 0, to: x.count, by: c) {
            let m = x.data[row..<row + c].max()!
            var total = 0.0
            for k in row..<row + c { out[k] = Foundation.exp(x.data[k] - m); total += out[k] }
            for k in row..<row + c { out[k] /= total }
        }
        return Tensor(shape: x.shape, data: out)
    }
}
