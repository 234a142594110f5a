import CGraphviz

/// DOT text as cgraph reads it: every node, edge and subgraph with the value of every
/// attribute it has (defaults included), in the order of the text. This is what
/// Graphviz will draw, whatever the text looks like, so tests use it to prove that
/// user strings cannot add a node, an edge or an attribute to a figure.
public struct DOTStructure: Equatable, Sendable {
    public struct Object: Equatable, Sendable {
        public var name: String
        public var attributes: [String: String]
    }

    public struct Edge: Equatable, Sendable {
        public var tail: String
        public var head: String
        public var attributes: [String: String]
    }

    public var graph: [String: String]
    public var nodes: [Object]
    public var edges: [Edge]
    public var subgraphs: [Object]
    /// The names of the attributes declared for graphs, nodes and edges.
    public var declared: Set<String>
}

extension Renderer {
    /// Reads `dot` with cgraph (no layout) and lists what it holds.
    public func structure(of dot: String) throws -> DOTStructure {
        try withGraph(dot) { graph in
            func attributes(_ object: UnsafeMutableRawPointer, kind: Int32) -> [String: String] {
                var out: [String: String] = [:]
                var sym = agnxtattr(graph, kind, nil)
                while let s = sym {
                    let name = String(cString: s.pointee.name)
                    out[name] = agxget(object, s).map { String(cString: $0) } ?? ""
                    sym = agnxtattr(graph, kind, s)
                }
                return out
            }
            func name(_ object: UnsafeMutableRawPointer) -> String { agnameof(object).map { String(cString: $0) } ?? "" }
            func names(kind: Int32) -> [String] {
                var out: [String] = []
                var sym = agnxtattr(graph, kind, nil)
                while let s = sym { out.append(String(cString: s.pointee.name)); sym = agnxtattr(graph, kind, s) }
                return out
            }
            var structure = DOTStructure(graph: attributes(UnsafeMutableRawPointer(graph), kind: Int32(AGRAPH)),
                                         nodes: [], edges: [], subgraphs: [],
                                         declared: Set(names(kind: Int32(AGRAPH)) + names(kind: Int32(AGNODE)) + names(kind: Int32(AGEDGE))))
            var node = agfstnode(graph)
            while let n = node {
                structure.nodes.append(.init(name: name(UnsafeMutableRawPointer(n)),
                                             attributes: attributes(UnsafeMutableRawPointer(n), kind: Int32(AGNODE))))
                var edge = agfstout(graph, n)
                while let e = edge {
                    structure.edges.append(.init(tail: name(UnsafeMutableRawPointer(bp_edge_tail(e))),
                                                 head: name(UnsafeMutableRawPointer(bp_edge_head(e))),
                                                 attributes: attributes(UnsafeMutableRawPointer(e), kind: Int32(AGEDGE))))
                    edge = agnxtout(graph, e)
                }
                node = agnxtnode(graph, n)
            }
            var sub = agfstsubg(graph)
            while let g = sub {
                structure.subgraphs.append(.init(name: name(UnsafeMutableRawPointer(g)),
                                                 attributes: attributes(UnsafeMutableRawPointer(g), kind: Int32(AGRAPH))))
                sub = agnxtsubg(g)
            }
            return structure
        }
    }
}
