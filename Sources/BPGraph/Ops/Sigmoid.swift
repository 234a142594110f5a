import Foundation

extension Op {
    /// σ(a) = 1/(1 + e⁻ᵃ): LG = y(1 − y).
    public static let sigmoid = unary("sigmoid", symbol: "σ", { 1 / (1 + Foundation.exp(-$0)) },
                                      derivative: { _, y in y * (1 - y) })
}
