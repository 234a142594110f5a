import Foundation

extension Op {
    /// L = −(1/N)·Σ t·log y over probabilities y and targets t (one-hot, same shape, or
    /// class indices, one per row); N is the number of rows (a vector is one row).
    /// dy = −t/(N·y); t gets no gradient.
    public static let crossEntropy = Op(
        name: "cross_entropy", symbol: "Cross Entropy", arity: .exactly(2),
        nonDifferentiableInputs: [1],
        samples: [Sample([[3], [3]], domains: [.probabilities, .oneHot]),
                  Sample([[2, 3], [2, 3]], domains: [.probabilities, .oneHot]),
                  Sample([[2, 3], [2]], domains: [.probabilities, .classIndices(classes: 3)]),
                  Sample([[3], []], domains: [.probabilities, .classIndices(classes: 3)])],
        shape: { shapes, _ throws(OpError) in try lossShape(shapes) },
        forward: { inputs, _ throws(OpError) in
            let (y, t) = (inputs[0], inputs[1])
            let target = try oneHot(t, like: y)
            let n = Double(y.rank == 2 ? y.shape[0] : 1)
            var total = 0.0
            for i in 0..<y.count where target.data[i] != 0 { total += target.data[i] * Foundation.log(y.data[i]) }
            return Tensor(-total / n)
        },
        backward: { inputs, _, upstream, _ in
            let (y, t) = (inputs[0], inputs[1])
            guard let target = try? oneHot(t, like: y) else { return [Tensor.zeros(y.shape), nil] }
            let n = Double(y.rank == 2 ? y.shape[0] : 1)
            let g = upstream.scalar
            let dy = zip(y.data, target.data).map { y, t in t == 0 ? 0 : -g * t / (n * y) }
            return [Tensor(shape: y.shape, data: dy), nil]
        })

    /// Shape rule shared by the loss ops: scores/probabilities (C) or (N,C); targets of the
    /// same shape (one-hot) or of indices, (N) or a scalar. The loss is a scalar.
    static func lossShape(_ shapes: [[Int]]) throws(OpError) -> [Int] {
        let (y, t) = (shapes[0], shapes[1])
        guard y.count == 1 || y.count == 2 else {
            throw OpError("the scores must be a vector (C) or a matrix (N, C), got \(describeShape(y))")
        }
        let indexShape = Array(y.dropLast())
        guard t == y || t == indexShape else {
            throw OpError("targets of shape \(describeShape(t)) match neither the scores \(describeShape(y)) (one-hot) nor \(describeShape(indexShape)) (class indices)")
        }
        return []
    }

    /// Targets as a one-hot (or soft) tensor shaped like `y`; class indices are checked.
    static func oneHot(_ t: Tensor, like y: Tensor) throws(OpError) -> Tensor {
        if t.shape == y.shape { return t }
        let classes = y.shape.last!
        var out = [Double](repeating: 0, count: y.count)
        for (row, value) in t.data.enumerated() {
            guard value == value.rounded(), value >= 0, value < Double(classes) else {
                throw OpError("class index \(NumberText.exact(value)) is out of range for \(classes) classes (valid: 0..<\(classes))")
            }
            out[row * classes + Int(value)] = 1
        }
        return Tensor(shape: y.shape, data: out)
    }
}
