extension Op {
    /// −a: LG = −1.
    public static let neg = unary("neg", symbol: "−", { -$0 }, derivative: { _, _ in -1 })
}
