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
            standard output with -o -. Several specs, or directories of specs (searched \
            recursively), render in one process into the directory -o names, one file per \
            spec, named like the spec (sub-folders kept). A batch skips outputs whose spec, \
            theme, options and bpgraph/Graphviz versions are unchanged since the last run \
            (recorded in OUT/.bpgraph-cache.json); --force renders them anyway. \
            -e 'L = (x + y) * z' --value x=-2 … renders an expression instead of a spec file.

            Markdown posts (.md): each ```bpgraph block (JSON, YAML, or an expression line \
            followed by lines such as x = 0.5), at the top level, in a list item or in a block \
            quote, renders to bpgraph-<hash>.svg (--format svg|png|pdf) where the post's site \
            publishes it (Jekyll, Hugo, MkDocs or a plain folder, found from the post; --site, \
            --assets, --link-prefix override), and an image line that resolves on the built \
            site is written after the block, in its container (or in its place, with --replace), \
            into the post given by -o, or into the post itself without -o. Running it again \
            changes nothing; figures a changed block no longer uses are deleted.
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

    @Flag(help: "Render every spec of a batch, even those whose output is up to date.")
    var force = false

    @Flag(name: .shortAndLong, help: "No progress bar and no summary; only errors.")
    var quiet = false

    @Option(help: ArgumentHelp("Worker threads for a batch (default: the number of cores). Graphviz itself draws one figure at a time.", valueName: "n"))
    var jobs: Int?

    @Flag(help: "Step by step: one frame per step into the directory -o names (NAME-000.png …): the forward pass a node at a time, then the backward pass an edge at a time, each with a caption of its arithmetic.")
    var steps = false

    @Flag(help: "The steps as one animation: -o NAME.svg (CSS keyframes, no script) or -o NAME.png (APNG).")
    var animate = false

    @Option(help: ArgumentHelp("Time per step of --animate, in milliseconds (the last frame holds three times as long).", valueName: "ms"))
    var frameMs: Int?

    @OptionGroup var figure: FigureArguments
    @OptionGroup var input: SpecInputOptions
    @OptionGroup var expression: ExpressionOptions
    @OptionGroup var post: PostOptions

    func validate() throws {
        try expression.validate(specs: specs)
        try post.validate(specs: specs, format: format)
        guard dpi >= 10 && dpi <= 1200 else { throw ValidationError("--dpi must be from 10 to 1200, got \(Renderer.format(dpi))") }
        guard maxNodes >= 1 else { throw ValidationError("--max-nodes must be at least 1") }
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be from 1 to 64, got \(jobs)") }
        if steps && animate { throw ValidationError("--steps writes one file per step and --animate one animated file: choose one") }
        if let frameMs {
            guard animate else { throw ValidationError("--frame-ms is for --animate") }
            guard (20...60_000).contains(frameMs) else { throw ValidationError("--frame-ms must be from 20 to 60000, got \(frameMs)") }
        }
        if (steps || animate) && specs.contains(where: PostOptions.isPost) {
            throw ValidationError("in a Markdown post, ask for steps or an animation in the block (steps: true, animate: true)")
        }
        if let format, (steps || animate) && format != .png && format != .svg {
            throw ValidationError("--\(steps ? "steps" : "animate") makes png or svg, not \(format.rawValue)")
        }
    }

    func run() throws {
        if specs.contains(where: PostOptions.isPost) { return try renderPosts() }  // Markdown posts: Render+Posts.swift
        if steps { return try renderSteps() }
        var (jobs, toDirectory) = try plan()
        let runner: BatchRunner
        do {
            let options = try figure.options()
            if animate, let other = jobs.first(where: { $0.format != .svg && $0.format != .png }) {
                throw Usage.error("--animate makes an animated .svg or .png (APNG), not \(other.format.rawValue)", place: "-o \(other.output)")
            }
            if options.darkTheme != nil, let other = jobs.first(where: { $0.format != .svg }) {
                throw Usage.error("--theme auto makes one SVG for light and dark pages, not \(other.format.rawValue); use an .svg output or --format svg (Markdown posts also get light and dark PNGs)")
            }
            if expression.isGiven { jobs[0].given = try expression.graphSpec() }
            runner = BatchRunner(settings: BatchSettings(
                options: options, dpi: dpi, maxNodes: maxNodes, inputFormat: input.inputFormat, force: force, quiet: quiet,
                animationFrameMs: animate ? frameMs ?? Figure.defaultFrameMs : nil,
                // (One spec has no workers: the core count reads the cgroup's CPU quota files.)
                workers: toDirectory ? self.jobs ?? ProcessInfo.processInfo.activeProcessorCount : 1,
                fingerprintContext: toDirectory ? try fingerprintContext(options) : []))
        } catch {
            // A bad theme (--theme auto for a PNG or PDF included), expression or --value: the
            // one figure asked for is not made, so an older one must not stay behind looking
            // like it. (A batch's folder is left as it is: nothing in it was attempted.)
            if !toDirectory, jobs[0].output != "-" { AtomicFile.removeStale(jobs[0].output) }
            throw error
        }
        guard toDirectory, let folder = output else {
            // One spec: no progress, no summary, no cache; the same rendering path as a batch.
            if jobs[0].output != "-" { AtomicFile.removeDeadTemporaries(in: (jobs[0].output as NSString).deletingLastPathComponent) }
            if case .failed(let lines) = runner.process(jobs[0], cache: nil) { throw Failure(lines) }
            return
        }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        catch { throw Failure(file: folder, "cannot create the directory") }
        let counts = runner.run(jobs, directory: folder)
        if counts.failed > 0 || counts.otherProblems > 0 { throw ExitCode(1) }
    }

    /// What besides the spec decides an output's bytes (see `Fingerprint`).
    func fingerprintContext(_ options: FigureOptions) throws -> [String] {
        var lines = [
            "bpgraph \(BPGraphVersion.string)", "build \(Fingerprint.buildIdentity)",
            "graphviz \(Renderer.shared.graphvizVersion)", "png-level \(Drawing.pngCompressionLevel)",
            "dpi \(Renderer.format(dpi))", "max-nodes \(maxNodes)", "input-format \(input.inputFormat?.rawValue ?? "-")",
            "theme \(figure.theme)", "options \(String(reflecting: options))",
        ]
        if animate { lines.append("animate \(frameMs ?? Figure.defaultFrameMs)") }
        if let file = figure.themeFile {
            lines.append("theme-file \(XXH64.hex(XXH64.hash(try SpecInput.read(file))))")
        }
        return lines
    }

    typealias Job = BatchJob

    /// `--steps -o DIR`: one spec's frames into DIR (`StepFrames`).
    func renderSteps() throws {
        guard let folder = output, folder != "-" else { throw Usage.error("--steps writes one file per step: name their directory with -o DIR") }
        if let format = OutputFormat.from(path: folder), !FileManager.default.fileExists(atPath: folder) {
            throw Usage.error("--steps writes one file per step into a directory, not into one .\(format.rawValue) file", place: "-o \(folder)")
        }
        let spec: String
        if expression.isGiven {
            spec = ExpressionOptions.displayName
        } else {
            let (inputs, sawDirectory) = try BatchPlan.expand(specs)
            guard inputs.count == 1, !sawDirectory else { throw Usage.error("--steps renders one spec at a time") }
            spec = inputs[0].path
        }
        let base = spec == "-" || expression.isGiven ? "figure" : ((spec as NSString).lastPathComponent as NSString).deletingPathExtension
        do {
            let settings = FigureSettings(options: try figure.options(), format: format ?? .png, dpi: dpi, maxNodes: maxNodes)
            let name = SpecInput.displayName(spec)
            let made = expression.isGiven
                ? try Figure(spec: try expression.graphSpec(), name: name, settings: settings)
                : try Figure(text: try SpecInput.read(spec), file: name, format: input.inputFormat, settings: settings)
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            catch { throw Failure(file: folder, "cannot create the directory") }
            AtomicFile.removeDeadTemporaries(in: folder)
            try StepFrames.write(made, directory: folder, base: base)
        } catch {
            // Frames of an earlier run must not stay behind looking like this spec's.
            StepFrames.removeAll(in: folder, base: base)
            throw error
        }
    }

    /// Which spec goes to which output file, in which format.
    func plan() throws -> ([Job], toDirectory: Bool) {
        if expression.isGiven {
            // An expression from the command line: one figure, to -o or figure.png.
            let out = output ?? "figure." + (format ?? .png).rawValue
            // The expression itself is read in run(), once the output is known.
            return ([try singleJob(spec: ExpressionOptions.displayName, output: out)], false)
        }
        let (inputs, sawDirectory) = try BatchPlan.expand(specs)
        let files = inputs.map(\.path)
        var outputIsDirectory: ObjCBool = false
        let intoExistingDirectory = output.map { $0 != "-" && FileManager.default.fileExists(atPath: $0, isDirectory: &outputIsDirectory) && outputIsDirectory.boolValue } ?? false
        let toDirectory = sawDirectory || files.count > 1 || (intoExistingDirectory && files != ["-"])
        if toDirectory {
            guard let folder = output, folder != "-" else {
                throw Usage.error("several specs render into a directory: name it with -o DIR")
            }
            if let format = OutputFormat.from(path: folder), !FileManager.default.fileExists(atPath: folder) {
                throw Usage.error("several specs render into a directory, not into one .\(format.rawValue) file", place: "-o \(folder)")
            }
            let format = self.format ?? .png
            var seen: [String: String] = [:]
            var jobs: [Job] = []
            for input in inputs {
                let file = input.path
                if file == "-" { throw Usage.error("-: standard input can only be rendered on its own") }
                let relative = input.relativeBase + "." + format.rawValue
                let out = (folder as NSString).appendingPathComponent(relative)
                if let other = seen[out] { throw Failure("\(file) and \(other) would both render to \(out)") }
                seen[out] = file
                jobs.append(Job(spec: file, output: out, format: format, relative: relative))
            }
            return (jobs, true)
        }
        let spec = files[0]
        let out: String
        if let output { out = output } else {
            let base = spec == "-" ? "figure" : ((spec as NSString).lastPathComponent as NSString).deletingPathExtension
            out = base + "." + (format ?? .png).rawValue
        }
        return ([try singleJob(spec: spec, output: out)], false)
    }

    /// One spec to one output file (or "-"), its format from --format or the file name.
    func singleJob(spec: String, output out: String) throws -> Job {
        let format: OutputFormat
        if let chosen = self.format { format = chosen }
        else if out == "-" { format = .png }
        else if let implied = OutputFormat.from(path: out) { format = implied }
        else { throw Failure(file: out, "unknown output format; use a .png, .svg, .pdf or .dot name, or --format") }
        if out == "-" && format != .svg && format != .dot && Terminal.stdoutIsTerminal {
            throw Failure("refusing to write \(format.rawValue) bytes to a terminal; redirect standard output or use --format svg")
        }
        return Job(spec: spec, output: out, format: format)
    }
}
