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
        let check: GradientCheck
        let name = SpecInput.displayName(spec, expression: expression)
        do { check = try GradientCheck(try SpecInput.evaluate(spec, expression: expression, format: input.inputFormat)) } catch { throw Failure(error) }
        let width = max(5, check.results.map(\.id.count).max() ?? 0)
        var out = "input".padding(toLength: width, withPad: " ", startingAt: 0) + "  max error   result\n"
        for r in check.results {
            out += r.id.padding(toLength: width, withPad: " ", startingAt: 0)
            out += "  " + String(format: "%-10.3g", r.maxError) + "  " + (r.maxError <= tolerance ? "ok" : "FAIL") + "\n"
        }
        for id in check.skipped {
            out += id.padding(toLength: width, withPad: " ", startingAt: 0) + "  —           no gradient (loss target)\n"
        }
        try Terminal.write(out)
        let failed = check.results.filter { $0.maxError > tolerance }
        if !failed.isEmpty {
            throw Failure(failed.map { "\(name): \"\($0.id)\": gradient check failed: error \(String(format: "%.3g", $0.maxError)) > tolerance \(String(format: "%.3g", tolerance))" })
        }
    }
}
