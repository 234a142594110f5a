import ArgumentParser
import BPGraph
import BPGraphRender
import Foundation

extension OutputFormat: ExpressibleByArgument {}

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Draw specs as backpropagation figures (PNG, SVG, PDF or DOT).",
        discussion: """
            One spec renders to the file -o names (its extension picks the format) or to \
            standard output with -o -. Several specs, or a directory of specs, render into \
            the directory -o names, one file per spec. -e 'L = (x + y) * z' --value x=-2 … \
            renders an expression instead of a spec file.

            Markdown posts (.md): each ```bpgraph block (JSON, YAML, or an expression line \
            followed by lines such as x = 0.5) renders to DIR/bpgraph-<hash>.svg (--assets DIR, \
            --format svg|png|pdf), and an image link is written after the block (or in its place, \
            with --replace) into the post given by -o, or into the post itself without -o. \
            Running it again changes nothing.
            """)

    @Argument(help: "Spec files (.json, .yaml), directories of them, or Markdown posts (.md); - reads standard input.")
    var specs: [String] = []

    @Option(name: .shortAndLong, help: "Output file, directory (several specs), or - for standard output.")
    var output: String?

    @Option(help: "Output format: png, svg, pdf or dot (default: from the output's extension, else png).")
    var format: OutputFormat?

    @Option(help: "Resolution of PNG output, in dots per inch.")
    var dpi: Double = 144

    @Option(help: "Refuse graphs with more nodes than this (layout time grows quickly).")
    var maxNodes: Int = 2000

    @OptionGroup var figure: FigureArguments
    @OptionGroup var input: SpecInputOptions
    @OptionGroup var expression: ExpressionOptions
    @OptionGroup var post: PostOptions

    func validate() throws {
        try expression.validate(specs: specs)
        try post.validate(specs: specs, format: format)
        guard dpi >= 10 && dpi <= 1200 else { throw ValidationError("--dpi must be from 10 to 1200, got \(Renderer.format(dpi))") }
        guard maxNodes >= 1 else { throw ValidationError("--max-nodes must be at least 1") }
    }

    func run() throws {
        if specs.contains(where: PostOptions.isPost) { return try renderPosts() }  // Markdown posts: Render+Posts.swift
        let options = try figure.options()
        let (jobs, toDirectory) = try plan()
        var failures: [String] = []
        if toDirectory, let folder = output {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            catch { throw Failure("\(folder): cannot create the directory") }
        }
        for job in jobs {
            do {
                let graph: Graph
                do { graph = try SpecInput.graph(job.spec, expression: expression, format: input.inputFormat) } catch { throw Failure(error) }
                let bytes = try FigurePipeline.image(graph, name: SpecInput.displayName(job.spec), options: options,
                                                     format: job.format, dpi: dpi, maxNodes: maxNodes)
                if job.output == "-" {
                    FileHandle.standardOutput.write(Data(bytes))
                } else {
                    try AtomicFile.write(bytes, to: job.output)
                }
            } catch {
                if job.output != "-" { AtomicFile.removeStale(job.output) }
                failures += Failure(error).lines
            }
        }
        if !failures.isEmpty { throw Failure(failures) }
    }

    struct Job { var spec: String; var output: String; var format: OutputFormat }

    /// Which spec goes to which output file, in which format.
    func plan() throws -> ([Job], toDirectory: Bool) {
        var files: [String] = expression.isGiven ? [ExpressionOptions.displayName] : []
        var sawDirectory = false
        for spec in specs {
            var isDirectory: ObjCBool = false
            if spec != "-", FileManager.default.fileExists(atPath: spec, isDirectory: &isDirectory), isDirectory.boolValue {
                sawDirectory = true
                let names = (try? FileManager.default.contentsOfDirectory(atPath: spec)) ?? []
                let found = names.filter { SpecFormat.from(fileName: $0) != nil && !$0.hasPrefix(".") }.sorted()
                if found.isEmpty { throw Failure("\(spec): no spec files (.json, .yaml, .yml) in the directory") }
                files += found.map { (spec as NSString).appendingPathComponent($0) }
            } else {
                files.append(spec)
            }
        }
        let toDirectory = sawDirectory || files.count > 1
        if toDirectory {
            guard let folder = output, folder != "-" else {
                throw Failure("several specs render into a directory: name it with -o DIR")
            }
            if let format = OutputFormat.from(path: folder), !FileManager.default.fileExists(atPath: folder) {
                throw Failure("\(folder): several specs render into a directory, not into one .\(format.rawValue) file")
            }
            let format = self.format ?? .png
            var seen: [String: String] = [:]
            var jobs: [Job] = []
            for file in files {
                if file == "-" { throw Failure("-: standard input can only be rendered on its own") }
                let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
                let out = (folder as NSString).appendingPathComponent(base + "." + format.rawValue)
                if let other = seen[out] { throw Failure("\(file) and \(other) would both render to \(out)") }
                seen[out] = file
                jobs.append(Job(spec: file, output: out, format: format))
            }
            return (jobs, true)
        }
        let spec = files[0]
        let out: String
        if let output { out = output } else {
            let base = spec == "-" || expression.isGiven ? "figure" : ((spec as NSString).lastPathComponent as NSString).deletingPathExtension
            out = base + "." + (format ?? .png).rawValue
        }
        let format: OutputFormat
        if let chosen = self.format { format = chosen }
        else if out == "-" { format = .png }
        else if let implied = OutputFormat.from(path: out) { format = implied }
        else { throw Failure("\(out): unknown output format; use a .png, .svg, .pdf or .dot name, or --format") }
        if out == "-" && format != .svg && format != .dot && Terminal.stdoutIsTerminal {
            throw Failure("refusing to write \(format.rawValue) bytes to a terminal; redirect standard output or use --format svg")
        }
        return ([Job(spec: spec, output: out, format: format)], false)
    }
}
