/// A spec resolved into a checked graph: ids resolved to indices, ops looked up,
/// attributes validated, anonymous constants made into nodes, cycles rejected and
/// every shape inferred. This is the step that rejects bad input; everything after
/// it can assume a well-formed graph.
public struct Graph: Sendable {
    public enum Kind: Sendable {
        case input(Tensor)
        case constant(Tensor)
        case op(Op, Attributes)
    }

    public struct Node: Sendable {
        public var id: String
        public var kind: Kind
        /// Indices of the input nodes, in argument order.
        public var inputs: [Int]
        public var shape: [Int]
        public var label: String?
        public var name: String?
        public var group: String?
        /// True for a constant written directly in another node's `in`.
        public var isAnonymous: Bool
        /// Where it was written (`nodes[2] "c"`), for messages.
        public var place: String

        public var op: Op? { if case .op(let op, _) = kind { return op } else { return nil } }
        public var attributes: Attributes { if case .op(_, let a) = kind { return a } else { return Attributes() } }
        public var isConstant: Bool { if case .constant = kind { return true } else { return false } }
        public var isLeaf: Bool { op == nil }
    }

    /// An edge u → v: `from` feeds argument `input` of `to`.
    public struct Edge: Sendable, Equatable {
        public var from: Int
        public var to: Int
        public var input: Int
    }

    public var file: String
    public var title: String?
    /// The spec's default edge labels, if it names them.
    public var labels: String?
    /// Nodes in drawing order: the spec's order, each anonymous constant just before its consumer.
    public private(set) var nodes: [Node]
    /// Edges ordered by consumer, then argument: node `v`'s argument `k` arrives on edge
    /// `firstInEdge[v] + k`.
    public private(set) var edges: [Edge]
    /// Evaluation order: every node after its inputs; spec order where that allows.
    public private(set) var order: [Int]
    public private(set) var output: Int
    public private(set) var seed: Tensor
    /// For each node, the indices of the edges leaving it, in edge order.
    public private(set) var outEdges: [[Int]]
    /// For each node, the index of the edge carrying its first argument (its arguments'
    /// edges follow it); `edges.count` for a node without inputs at the end.
    public private(set) var firstInEdge: [Int]
    /// For each node, its place in `order`.
    public private(set) var orderPosition: [Int]
    private var indexByID: [String: Int]

    public var outputNode: Node { nodes[output] }

    /// The node with this id (an anonymous constant's id too, `c/in1`).
    public func index(of id: String) -> Int? { indexByID[id] }

    /// The edge carrying argument `k` of node `v`.
    public func inEdge(_ v: Int, _ k: Int) -> Int { firstInEdge[v] + k }

    /// A graph from resolved nodes, its adjacency and id index derived from them (the
    /// node's `inputs`). `order` must list every node after its inputs; nothing else is
    /// checked here: `init(_ spec:)` is the checked way in. For tests and tools that
    /// build a graph directly, with ops of their own.
    public init(file: String, title: String? = nil, labels: String? = nil, nodes: [Node], order: [Int],
                output: Int, seed: Tensor) {
        precondition(order.count == nodes.count && nodes.indices.contains(output), "an order must list every node once")
        self.file = file
        self.title = title
        self.labels = labels
        self.nodes = nodes
        self.order = order
        self.output = output
        self.seed = seed
        var edges: [Edge] = []
        edges.reserveCapacity(nodes.reduce(0) { $0 + $1.inputs.count })
        var outEdges = [[Int]](repeating: [], count: nodes.count)
        var firstInEdge = [Int](repeating: 0, count: nodes.count)
        var indexByID: [String: Int] = [:]
        indexByID.reserveCapacity(nodes.count)
        for (to, node) in nodes.enumerated() {
            firstInEdge[to] = edges.count
            if indexByID[node.id] == nil { indexByID[node.id] = to }
            for (k, from) in node.inputs.enumerated() {
                outEdges[from].append(edges.count)
                edges.append(Edge(from: from, to: to, input: k))
            }
        }
        var orderPosition = [Int](repeating: 0, count: nodes.count)
        for (k, n) in order.enumerated() { orderPosition[n] = k }
        self.edges = edges
        self.outEdges = outEdges
        self.firstInEdge = firstInEdge
        self.orderPosition = orderPosition
        self.indexByID = indexByID
    }

    /// This graph with one more node, computed from existing ones and evaluated last
    /// (and made the output when `output` is true, with the seed `seed`).
    public func appending(_ node: Node, output makeOutput: Bool = false, seed newSeed: Tensor? = nil) -> Graph {
        let index = nodes.count
        return Graph(file: file, title: title, labels: labels, nodes: nodes + [node], order: order + [index],
                     output: makeOutput ? index : output, seed: newSeed ?? (makeOutput ? Tensor.filled(1, shape: node.shape) : seed))
    }
}

