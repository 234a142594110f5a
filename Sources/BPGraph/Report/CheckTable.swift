/// `bpgraph check`'s report: the largest error per input, and a problem per input above
/// the tolerance.
extension GradientCheck {
    /// One row per input: its largest error and ok or FAIL; then the inputs that get no gradient.
    public func table(tolerance: Double) -> String {
        let number = NumberText(precision: 3, style: .plain)
        let width = max(5, results.map(\.id.count).max() ?? 0)
        var out = "input".padding(toLength: width, withPad: " ", startingAt: 0) + "  max error   result\n"
        for r in results {
            out += r.id.padding(toLength: width, withPad: " ", startingAt: 0)
            out += "  " + number.padded(r.maxError, width: 10) + "  " + (r.maxError <= tolerance ? "ok" : "FAIL") + "\n"
        }
        for id in skipped {
            out += id.padding(toLength: width, withPad: " ", startingAt: 0) + "  —           no gradient (loss target)\n"
        }
        return out
    }

    /// A problem for each input whose error is above `tolerance`; `file` names the spec.
    public func failures(tolerance: Double, file: String) -> [Diagnostic] {
        let number = NumberText(precision: 3, style: .plain)
        return results.filter { $0.maxError > tolerance }.map {
            Diagnostic(.gradientCheck, file: file, place: "\"\($0.id)\"",
                       message: "gradient check failed: error \(number.number($0.maxError)) > tolerance \(number.number(tolerance))")
        }
    }
}
