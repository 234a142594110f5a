import BPGraph
import Testing

/// Decodes, resolves and evaluates spec text.
func evaluate(_ text: String, file: String = "test.json") throws -> EvaluatedGraph {
    try EvaluatedGraph(Graph(SpecDecoder.decode(text, file: file)))
}

/// The error lines a bad spec produces (decode, resolve or evaluate), or [] when it is fine.
func errors(_ text: String, file: String = "bad.json") -> [String] {
    do {
        _ = try evaluate(text, file: file)
        return []
    } catch let error as SpecError {
        return error.diagnostics.map(\.description)
    } catch {
        return ["unexpected error type: \(error)"]
    }
}

func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(a), abs(b))
}

func close(_ a: Tensor?, _ b: [Double], _ tolerance: Double = 1e-12) -> Bool {
    guard let a, a.count == b.count else { return false }
    return zip(a.data, b).allSatisfy { close($0, $1, tolerance) }
}
