/// One operation: its name in specs, its symbol in figures, what it accepts, how it
/// computes its output (forward) and, right beside it, how the gradient flows back
/// (backward). Every op lives in its own file under `Ops/` and is listed once in
/// `Op.all`; the decoder, the graph builder, the engine, the drawing and the tests all
/// read that table.
public struct Op: Sendable {
    public enum Arity: Sendable, Equatable {
        case exactly(Int)
        case atLeast(Int)

        func accepts(_ n: Int) -> Bool {
            switch self {
            case .exactly(let k): return n == k
            case .atLeast(let k): return n >= k
            }
        }

        var description: String {
            switch self {
            case .exactly(1): return "1 input"
            case .exactly(let k): return "\(k) inputs"
            case .atLeast(let k): return "\(k) or more inputs"
            }
        }
    }

    /// Shape inference: the output shape for these input shapes, or a message saying why not.
    public typealias ShapeRule = @Sendable (_ shapes: [[Int]], _ attributes: Attributes) throws(OpError) -> [Int]
    /// Forward: the output value. Throws only for value-dependent problems (a class index out of range).
    public typealias Forward = @Sendable (_ inputs: [Tensor], _ attributes: Attributes) throws(OpError) -> Tensor
    /// Backward: each input's share of the gradient (DG = UG × LG), shaped like that input;
    /// nil for an input that gets no gradient (a loss's targets).
    public typealias Backward = @Sendable (_ inputs: [Tensor], _ output: Tensor, _ upstream: Tensor, _ attributes: Attributes) -> [Tensor?]
    /// Work of one forward evaluation, in multiply-adds, from the input shapes and the
    /// output's: estimated before anything is computed, so that a graph too costly to
    /// evaluate is refused at once. Nil: about one per element of the output.
    public typealias Work = @Sendable (_ shapes: [[Int]], _ output: [Int]) -> Double

    public let name: String
    /// Text drawn inside the op's circle.
    public let symbol: String
    public let arity: Arity
    /// The attributes this op reads from its node (`axis`, `times`, `p`).
    public let attributes: [AttributeRule]
    public let shape: ShapeRule
    public let forward: Forward
    public let backward: Backward
    /// Inputs that never receive a gradient (the targets of the loss ops).
    public let nonDifferentiableInputs: Set<Int>
    /// Test cases: input shapes and values the finite-difference test sweeps for this op.
    public let samples: [Sample]
    /// Work beyond one multiply-add per output element (matmul's inner products).
    public let work: Work?

    public init(name: String, symbol: String, arity: Arity, attributes: [AttributeRule] = [],
                nonDifferentiableInputs: Set<Int> = [], samples: [Sample], work: Work? = nil,
                shape: @escaping ShapeRule, forward: @escaping Forward, backward: @escaping Backward) {
        self.work = work
        self.name = name
        self.symbol = symbol
        self.arity = arity
        self.attributes = attributes
        self.nonDifferentiableInputs = nonDifferentiableInputs
        self.samples = samples
        self.shape = shape
        self.forward = forward
        self.backward = backward
    }

    /// A finite-difference test case: inputs drawn from `domain` with these shapes, and attributes.
    public struct Sample: Sendable {
        public enum Domain: Sendable {
            case any, positive
            /// Probabilities (positive, rows summing to 1).
            case probabilities
            /// One-hot targets of this shape.
            case oneHot
            /// Class indices into `classes` classes.
            case classIndices(classes: Int)
        }
        public var shapes: [[Int]]
        public var domains: [Domain]
        public var attributes: Attributes

        public init(_ shapes: [[Int]], domains: [Domain]? = nil, attributes: Attributes = Attributes()) {
            self.shapes = shapes
            self.domains = domains ?? Array(repeating: .any, count: shapes.count)
            self.attributes = attributes
        }
    }
}

/// A problem an op finds with its inputs; the graph builder adds the file and the node.
public struct OpError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// An attribute an op accepts, and what values are valid.
public struct AttributeRule: Sendable {
    public enum Kind: Sendable { case positiveInteger, integer, number }
    public var name: String
    public var kind: Kind
    public var required: Bool
    public init(_ name: String, _ kind: Kind, required: Bool = false) {
        self.name = name
        self.kind = kind
        self.required = required
    }
}

/// The validated attribute values of one node.
public struct Attributes: Sendable, Equatable {
    public var values: [String: Double]
    public init(_ values: [String: Double] = [:]) { self.values = values }
    public subscript(_ name: String) -> Double? { values[name] }
    public func int(_ name: String) -> Int? { values[name].map { Int($0) } }
}

extension Op {
    /// Every op, in the order the documentation lists them.
    public static let all: [Op] = [
        .add, .sub, .mul, .div,
        .neg, .reciprocal, .exp, .log, .pow,
        .sigmoid, .tanh, .relu, .max,
        .matmul, .repeat, .sum,
        .softmax, .crossEntropy, .softmaxWithLoss,
    ]

    public static let byName: [String: Op] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Every attribute name any op reads, so the decoder can tell attributes from typos.
    public static let attributeNames: [String] = {
        var names: [String] = []
        for op in all { for a in op.attributes where !names.contains(a.name) { names.append(a.name) } }
        return names
    }()
}

// MARK: - Helpers shared by the op files

extension Op {
    /// Shape rule for elementwise ops over broadcast inputs.
    static let broadcastShape: ShapeRule = { shapes, _ throws(OpError) in
        guard let shape = Broadcast.shape(shapes) else {
            throw OpError("shapes " + shapes.map(describeShape).joined(separator: " and ") + " do not broadcast")
        }
        return shape
    }

    /// Shape rule for ops whose output has the input's shape.
    static let sameShape: ShapeRule = { shapes, _ throws(OpError) in shapes[0] }

    /// Normalizes an axis attribute (negative counts from the end) against `rank` axes.
    static func axis(_ raw: Int, rank: Int, name: String = "axis") throws(OpError) -> Int {
        let axis = raw < 0 ? raw + rank : raw
        guard axis >= 0 && axis < rank else {
            throw OpError("\(name) \(raw) is out of range for a value of rank \(rank) (valid: 0..<\(rank))")
        }
        return axis
    }
}

/// A standard normal random stream with a fixed seed, for test inputs.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
