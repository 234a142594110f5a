/// The expression form of a spec (`{"expr": "y = …", "values": {…}}`), lowered to nodes.
enum ExpressionSpec {
    static func decode(_ tree: SpecValue, file: String) throws -> GraphSpec {
        throw SpecError(Diagnostic(file: file, place: "expr", message: "expression specs are not supported yet"))
    }
}
