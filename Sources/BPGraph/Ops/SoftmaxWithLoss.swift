import Foundation

extension Op {
    /// cross_entropy(softmax(a), t), fused: the gradient is (y − t)/N (for targets whose
    /// rows sum to 1, as one-hot targets do; in general (y·Σt − t)/N).
    public static let softmaxWithLoss = Op(
        name: "softmax_with_loss", symbol: "Softmax with Loss", arity: .exactly(2),
        nonDifferentiableInputs: [1],
        samples: [Sample([[3], [3]], domains: [.any, .oneHot]),
                  Sample([[2, 3], [2, 3]], domains: [.any, .oneHot]),
                  Sample([[2, 3], [2]], domains: [.any, .classIndices(classes: 3)])],
        shape: { shapes, _ throws(OpError) in try lossShape(shapes) },
        forward: { inputs, attributes throws(OpError) in
            try crossEntropy.forward([softmaxRows(inputs[0]), inputs[1]], attributes)
        },
        backward: { inputs, _, upstream, _ in
            let (a, t) = (inputs[0], inputs[1])
            let y = softmaxRows(a)
            guard let target = try? oneHot(t, like: a) else { return [Tensor.zeros(a.shape), nil] }
            let n = Double(a.rank == 2 ? a.shape[0] : 1)
            let g = upstream.scalar
            let c = a.shape.last!
            var da = [Double](repeating: 0, count: a.count)
            for row in stride(from: 0, to: a.count, by: c) {
                let rowSum = target.data[row..<row + c].reduce(0, +)
                for k in row..<row + c { da[k] = g * (y.data[k] * rowSum - target.data[k]) / n }
            }
            return [Tensor(shape: a.shape, data: da), nil]
        })
}
