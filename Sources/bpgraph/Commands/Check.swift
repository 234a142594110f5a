import ArgumentParser
import BPGraph
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare backpropagated gradients with central finite differences.",
        discussion: "Prints the largest error per input; exits 1 when any is above the tolerance.")

    @Argument(help: "The spec file (.json, .yaml), or - for standard input; or use --expr.")
    var spec: String?

    @Option(help: "Largest accepted error |analytic − numeric| / max(1, |analytic|, |numeric|).")
    var tolerance: Double = 1e-6

    @OptionGroup var input: SpecInputOptions

    @OptionGroup var expression: ExpressionOptions

    func validate() throws {
        try expression.validate(specs: spec.map { [$0] } ?? [])
        guard tolerance > 0, tolerance.isFinite else { throw ValidationError("--tolerance must be a positive number") }
    }

    func run() throws {
        let name = SpecInput.displayName(spec, expression: expression)
        let check = try GradientCheck(try SpecInput.evaluate(spec, expression: expression, format: input.inputFormat))
        try Terminal.write(check.table(tolerance: tolerance))
        let failures = check.failures(tolerance: tolerance, file: name)
        if !failures.isEmpty { throw SpecError(failures) }
    }
}
