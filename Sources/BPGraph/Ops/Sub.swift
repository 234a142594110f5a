extension Op {
    /// a − b: +UG to a, −UG to b.
    public static let sub = binary("sub", symbol: "−", { $0 - $1 }, partials: { _, _, _ in (1, -1) })
}
