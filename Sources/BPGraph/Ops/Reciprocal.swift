extension Op {
    /// 1/a: LG = −1/a² = −y², the book's "/" node.
    public static let reciprocal = unary("reciprocal", symbol: "/", domain: .positive, { 1 / $0 },
                                         derivative: { _, y in -y * y })
}
