import Foundation

extension Op {
    /// eᵃ: LG = eᵃ = y.
    public static let exp = unary("exp", symbol: "exp", { Foundation.exp($0) }, derivative: { _, y in y })
}
