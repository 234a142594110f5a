import Foundation

/// Builders for the elementwise ops: each op file states only its function and derivative.
extension Op {
    /// An elementwise op of one input. `derivative(x, y)` is dy/dx at input x with output y.
    static func unary(_ name: String, symbol: String, domain: Sample.Domain = .any,
                      _ f: @escaping @Sendable (Double) -> Double,
                      derivative: @escaping @Sendable (_ x: Double, _ y: Double) -> Double) -> Op {
        Op(name: name, symbol: symbol, arity: .exactly(1),
           samples: [Sample([[]], domains: [domain]), Sample([[3]], domains: [domain]), Sample([[2, 3]], domains: [domain])],
           shape: sameShape,
           forward: { inputs, _ in inputs[0].map(f) },
           backward: { inputs, output, upstream, _ in
               var dx = [Double](repeating: 0, count: upstream.count)
               for i in 0..<dx.count { dx[i] = upstream.data[i] * derivative(inputs[0].data[i], output.data[i]) }
               return [Tensor(shape: upstream.shape, data: dx)]
           })
    }

    /// An elementwise op of two broadcast inputs. `partials(a, b, y)` are (dy/da, dy/db).
    static func binary(_ name: String, symbol: String, domains: [Sample.Domain] = [.any, .any],
                       _ f: @escaping @Sendable (Double, Double) -> Double,
                       partials: @escaping @Sendable (_ a: Double, _ b: Double, _ y: Double) -> (Double, Double)) -> Op {
        Op(name: name, symbol: symbol, arity: .exactly(2),
           samples: [Sample([[], []], domains: domains), Sample([[3], [3]], domains: domains),
                     Sample([[2, 3], [3]], domains: domains), Sample([[2, 1], [1, 3]], domains: domains),
                     Sample([[], [2, 2]], domains: domains)],
           shape: broadcastShape,
           forward: { inputs, _ in Broadcast.apply(inputs) { f($0[0], $0[1]) } },
           backward: { inputs, output, upstream, _ in
               let a = Broadcast.expand(inputs[0], to: output.shape)
               let b = Broadcast.expand(inputs[1], to: output.shape)
               var da = [Double](repeating: 0, count: output.count)
               var db = [Double](repeating: 0, count: output.count)
               for i in 0..<output.count {
                   let (pa, pb) = partials(a.data[i], b.data[i], output.data[i])
                   da[i] = upstream.data[i] * pa
                   db[i] = upstream.data[i] * pb
               }
               return [Broadcast.reduce(Tensor(shape: output.shape, data: da), to: inputs[0].shape),
                       Broadcast.reduce(Tensor(shape: output.shape, data: db), to: inputs[1].shape)]
           })
    }
}
