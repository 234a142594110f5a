// `bpgraph-bench render`: bpgraph's batch rendering against Graphviz's `dot` command,
// measured side by side in one run (see scripts/bench and the README).
import BPGraph
import BPGraphRender
import Foundation

struct RenderBenchmark {
    /// Repetitions of each timed command; the median is reported.
    var runs = 3
    var figures = 200

    let bpgraph: String
    let dot: String
    let work: String
    let templates: String

    init(runs: Int) throws {
        self.runs = runs
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        bpgraph = here.appendingPathComponent("bpgraph").path
        guard FileManager.default.isExecutableFile(atPath: bpgraph) else {
            throw BenchError("no bpgraph executable beside bpgraph-bench (\(bpgraph)); build it first: swift build -c release --product bpgraph")
        }
        guard let dot = Self.which("dot") else {
            throw BenchError("the benchmark compares against Graphviz's dot command: apt-get install -y graphviz")
        }
        self.dot = dot
        // BPGRAPH_BENCH_TEMPLATES: another folder of specs to take in turn (for example the
        // first 15 templates, to compare with numbers measured before 15–17 were added).
        templates = ProcessInfo.processInfo.environment["BPGRAPH_BENCH_TEMPLATES"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates").path
        work = NSTemporaryDirectory() + "bpgraph-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    // MARK: Running commands

    /// Runs a command to completion (output discarded, stderr kept for a failure's
    /// message) and returns its wall time in seconds. posix_spawn, so that starting
    /// the process costs what it costs a shell.
    @discardableResult
    func time(_ arguments: [String], expectSuccess: Bool = true) throws -> Double {
        try run(arguments, expectSuccess: expectSuccess).seconds
    }

    /// Runs a command to completion (output discarded, stderr kept for a failure's
    /// message): its wall time and peak RSS. posix_spawn, so that starting the process
    /// costs what it costs a shell.
    func run(_ arguments: [String], expectSuccess: Bool = true) throws -> Spawned {
        let errorsPath = work + "/stderr.txt"
        let result = try spawn(arguments, stderrPath: errorsPath)
        if expectSuccess && result.status != 0 {
            let message = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
            throw BenchError("\(arguments.joined(separator: " ")) failed (status \(result.status)): \(message.prefix(400))")
        }
        return result
    }

    /// A shell loop running one `dot` process per figure, as a user's script would.
    func dotLoop(format: String, from dots: String, to out: String, parallel: Int = 1) -> [String] {
        let dpi = format == "png" ? " -Gdpi=144" : ""
        let command: String
        if parallel > 1 {
            command = "mkdir -p '\(out)' && ls '\(dots)' | xargs -P \(parallel) -I{} sh -c '\(dot) -T\(format)\(dpi) \"\(dots)/{}\" -o \"\(out)/{}.\(format)\"'"
        } else {
            command = "mkdir -p '\(out)' && for f in '\(dots)'/*.dot; do '\(dot)' -T\(format)\(dpi) \"$f\" -o \"\(out)/$(basename \"$f\" .dot).\(format)\" || exit 1; done"
        }
        return ["/bin/sh", "-c", command]
    }

    /// Best (shortest) times of interleaved runs of several commands (A B A B …, so a
    /// load drift hits all alike; the best run is the one least disturbed by other
    /// work on the machine). The medians go to `lastMedians`, for the record.
    func best(_ commands: [[String]], before: (() throws -> Void)? = nil) throws -> [Double] {
        var samples = [[Double]](repeating: [], count: commands.count)
        for _ in 0..<runs {
            for (i, command) in commands.enumerated() {
                try before?()
                samples[i].append(try time(command))
            }
        }
        lastMedians = samples.map { $0.sorted()[$0.count / 2] }
        return samples.map { $0.min()! }
    }

    nonisolated(unsafe) static var medians: [Double] = []
    var lastMedians: [Double] {
        get { Self.medians }
        nonmutating set { Self.medians = newValue }
    }

    func medianNote() -> String {
        "(medians " + lastMedians.map { String(format: "%.3f s", $0) }.joined(separator: ", ") + ")"
    }

    // MARK: Inputs

    /// `figures` specs: the templates in turn, each input's values scaled by a factor
    /// between 0.6 and 1.4 (signs kept, so logs stay defined).
    func generateSpecs(into folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: templates).filter { $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty else { throw BenchError("no templates in \(templates)") }
        let sources = try names.map { try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: templates + "/" + $0))) }
        func scale(_ value: Any, _ factor: Double) -> Any {
            if let number = value as? NSNumber {
                return (number.doubleValue * factor * 1000).rounded() / 1000
            }
            if let array = value as? [Any] { return array.map { scale($0, factor) } }
            return value
        }
        for i in 0..<figures {
            guard var spec = sources[i % sources.count] as? [String: Any], let nodes = spec["nodes"] as? [[String: Any]] else { continue }
            let factor = 0.6 + 0.8 * Double((i * 37) % 101) / 100
            spec["nodes"] = nodes.map { node -> [String: Any] in
                var node = node
                if let value = node["value"], (node["const"] as? Bool) != true { node["value"] = scale(value, factor) }
                return node
            }
            let data = try JSONSerialization.data(withJSONObject: spec, options: [.sortedKeys])
            let base = (names[i % names.count] as NSString).deletingPathExtension
            try data.write(to: URL(fileURLWithPath: String(format: "%@/%03d-%@.json", folder, i, base)))
        }
    }

    /// A layered graph of about `nodes` nodes: `width` inputs, then layers in which each
    /// node combines two neighbours of the layer before (or applies a unary op),
    /// and one sum at the end.
    static func layeredSpec(nodes: Int, width: Int = 40) -> String {
        let layers = max(2, nodes / width)
        var parts: [String] = []
        for j in 0..<width { parts.append(#"{"id": "x\#(j)", "value": \#(Double((j % 7) - 3) / 10)}"#) }
        let binary = ["add", "mul", "sub", "max"], unary = ["tanh", "sigmoid", "relu"]
        var previous = (0..<width).map { "x\($0)" }
        for layer in 1..<layers {
            var current: [String] = []
            for j in 0..<width {
                let id = "l\(layer)n\(j)"
                if (layer + j) % 3 == 0 {
                    parts.append(#"{"id": "\#(id)", "op": "\#(unary[(layer + j) % 3])", "in": ["\#(previous[j])"]}"#)
                } else {
                    parts.append(#"{"id": "\#(id)", "op": "\#(binary[(layer * 7 + j) % 4])", "in": ["\#(previous[j])", "\#(previous[(j + 1) % width])"]}"#)
                }
                current.append(id)
            }
            previous = current
        }
        parts.append(#"{"id": "out", "op": "add", "in": [\#(previous.map { "\"\($0)\"" }.joined(separator: ", "))]}"#)
        return #"{"title": "Layered graph", "nodes": ["# + parts.joined(separator: ",\n") + #"], "output": "out"}"#
    }

    // MARK: The benchmark

    func run() throws {
        defer { try? FileManager.default.removeItem(atPath: work) }
        print("render: bpgraph (release) against Graphviz \(Renderer.shared.graphvizVersion)'s dot; best of \(runs) interleaved runs, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("work folder: \(work)\n")
        // Memory first, while this process has rendered nothing else.
        let memoryReport = try memory()
        let specs = work + "/specs"
        try generateSpecs(into: specs)
        // bpgraph's own DOT, for dot to lay out and draw.
        try time([bpgraph, "render", specs, "-o", work + "/dots", "--format", "dot", "--quiet"])
        let count = try FileManager.default.contentsOfDirectory(atPath: work + "/dots").filter { $0.hasSuffix(".dot") }.count
        guard count == figures else { throw BenchError("expected \(figures) DOT files, got \(count)") }

        func line(_ label: String, _ a: Double, _ b: Double, _ target: String) {
            print(String(format: "  %-44@ %8.3f s  %8.3f s  %7.2f×   %@", label as NSString, a, b, b / a, target as NSString))
        }
        print("1. \(figures) specs (the templates in turn, values varied), one batch against one dot process per figure")
        print(String(format: "  %-44@ %10@  %10@  %8@   %@", "" as NSString, "bpgraph" as NSString, "dot" as NSString, "ratio" as NSString, "target" as NSString))
        for format in ["png", "svg"] {
            let batch = [bpgraph, "render", specs, "-o", work + "/out-\(format)", "--format", format, "--force", "--quiet"]
            let times = try best([batch, dotLoop(format: format, from: work + "/dots", to: work + "/dot-\(format)")])
            let target = format == "png" ? 6.0 : 10.0
            line("\(format.uppercased()) batch vs dot loop", times[0], times[1], String(format: "≥ %.0f×  %@", target, times[1] / times[0] >= target ? "met" : "MISSED"))
            print("    " + medianNote() + String(format: "; per figure %.1f ms vs %.1f ms", 1000 * times[0] / Double(figures), 1000 * times[1] / Double(figures)))
            let written = try FileManager.default.contentsOfDirectory(atPath: work + "/out-\(format)").filter { $0.hasSuffix("." + format) }.count
            guard written == figures else { throw BenchError("the batch wrote \(written) \(format) files, expected \(figures)") }
            if format == "png" {
                let parallel = try best([dotLoop(format: format, from: work + "/dots", to: work + "/dot-par-\(format)", parallel: ProcessInfo.processInfo.activeProcessorCount)])
                line("  (dot loop with xargs -P \(ProcessInfo.processInfo.activeProcessorCount), for reference)", times[0], parallel[0], "")
            }
        }

        print("\n2. unchanged rerun against the full run (PNG, \(figures) specs)")
        let full = [bpgraph, "render", specs, "-o", work + "/rerun", "--quiet", "--force"]
        let rerun = [bpgraph, "render", specs, "-o", work + "/rerun", "--quiet"]
        try time(full)
        let times = try best([full, rerun])
        print(String(format: "  full %.3f s, unchanged rerun %.3f s: %.1f %% of the full run   (target ≤ 5 %%: %@)",
                     times[0], times[1], 100 * times[1] / times[0], times[1] / times[0] <= 0.05 ? "met" : "MISSED"))
        print("  " + medianNote())
        let victim = try FileManager.default.contentsOfDirectory(atPath: work + "/rerun").filter { $0.hasSuffix(".png") }.sorted()[0]
        let oneMissing = try best([rerun], before: {
            try FileManager.default.removeItem(atPath: work + "/rerun/" + victim)
        })
        print(String(format: "  one output missing, the rest unchanged: %.3f s", oneMissing[0]))

        print("\n3. one layered graph of ~1,000 nodes: bpgraph (spec → figure) against dot alone on bpgraph's DOT")
        let big = work + "/layered.json"
        try Self.layeredSpec(nodes: 1000).write(toFile: big, atomically: true, encoding: .utf8)
        try time([bpgraph, "render", big, "-o", work + "/layered.dot"])
        let nodeCount = (try String(contentsOfFile: work + "/layered.dot", encoding: .utf8)).split(separator: "\n").filter { $0.contains("[label=") && !$0.contains("->") }.count
        print("  \(nodeCount) nodes drawn")
        for format in ["png", "svg"] {
            let dpi = format == "png" ? ["-Gdpi=144"] : []
            let t = try best([[bpgraph, "render", big, "-o", work + "/layered-bp.\(format)"],
                                 [dot, "-T\(format)"] + dpi + [work + "/layered.dot", "-o", work + "/layered-dot.\(format)"]])
            line("\(format.uppercased()): bpgraph vs dot", t[0], t[1],
                 String(format: "bpgraph/dot = %.2f (target ≤ 1.15: %@)", t[0] / t[1], t[0] / t[1] <= 1.15 ? "met" : "MISSED"))
            print("    " + medianNote())
        }
        // A shape where the labels crowd one node: 999 inputs summed (for reference).
        let fan = work + "/fanin.json"
        let inputs = (0..<999).map { #"{"id": "x\#($0)", "value": \#(Double($0) / 1000)}"# }
        try (#"{"title": "Fan-in", "nodes": ["# + inputs.joined(separator: ",\n")
             + #", {"id": "s", "op": "add", "in": ["# + (0..<999).map { "\"x\($0)\"" }.joined(separator: ", ") + #"]}], "output": "s"}"#)
            .write(toFile: fan, atomically: true, encoding: .utf8)
        try time([bpgraph, "render", fan, "-o", work + "/fanin.dot"])
        let f = try best([[bpgraph, "render", fan, "-o", work + "/fanin-bp.svg"], [dot, "-Tsvg", work + "/fanin.dot", "-o", work + "/fanin-dot.svg"]])
        line("fan-in of 999 inputs, SVG (reference)", f[0], f[1], String(format: "bpgraph/dot = %.2f", f[0] / f[1]))
        print("    " + medianNote())
        try inProcessSteps(big: big)

        print("\n4. peak RSS of one process rendering figures in a loop (spec → PNG bytes, all in process; measured first)")
        print(memoryReport)

        print("\n5. " + (try start(runs: max(21, runs))))

        print("\n6. ", terminator: "")
        try animationBenchmark(runs: max(5, runs), templates: templates)
    }

    /// Where the time of one figure goes, in process: before (Graphviz's png device,
    /// cairo's writer) and after (bpgraph's device, bpgraph's encoder).
    func inProcessSteps(big: String) throws {
        let names = ["08-sigmoid.json", "11-softmax-with-loss-decomposed.json"].map { templates + "/" + $0 }
        try inProcessSteps(files: names + [big], labels: ["08-sigmoid.json", "11-softmax-with-loss-decomposed.json", "layered (~1,000 nodes)"])
    }

    func inProcessSteps(files: [String], labels: [String]? = nil) throws {
        print("\n   in process, one figure at a time (median of \(runs)):")
        print("   figure                                  spec→DOT   Graphviz layout+placement+draw (PNG)   encode: bpgraph   cairo's writer (before)")
        let inputs = try files.enumerated().map { (labels?[$0.offset] ?? ($0.element as NSString).lastPathComponent, try String(contentsOfFile: $0.element, encoding: .utf8)) }
        for (name, text) in inputs {
            var toDOT: [Double] = [], draw: [Double] = [], encode: [Double] = [], cairo: [Double] = [], drawPlain: [Double] = []
            for _ in 0..<runs {
                let t0 = now()
                let figure = try Figure(text: text, file: name.hasSuffix(".yaml") || name.hasSuffix(".yml") ? name : "spec.json",
                                        settings: FigureSettings(format: .png))
                let dot = figure.dot
                let t1 = now()
                let drawing = try figure.drawing()
                let t2 = now()
                _ = try drawing.encoded()
                let t3 = now()
                _ = try drawing.encodedByCairo()
                let t4 = now()
                _ = try Renderer.shared.draw(dot: dot, format: .png, placeLabels: false)
                let t5 = now()
                toDOT.append(t1 - t0); draw.append(t2 - t1); encode.append(t3 - t2); cairo.append(t4 - t3); drawPlain.append(t5 - t4)
            }
            func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] * 1000 }
            print("   " + name.padding(toLength: 38, withPad: " ", startingAt: 0) + String(format: " %7.1f ms   %9.1f ms (%.1f without placement)   %9.1f ms   %12.1f ms", median(toDOT), median(draw), median(drawPlain), median(encode), median(cairo)))
        }
    }

    /// Peak RSS after 10 and after 1,000 renders (decode → evaluate → DOT → layout →
    /// draw → PNG bytes) in this process: one figure rendered again and again, then
    /// the templates in turn (peak after the first round against after 1,000).
    func memory(renders: Int = 1000) throws -> String {
        let texts = try FileManager.default.contentsOfDirectory(atPath: templates).filter { $0.hasSuffix(".json") }.sorted()
            .map { try String(contentsOfFile: templates + "/" + $0, encoding: .utf8) }
        func render(_ text: String) throws {
            let bytes = try Figure(text: text, file: "t.json", settings: FigureSettings(format: .png)).bytes()
            precondition(bytes.count > 100)
        }
        var report = ""
        // One figure (the sigmoid).
        let sigmoid = texts.first { $0.contains("\"reciprocal\"") } ?? texts[0]
        for _ in 0..<10 { try render(sigmoid) }
        let one10 = peakRSS()
        for _ in 10..<1000 { try render(sigmoid) }
        let one1000 = peakRSS()
        report += String(format: "  one figure:        after 10 renders %.1f MB, after 1,000 renders %.1f MB: growth %.1f MB   (target ≤ 5 MB: %@)\n",
                         one10, one1000, one1000 - one10, one1000 - one10 <= 5 ? "met" : "MISSED")
        // The templates in turn.
        for text in texts { try render(text) }
        let round = peakRSS()
        for i in texts.count..<renders { try render(texts[i % texts.count]) }
        let all1000 = peakRSS()
        report += String(format: "  all %d templates:  after one round (%d) %.1f MB, after %d renders %.1f MB: growth %.1f MB   (target ≤ 5 MB: %@); resident now %.1f MB",
                         texts.count, texts.count, round, renders, all1000, all1000 - round, all1000 - round <= 5 ? "met" : "MISSED", currentRSS())
        return report
    }
}

extension RenderBenchmark {
    /// Max RSS of the release CLI rendering a batch of `small` copies of one template
    /// against a batch of `large` copies, for every template and format: what a user's
    /// `bpgraph render specs/ -o out/` holds on to as the batch grows.
    func batchMemory(small: Int = 10, large: Int = 1000, formats: [String] = ["png", "svg", "pdf"], only: String? = nil) throws {
        defer { try? FileManager.default.removeItem(atPath: work) }
        var names = try FileManager.default.contentsOfDirectory(atPath: templates).filter { $0.hasSuffix(".json") }.sorted()
        if let only { names = names.filter { $0.contains(only) } }
        print("batch memory: max RSS of `bpgraph render BATCH -o OUT --format F --force --quiet` (release), \(small) against \(large) copies of one template")
        print("template                                   " + formats.map { $0.uppercased().padding(toLength: 22, withPad: " ", startingAt: 0) }.joined())
        var worst: (growth: Double, what: String) = (-.infinity, "")
        var worstFlat: (growth: Double, what: String) = (-.infinity, "")
        for name in names {
            let text = try String(contentsOfFile: templates + "/" + name, encoding: .utf8)
            let hasGroups = text.contains("\"group\"")
            var cells: [String] = []
            for (count, folder) in [(small, "small"), (large, "large")] {
                let dir = work + "/batch-\(folder)"
                try? FileManager.default.removeItem(atPath: dir)
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                for i in 0..<count { try text.write(toFile: String(format: "%@/%04d.json", dir, i), atomically: false, encoding: .utf8) }
            }
            for format in formats {
                var peaks: [Double] = []
                for folder in ["small", "large"] {
                    let out = work + "/batch-out-\(folder)"
                    let r = try run([bpgraph, "render", work + "/batch-\(folder)", "-o", out, "--format", format, "--force", "--quiet"])
                    peaks.append(r.peakRSS)
                    try? FileManager.default.removeItem(atPath: out)
                }
                let growth = peaks[1] - peaks[0]
                if hasGroups, growth > worst.growth { worst = (growth, "\(name) \(format)") }
                if !hasGroups, growth > worstFlat.growth { worstFlat = (growth, "\(name) \(format)") }
                cells.append(String(format: "%5.1f → %5.1f %+5.1f", peaks[0], peaks[1], growth).padding(toLength: 22, withPad: " ", startingAt: 0))
            }
            print((name + (hasGroups ? " (groups)" : "")).padding(toLength: 43, withPad: " ", startingAt: 0) + cells.joined())
        }
        print(String(format: "largest growth without groups: %+.1f MB (%@; target ≤ 5 MB: %@); with groups: %+.1f MB (%@; target ≤ 5 MB: %@)",
                     worstFlat.growth, worstFlat.what as NSString, worstFlat.growth <= 5 ? "met" : "MISSED",
                     worst.growth, worst.what as NSString, worst.growth <= 5 ? "met" : "MISSED"))
        print(String(format: "(this process's peak RSS: %.1f MB; a child's figure counts only above it)", peakRSS()))
    }
}

extension RenderBenchmark {
    /// One figure as a process, the way a user renders one: `bpgraph render SPEC -o
    /// FIGURE` against `dot -Tpng -Gdpi=144` (or `-Tsvg`) on the same figure's DOT,
    /// interleaved, `runs` times each; medians of wall time and of CPU time (user +
    /// system, which other load on the machine disturbs less).
    func start(runs: Int = 21) throws -> String {
        let spec = templates + "/08-sigmoid.json"
        let dotFile = work + "/sigmoid.dot"
        try time([bpgraph, "render", spec, "-o", dotFile])
        var report = "one figure as a process (08-sigmoid), median of \(runs) interleaved runs: wall time and CPU time\n"
        for format in ["png", "svg"] {
            let dpi = format == "png" ? ["-Gdpi=144"] : []
            let commands = [[bpgraph, "render", spec, "-o", work + "/start-bp.\(format)"],
                            [dot, "-T\(format)"] + dpi + [dotFile, "-o", work + "/start-dot.\(format)"]]
            var wall = [[Double]](repeating: [], count: 2), cpu = [[Double]](repeating: [], count: 2)
            for command in commands { try run(command) }  // a first run of each, not counted (page cache)
            for _ in 0..<runs {
                for (i, command) in commands.enumerated() {
                    let r = try run(command)
                    wall[i].append(r.seconds)
                    cpu[i].append(r.cpu)
                }
            }
            func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
            let (w0, w1, c0, c1) = (median(wall[0]), median(wall[1]), median(cpu[0]), median(cpu[1]))
            report += String(format: "  %@: bpgraph %.1f ms (CPU %.1f ms), dot %.1f ms (CPU %.1f ms): %.2f× dot's wall time, %.2f× its CPU time   (target ≤ 0.8×: %@)\n",
                             format.uppercased(), 1000 * w0, 1000 * c0, 1000 * w1, 1000 * c1, w0 / w1, c0 / c1, w0 / w1 <= 0.8 ? "met" : "MISSED")
        }
        var version: [Double] = []
        for _ in 0..<runs { version.append(try run([bpgraph, "--version"]).seconds) }
        report += String(format: "  bpgraph --version alone: %.1f ms", 1000 * version.sorted()[runs / 2])
        return report
    }
}

extension RenderBenchmark {
    /// RSS of one `bpgraph watch` process after 10 and after `renders` re-renders: the
    /// spec is edited, the benchmark waits for the "rendered" line, and so on. RSS is
    /// read with `ps` (Linux and macOS).
    func watchMemory(template: String, renders: Int, format: String = "png") throws -> String {
        let folder = work + "/watch-specs", out = work + "/watch-out"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let text = try String(contentsOfFile: templates + "/" + template, encoding: .utf8)
        guard text.contains("\"title\": \"") else { throw BenchError("\(template) has no title to edit") }
        let spec = folder + "/figure.json"
        try text.write(toFile: spec, atomically: true, encoding: .utf8)
        let log = work + "/watch.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bpgraph)
        process.arguments = ["watch", folder, "-o", out, "--format", format, "--interval", "20"]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() }; process.waitUntilExit() }
        func rendered() -> Int {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").components(separatedBy: " rendered ").count - 1
        }
        /// Waits for the render count to pass `count`; `edit` is repeated (with a new
        /// number) when nothing happens for two seconds: watch may miss an edit made
        /// while it renders (issue 12), which is not what this measures.
        var edits = 0
        func edit() throws {
            edits += 1
            try text.replacingOccurrences(of: "\"title\": \"", with: "\"title\": \"\(edits) ").write(toFile: spec, atomically: true, encoding: .utf8)
        }
        func waitForRender(after count: Int, editing: Bool) throws {
            var last = now()
            while rendered() <= count {
                guard process.isRunning else { throw BenchError("watch stopped") }
                if editing, now() - last > 2 { try edit(); last = now() }
                usleep(5_000)
            }
        }
        func rss() -> Double {
            let ps = Process()
            ps.executableURL = URL(fileURLWithPath: "/bin/ps")
            ps.arguments = ["-o", "rss=", "-p", String(process.processIdentifier)]
            let p = Pipe()
            ps.standardOutput = p
            try? ps.run()
            let out = String(decoding: p.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            ps.waitUntilExit()
            return (Double(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) / 1024
        }
        try waitForRender(after: 0, editing: false)
        var after10 = 0.0
        for i in 1...renders {
            // A different number each time, so every edit changes the figure.
            let count = rendered()
            try edit()
            try waitForRender(after: count, editing: true)
            if i == 10 { after10 = rss() }
        }
        let end = rss()
        return String(format: "  %@ (%@): RSS after 10 re-renders %.1f MB, after %d: %.1f MB: %+.1f MB", template as NSString, format.uppercased() as NSString, after10, renders, end, end - after10)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