extension Graph {
    /// Resolves and checks a spec. Throws a `SpecError` listing every independent problem.
    public init(_ spec: GraphSpec) throws {
        let file = spec.file
        var problems = Problems(file: file)

        // 1. Ids, with anonymous constants made into nodes just before their consumer.
        var nodes: [Node] = []
        var indexByID: [String: Int] = [:]
        var pendingInputs: [(node: Int, spec: Int, inputs: [NodeSpec.Input])] = []
        // Every id the spec names, and every id made for an anonymous constant so far.
        var takenIDs = Set(spec.nodes.map(\.id))
        for (specIndex, node) in spec.nodes.enumerated() {
            if let first = indexByID[node.id], !nodes[first].isAnonymous {
                problems.add(node.place, "duplicate id \"\(node.id)\" (first defined at \(nodes[first].place))")
                continue
            }
            var inputs = node.inputs
            for (k, input) in node.inputs.enumerated() {
                guard case .constant(let value) = input else { continue }
                var id = "\(node.id)/in\(k)"
                while takenIDs.contains(id) { id += "'" }
                takenIDs.insert(id)
                indexByID[id] = nodes.count
                nodes.append(Node(id: id, kind: .constant(value), inputs: [], shape: value.shape,
                                  isAnonymous: true, place: "\(node.place): in[\(k)]"))
                inputs[k] = .node(id)
            }
            let kind: Kind
            if let value = node.value {
                kind = node.isConstant ? .constant(value) : .input(value)
            } else {
                kind = .op(.add, Attributes())  // replaced below once the op is checked
            }
            indexByID[node.id] = nodes.count
            pendingInputs.append((nodes.count, specIndex, inputs))
            nodes.append(Node(id: node.id, kind: kind, inputs: [], shape: node.value?.shape ?? [],
                              label: node.label, name: node.name, group: node.group,
                              isAnonymous: false, place: node.place))
        }

        // 2. Ops, arity, attributes and input references.
        var broken = [Bool](repeating: false, count: nodes.count)
        for (index, specIndex, inputs) in pendingInputs {
            let (nodeID, nodePlace) = (nodes[index].id, nodes[index].place)
            let nodeSpec = spec.nodes[specIndex]
            guard let opName = nodeSpec.op else {
                if !nodeSpec.attributes.isEmpty {
                    problems.add(nodePlace, "attribute \"\(nodeSpec.attributes.keys.sorted()[0])\" is for op nodes; an input has none")
                }
                continue
            }
            guard let op = Op.byName[opName] else {
                let hint = SpecDecoder.nearest(opName, in: Op.all.map(\.name)).map { " (did you mean \"\($0)\"?)" } ?? ""
                problems.add(nodePlace, "unknown op \"\(opName)\"\(hint)")
                broken[index] = true
                continue
            }
            var ok = true
            if !op.arity.accepts(inputs.count) {
                problems.add(nodePlace, "\(op.name) takes \(op.arity.description), got \(inputs.count)")
                ok = false
            }
            var resolved: [Int] = []
            for (k, input) in inputs.enumerated() {
                guard case .node(let ref) = input else { continue }
                if ref == nodeID {
                    problems.add(nodePlace, "in[\(k)] refers to the node itself")
                    ok = false
                } else if let target = indexByID[ref] {
                    resolved.append(target)
                } else {
                    let hint = SpecDecoder.nearest(ref, in: spec.nodes.map(\.id)).map { " (did you mean \"\($0)\"?)" } ?? ""
                    problems.add(nodePlace, "in[\(k)]: unknown id \"\(ref)\"\(hint)")
                    ok = false
                }
            }
            if let attributes = Self.checkAttributes(nodeSpec.attributes, of: op, place: nodePlace, problems: &problems) {
                nodes[index].kind = .op(op, attributes)
            } else {
                ok = false
            }
            nodes[index].inputs = resolved
            if !ok { broken[index] = true }
        }

        // 3. The output and the seed.
        let output = indexByID[spec.output]
        if output == nil {
            let hint = SpecDecoder.nearest(spec.output, in: spec.nodes.map(\.id)).map { " (did you mean \"\($0)\"?)" } ?? ""
            problems.add("output", "unknown id \"\(spec.output)\"\(hint)")
        }

        // 4. Evaluation order; cycles are reported once each.
        let order = Self.topologicalOrder(nodes, problems: &problems, broken: &broken)

        // 5. Shapes, in evaluation order; a node whose inputs failed is skipped, not re-reported.
        // The work of evaluating is estimated on the way, before any of it is done.
        var work = 0.0
        var tooCostly = false
        for index in order where nodes[index].op != nil {
            if nodes[index].inputs.contains(where: { broken[$0] }) { broken[index] = true; continue }
            if broken[index] { continue }
            let node = nodes[index]
            let op = node.op!
            do {
                let inputShapes = node.inputs.map { nodes[$0].shape }
                let shape = try op.shape(inputShapes, node.attributes)
                try Self.checkSize(shape)
                nodes[index].shape = shape
                let cost = op.work?(inputShapes, shape) ?? Double(shape.reduce(1, *))
                work += cost
                if work > Self.maximumWork && !tooCostly {
                    tooCostly = true
                    let what = op.work == nil ? "" : " " + inputShapes.map(describeShape).joined(separator: " · ") + " takes \(NumberText.exact(cost)) multiply-adds;"
                    problems.add(node.place, "\(op.name):\(what) the graph would take more than \(NumberText.exact(Self.maximumWork)) multiply-adds to evaluate")
                }
            } catch {
                problems.add(node.place, "\(op.name): \(error.message)")
                broken[index] = true
            }
        }

        // Every value is held at once (and a gradient beside it): cap the graph's total.
        var total = 0
        for node in nodes { total += node.shape.reduce(1, *) }
        if total > Self.maximumTotalElements {
            problems.add(nil, "the graph's values add up to \(total) elements, more than \(Self.maximumTotalElements)")
        }

        var seed = Tensor(1)
        if let output, !broken[output] {
            let shape = nodes[output].shape
            if let given = spec.seed {
                if given.shape == shape { seed = given }
                else if given.isScalar { seed = Tensor.filled(given.scalar, shape: shape) }
                else {
                    problems.add("seed", "shape \(describeShape(given.shape)) does not match the output \"\(spec.output)\" of shape \(describeShape(shape))")
                }
            } else {
                seed = Tensor.filled(1, shape: shape)
            }
        }

        if !problems.diagnostics.isEmpty { throw SpecError(problems.diagnostics) }

        self.init(file: file, title: spec.title, labels: spec.labels, nodes: nodes, order: order,
                  output: output!, seed: seed)
    }

