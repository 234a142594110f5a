extension Op {
    /// Elementwise max: UG is routed to the larger input; a tie splits it equally.
    public static let max = binary("max", symbol: "max", { Swift.max($0, $1) },
                                   partials: { a, b, _ in a > b ? (1, 0) : (a < b ? (0, 1) : (0.5, 0.5)) })
}
