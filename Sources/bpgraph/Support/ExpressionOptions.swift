import ArgumentParser
import BPGraph

/// `-e/--expr 'L = (x + y) * z' --value x=-2 …`: an expression instead of a spec file,
/// for every command that reads a spec.
struct ExpressionOptions: ParsableArguments {
    @Option(name: [.short, .long],
            help: ArgumentHelp("An expression such as 'L = (x + y) * z', instead of a spec file.", valueName: "expression"))
    var expr: String?

    @Option(name: .customLong("value"),
            help: ArgumentHelp("A value for a variable of --expr: x=-2, or W='[[1,2],[3,4]]' for a matrix. Repeat for each variable.",
                               valueName: "name=value"))
    var values: [String] = []

    /// The name that messages give the expression.
    static let displayName = "<command line>"

    var isGiven: Bool { expr != nil }

    /// Usage errors: exactly one of the spec files and an expression, and values only with an expression.
    func validate(specs: [String]) throws {
        if expr != nil && !specs.isEmpty {
            throw ValidationError("give a spec file or --expr, not both")
        }
        if expr == nil && specs.isEmpty {
            throw ValidationError("missing a spec file (or an expression: -e 'y = 1 / (1 + exp(-x))' --value x=0.5)")
        }
        if expr == nil && !values.isEmpty {
            throw ValidationError("--value gives a variable of --expr; without --expr, values belong in the spec file")
        }
    }

    /// The expression as a spec. Call only when `isGiven`.
    func graphSpec() throws -> GraphSpec {
        guard let expr else { throw Failure(file: Self.displayName, "no expression given") }
        return try ExpressionSpec.commandLine(expression: expr, values: values, file: Self.displayName)
    }
}