    /// The most elements one value may have: far beyond any readable figure, well below
    /// what would exhaust memory.
    public static let maximumElements = 10_000_000
    /// The most elements all of a graph's values may have together.
    public static let maximumTotalElements = 20_000_000
    /// The most work one forward evaluation may take, in multiply-adds (an 800×800 matrix
    /// product is 512 million: about 2 s to evaluate and backpropagate, 4 s to check).
    public static let maximumWork = 6e8

    static func checkSize(_ shape: [Int]) throws(OpError) {
        var total = 1
        for d in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: d)
            if overflow || product > maximumElements {
                throw OpError("a value of shape \(describeShape(shape)) is too large (at most \(maximumElements) elements)")
            }
            total = product
        }
    }

    private static func checkAttributes(_ given: [String: Double], of op: Op, place: String,
                                        problems: inout Problems) -> Attributes? {
        var ok = true
        for name in given.keys.sorted() where !op.attributes.contains(where: { $0.name == name }) {
            let accepted = op.attributes.isEmpty ? "none" : op.attributes.map { "\"\($0.name)\"" }.joined(separator: ", ")
            problems.add(place, "\(op.name) takes no attribute \"\(name)\" (it takes \(accepted))")
            ok = false
        }
        for rule in op.attributes {
            guard let value = given[rule.name] else {
                if rule.required {
                    problems.add(place, "\(op.name) needs the attribute \"\(rule.name)\"")
                    ok = false
                }
                continue
            }
            let isInteger = value == value.rounded() && abs(value) < 1e9
            switch rule.kind {
            case .positiveInteger where !(isInteger && value >= 1):
                problems.add(place, "\"\(rule.name)\" must be a positive integer, got \(NumberText.exact(value))")
                ok = false
            case .integer where !isInteger:
                problems.add(place, "\"\(rule.name)\" must be an integer, got \(NumberText.exact(value))")
                ok = false
            default:
                break
            }
        }
        return ok ? Attributes(given) : nil
    }

    /// Iterative depth-first topological sort in spec order (no recursion: a 100,000-node
    /// chain must not overflow the stack). Nodes on a cycle are reported and marked broken.
    private static func topologicalOrder(_ nodes: [Node], problems: inout Problems, broken: inout [Bool]) -> [Int] {
        enum Mark { case unvisited, active, done }
        var marks = [Mark](repeating: .unvisited, count: nodes.count)
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        var stack: [(node: Int, next: Int)] = []
        for root in nodes.indices where marks[root] == .unvisited {
            stack.append((root, 0))
            marks[root] = .active
            while let top = stack.last {
                let inputs = nodes[top.node].inputs
                if top.next < inputs.count {
                    stack[stack.count - 1].next += 1
                    let child = inputs[top.next]
                    switch marks[child] {
                    case .unvisited:
                        marks[child] = .active
                        stack.append((child, 0))
                    case .active:
                        // A cycle: the stack from `child` up to here.
                        let start = stack.firstIndex { $0.node == child }!
                        let cycle = stack[start...].map(\.node)
                        // Data flows from each stack entry to the one below it.
                        let names = (cycle.reversed() + [cycle.last!]).map { nodes[$0].id }
                        let first = cycle.min()!
                        if !broken[first] {
                            problems.add(nodes[first].place, "cycle: " + names.joined(separator: " → ") + " (a node cannot depend on itself)")
                        }
                        for n in cycle { broken[n] = true }
                    case .done:
                        break
                    }
                } else {
                    marks[top.node] = .done
                    order.append(top.node)
                    stack.removeLast()
                }
            }
        }
        return order
    }
}
