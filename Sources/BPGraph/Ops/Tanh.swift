import Foundation

extension Op {
    /// tanh a: LG = 1 − y².
    public static let tanh = unary("tanh", symbol: "tanh", { Foundation.tanh($0) }, derivative: { _, y in 1 - y * y })
}
