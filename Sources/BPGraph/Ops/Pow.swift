import Foundation

extension Op {
    /// aᵖ for a constant exponent `p`: LG = p·aᵖ⁻¹.
    public static let pow = Op(
        name: "pow", symbol: "^{p}", arity: .exactly(1),
        attributes: [AttributeRule("p", .number, required: true)],
        samples: [Sample([[]], domains: [.positive], attributes: Attributes(["p": 2])),
                  Sample([[3]], domains: [.positive], attributes: Attributes(["p": -1.5])),
                  Sample([[2, 2]], domains: [.any], attributes: Attributes(["p": 3]))],
        shape: sameShape,
        forward: { inputs, attributes in
            let p = attributes["p"]!
            return inputs[0].map { Foundation.pow($0, p) }
        },
        backward: { inputs, _, upstream, attributes in
            let p = attributes["p"]!
            return [inputs[0].zip(upstream) { x, g in g * p * Foundation.pow(x, p - 1) }]
        })
}
