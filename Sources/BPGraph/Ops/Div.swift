extension Op {
    /// a ÷ b: d/da = UG/b, d/db = −UG·a/b².
    public static let div = binary("div", symbol: "÷", domains: [.any, .positive], { $0 / $1 },
                                   partials: { a, b, _ in (1 / b, -a / (b * b)) })
}
