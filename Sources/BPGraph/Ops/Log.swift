import Foundation

extension Op {
    /// ln a (exact: no epsilon): LG = 1/a.
    public static let log = unary("log", symbol: "log", domain: .positive, { Foundation.log($0) },
                                  derivative: { x, _ in 1 / x })
}
