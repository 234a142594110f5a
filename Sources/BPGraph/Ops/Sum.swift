extension Op {
    /// Sums along `axis`, which is removed (no axis: everything, to a scalar).
    /// The gradient copies UG back to every summed element (the notes' sum node).
    public static let sum = Op(
        name: "sum", symbol: "Sum", arity: .exactly(1),
        attributes: [AttributeRule("axis", .integer)],
        samples: [Sample([[3]]), Sample([[2, 3]]), Sample([[2, 3]], attributes: Attributes(["axis": 0])),
                  Sample([[2, 3]], attributes: Attributes(["axis": 1])), Sample([[3]], attributes: Attributes(["axis": -1]))],
        shape: { shapes, attributes throws(OpError) in
            guard let raw = attributes.int("axis") else { return [] }
            var shape = shapes[0]
            guard !shape.isEmpty else { throw OpError("axis \(raw) given, but the input is a scalar") }
            shape.remove(at: try Op.axis(raw, rank: shape.count))
            return shape
        },
        forward: { inputs, attributes in
            let x = inputs[0]
            guard let raw = attributes.int("axis") else { return Tensor(x.data.reduce(0, +)) }
            var kept = x.shape
            kept[raw < 0 ? raw + x.rank : raw] = 1
            let reduced = Broadcast.reduce(x, to: kept)
            return Tensor(shape: kept.enumerated().filter { $0.offset != (raw < 0 ? raw + x.rank : raw) }.map(\.element),
                          data: reduced.data)
        },
        backward: { inputs, _, upstream, attributes in
            let x = inputs[0]
            guard let raw = attributes.int("axis") else { return [Tensor.filled(upstream.scalar, shape: x.shape)] }
            var kept = x.shape
            kept[raw < 0 ? raw + x.rank : raw] = 1
            return [Broadcast.expand(Tensor(shape: kept, data: upstream.data), to: x.shape)]
        })
}
