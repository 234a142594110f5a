extension Op {
    /// a + b + …: the gradient passes through unchanged (LG = 1), summed over broadcast axes.
    public static let add = Op(
        name: "add", symbol: "+", arity: .atLeast(2),
        samples: [Sample([[], []]), Sample([[3], [3], [3]]), Sample([[2, 3], [3]]), Sample([[2, 1], [1, 3], []])],
        shape: broadcastShape,
        forward: { inputs, _ in Broadcast.apply(inputs) { $0.reduce(0, +) } },
        backward: { inputs, _, upstream, _ in inputs.map { Broadcast.reduce(upstream, to: $0.shape) } })
}
