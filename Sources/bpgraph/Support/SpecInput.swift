import ArgumentParser
import BPGraph
import Foundation

/// Options shared by every command that reads a spec.
struct SpecInputOptions: ParsableArguments {
    @Option(name: .long, help: "Format of a spec read from standard input (json or yaml); sniffed when omitted.")
    var inputFormat: SpecFormat?
}

extension SpecFormat: ExpressibleByArgument {}

/// Reading spec files (the library itself does no file I/O).
enum SpecInput {
    /// The text of a spec file, or of standard input for "-".
    static func read(_ path: String) throws -> String {
        let data: Data
        if path == "-" {
            data = try Terminal.readStandardInput()
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw Failure(file: path, "no such file")
            }
            if isDirectory.boolValue { throw Failure(file: path, "is a directory, expected a spec file") }
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw Failure(file: path, "cannot read the file")
            }
            data = contents
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(file: displayName(path), "the file is not UTF-8 text")
        }
        return text
    }

    static func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

    /// Reads, decodes and resolves a spec into a checked graph.
    static func graph(_ path: String, format: SpecFormat?) throws -> Graph {
        try graph(text: read(path), path: path, format: format)
    }

    /// Decodes and resolves spec text already read from `path` (its extension, or
    /// sniffing for standard input, picks the format unless `format` is given).
    static func graph(text: String, path: String, format: SpecFormat?) throws -> Graph {
        let spec = try SpecDecoder.decode(text, file: displayName(path), format: format ?? (path == "-" ? nil : SpecFormat.from(fileName: path)))
        return try Graph(spec)
    }

    /// The spec file at `path`, or the expression when one is given instead (checked by
    /// `ExpressionOptions.validate(specs:)`), resolved into a checked graph.
    static func graph(_ path: String?, expression: ExpressionOptions, format: SpecFormat?) throws -> Graph {
        if expression.isGiven || path == nil { return try Graph(expression.graphSpec()) }
        return try graph(path!, format: format)
    }

    static func evaluate(_ path: String?, expression: ExpressionOptions, format: SpecFormat?) throws -> EvaluatedGraph {
        try EvaluatedGraph(graph(path, expression: expression, format: format))
    }

    /// What messages call the spec: its file, standard input, or the command line.
    static func displayName(_ path: String?, expression: ExpressionOptions) -> String {
        if expression.isGiven { return ExpressionOptions.displayName }
        return path.map(displayName) ?? ExpressionOptions.displayName
    }
}
