extension Op {
    /// max(0, a): the gradient passes where a > 0 and is 0 where a ≤ 0.
    public static let relu = unary("relu", symbol: "ReLU", { $0 > 0 ? $0 : 0 }, derivative: { x, _ in x > 0 ? 1 : 0 })
}
