extension Op {
    /// Copies the input `times` times along a new axis: (D) → (N,D) for axis 0, (D,N) for
    /// axis 1; a scalar → (N). The gradient sums the copies back (the notes' repeat node).
    public static let `repeat` = Op(
        name: "repeat", symbol: "Repeat", arity: .exactly(1),
        attributes: [AttributeRule("times", .positiveInteger, required: true), AttributeRule("axis", .integer)],
        samples: [Sample([[]], attributes: Attributes(["times": 3])),
                  Sample([[2]], attributes: Attributes(["times": 3])),
                  Sample([[2]], attributes: Attributes(["times": 3, "axis": 1])),
                  Sample([[2, 2]], attributes: Attributes(["times": 2, "axis": 1]))],
        shape: { shapes, attributes throws(OpError) in
            var shape = shapes[0]
            let axis = try Op.axis(attributes.int("axis") ?? 0, rank: shape.count + 1)
            shape.insert(attributes.int("times")!, at: axis)
            return shape
        },
        forward: { inputs, attributes in
            let x = inputs[0]
            let times = attributes.int("times")!
            let axis = attributes.int("axis").map { $0 < 0 ? $0 + x.rank + 1 : $0 } ?? 0
            var shape = x.shape
            shape.insert(times, at: axis)
            var expandedShape = x.shape
            expandedShape.insert(1, at: axis)
            return Broadcast.expand(Tensor(shape: expandedShape, data: x.data), to: shape)
        },
        backward: { inputs, _, upstream, attributes in
            let x = inputs[0]
            let axis = attributes.int("axis").map { $0 < 0 ? $0 + x.rank + 1 : $0 } ?? 0
            var keptShape = x.shape
            keptShape.insert(1, at: axis)
            return [Tensor(shape: x.shape, data: Broadcast.reduce(upstream, to: keptShape).data)]
        })
}
