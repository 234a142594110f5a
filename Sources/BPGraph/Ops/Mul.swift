extension Op {
    /// a × b: the inputs swap, d/da = UG·b, d/db = UG·a.
    public static let mul = binary("mul", symbol: "×", { $0 * $1 }, partials: { a, b, _ in (b, a) })
}
