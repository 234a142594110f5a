import Foundation
import Testing

/// Batches: many specs in one process, names mirroring the inputs, failures that do
/// not stop the others, skip-unchanged, and outputs identical to single renders.
@Suite("render batches")
struct BatchCLITests {
    static let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates")

    static let expSpec = "nodes:\n  - {id: x, value: 2}\n  - {id: y, op: exp, in: [x]}\noutput: y\n"
    static let tanhSpec = #"{"nodes": [{"id": "x", "value": 0.3}, {"id": "y", "op": "tanh", "in": ["x"]}], "output": "y"}"#

    /// Lines of stderr that are not the closing summary.
    func errors(_ run: Run) -> [Substring] {
        run.stderr.split(separator: "\n").filter { !isSummary($0) }
    }

    func isSummary(_ line: Substring) -> Bool {
        line.range(of: #"^\d+ specs?: \d+ rendered, \d+ skipped \(unchanged\), \d+ failed in \d+\.\d\d s$"#, options: .regularExpression) != nil
    }

    func summary(_ run: Run) -> (rendered: Int, skipped: Int, failed: Int)? {
        guard let line = run.stderr.split(separator: "\n").last(where: isSummary) else { return nil }
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return numbers.count >= 4 ? (numbers[1], numbers[2], numbers[3]) : nil
    }

    func files(under url: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: url.path) else { return [] }
        var out: [String] = []
        while let name = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out.append(name)
            }
        }
        return out.sorted()
    }

    @Test("one broken spec among good ones: the others render, exit 1, one line names the broken file, no output for it")
    func brokenAmongGood() throws {
        let dir = try scratch(["specs/a.json": sigmoidSpec, "specs/b.yaml": Self.expSpec,
                               "specs/deep/c.json": Self.tanhSpec,
                               "specs/deep/broken.json": #"{"nodes": [{"id": "x", "value": 1}, {"id": "y", "op": "expp", "in": ["x"]}], "output": "y"}"#,
                               "out/deep/broken.png": "stale from an earlier run"])
        let run = try bpgraph(["render", "specs", "-o", "out"], in: dir)
        #expect(run.status == 1)
        #expect(errors(run) == [#"specs/deep/broken.json: nodes[1] "y": unknown op "expp" (did you mean "exp"?)"#])
        #expect(summary(run).map { [$0.rendered, $0.skipped, $0.failed] } == [3, 0, 1])
        #expect(files(under: dir.appendingPathComponent("out")) == [".bpgraph-cache.json", "a.png", "b.png", "deep/c.png"])
        for name in ["a.png", "b.png", "deep/c.png"] {
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("out/" + name)))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name)")
        }
        // A broken file among explicit file arguments, with a missing one: both reported, in order.
        let again = try bpgraph(["render", "specs/a.json", "missing.json", "specs/deep/broken.json", "-o", "flat", "--format", "svg", "--quiet"], in: dir)
        #expect(again.status == 1)
        #expect(again.stderr == "missing.json: no such file\n" + #"specs/deep/broken.json: nodes[1] "y": unknown op "expp" (did you mean "exp"?)"# + "\n")
        #expect(files(under: dir.appendingPathComponent("flat")) == [".bpgraph-cache.json", "a.svg"])
    }

    @Test("output names mirror the inputs: sub-folders kept, hidden folders and other files skipped, files given by name flat")
    func mirroredNames() throws {
        let dir = try scratch(["in/a.json": sigmoidSpec, "in/sub/b.yaml": Self.expSpec, "in/sub/deeper/c.yml": Self.expSpec,
                               "in/.hidden/x.json": sigmoidSpec, "in/notes.txt": "not a spec", "in/sub/readme.md": "# no",
                               "other/d.json": Self.tanhSpec])
        let run = try bpgraph(["render", "in", "other/d.json", "-o", "out", "--format", "dot"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(files(under: dir.appendingPathComponent("out")) == [".bpgraph-cache.json", "a.dot", "d.dot", "sub/b.dot", "sub/deeper/c.dot"])
        // Two inputs that would land on the same output are refused before anything renders.
        let clash = try bpgraph(["render", "in/a.json", "in/sub", "in/sub/b.yaml", "-o", "clash"], in: dir)
        #expect(clash.status == 1)
        #expect(clash.stderr == "in/sub/b.yaml and in/sub/b.yaml would both render to clash/b.png\n")
        // One spec into an existing directory renders into it, named like the spec.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("single"), withIntermediateDirectories: true)
        let single = try bpgraph(["render", "in/a.json", "-o", "single", "--quiet"], in: dir)
        #expect(single.status == 0, "\(single.stderr)")
        #expect(files(under: dir.appendingPathComponent("single")) == [".bpgraph-cache.json", "a.png"])
    }

    @Test("skip unchanged: a rerun renders nothing, an edited spec only itself, --force and a changed option everything")
    func skipUnchanged() throws {
        let dir = try scratch(["specs/a.json": sigmoidSpec, "specs/b.yaml": Self.expSpec, "specs/sub/c.json": Self.tanhSpec])
        func render(_ extra: [String] = []) throws -> [Int] {
            let run = try bpgraph(["render", "specs", "-o", "out"] + extra, in: dir)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(errors(run).isEmpty, "\(run.stderr)")
            return summary(run).map { [$0.rendered, $0.skipped, $0.failed] } ?? []
        }
        func modified(_ name: String) throws -> Date {
            try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("out/" + name).path)[.modificationDate] as! Date
        }
        #expect(try render() == [3, 0, 0])
        let manifest = try Data(contentsOf: dir.appendingPathComponent("out/.bpgraph-cache.json"))
        let before = try modified("a.png")
        #expect(try render() == [0, 3, 0])
        #expect(try modified("a.png") == before)
        // Editing a spec re-renders it alone.
        try Data(Self.expSpec.replacingOccurrences(of: "value: 2", with: "value: 3").utf8)
            .write(to: dir.appendingPathComponent("specs/b.yaml"))
        #expect(try render() == [1, 2, 0])
        #expect(try render() == [0, 3, 0])
        // --force renders everything.
        #expect(try render(["--force"]) == [3, 0, 0])
        // An option that changes the output renders everything again, and going back too.
        #expect(try render(["--precision", "5"]) == [3, 0, 0])
        #expect(try render(["--precision", "5"]) == [0, 3, 0])
        #expect(try render() == [3, 0, 0])
        // An output removed or changed by hand is rendered again.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("out/sub/c.png"))
        var bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("out/a.png")))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: dir.appendingPathComponent("out/a.png"))
        #expect(try render() == [2, 1, 0])
        // A different theme file, or the same theme file edited, renders everything.
        try Data(##"{"gradient": "#0000ff"}"##.utf8).write(to: dir.appendingPathComponent("theme.json"))
        #expect(try render(["--theme", "theme.json"]) == [3, 0, 0])
        #expect(try render(["--theme", "theme.json"]) == [0, 3, 0])
        try Data(##"{"gradient": "#00ff00"}"##.utf8).write(to: dir.appendingPathComponent("theme.json"))
        #expect(try render(["--theme", "theme.json"]) == [3, 0, 0])
        // The manifest is deterministic: the same inputs give the same bytes.
        try Data(Self.expSpec.utf8).write(to: dir.appendingPathComponent("specs/b.yaml"))
        #expect(try render() == [3, 0, 0])
        #expect(try Data(contentsOf: dir.appendingPathComponent("out/.bpgraph-cache.json")) == manifest)
        // A corrupt manifest is an empty one, rewritten.
        try Data("{ not json".utf8).write(to: dir.appendingPathComponent("out/.bpgraph-cache.json"))
        #expect(try render() == [3, 0, 0])
        #expect(try render() == [0, 3, 0])
    }

    @Test("batch output is byte-identical to single-file renders, PNG and SVG, every template")
    func batchEqualsSingle() throws {
        let dir = try scratch([:])
        let templates = Self.templates.path
        let names = try FileManager.default.contentsOfDirectory(atPath: templates).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count >= 14)
        for format in ["png", "svg"] {
            let batch = try bpgraph(["render", templates, "-o", "batch-\(format)", "--format", format, "--jobs", "2"], in: dir)
            #expect(batch.status == 0, "\(batch.stderr)")
            for name in names {
                let base = (name as NSString).deletingPathExtension
                let single = try bpgraph(["render", Self.templates.appendingPathComponent(name).path, "-o", "\(base)-single.\(format)"], in: dir)
                #expect(single.status == 0, "\(single.stderr)")
                #expect(single.stderr.isEmpty, "a single render prints nothing: \(single.stderr)")
                let a = try Data(contentsOf: dir.appendingPathComponent("batch-\(format)/\(base).\(format)"))
                let b = try Data(contentsOf: dir.appendingPathComponent("\(base)-single.\(format)"))
                #expect(a == b, "\(name) \(format)")
            }
        }
        // And one worker gives the same bytes as two.
        let serial = try bpgraph(["render", templates, "-o", "serial", "--jobs", "1"], in: dir)
        #expect(serial.status == 0)
        for name in names {
            let base = (name as NSString).deletingPathExtension
            #expect(try Data(contentsOf: dir.appendingPathComponent("serial/\(base).png"))
                    == Data(contentsOf: dir.appendingPathComponent("batch-png/\(base).png")), "\(name)")
        }
    }

    @Test("off a terminal: no progress bar, only errors and the summary; --quiet: only errors")
    func quietAndPlain() throws {
        let dir = try scratch(["specs/a.json": sigmoidSpec, "specs/b.yaml": Self.expSpec])
        let plain = try bpgraph(["render", "specs", "-o", "out"], in: dir)
        #expect(plain.status == 0)
        #expect(!plain.stderr.contains("\r") && !plain.stderr.contains("\u{1B}"))
        #expect(plain.stderr.split(separator: "\n").count == 1)
        #expect(summary(plain).map { [$0.rendered, $0.skipped, $0.failed] } == [2, 0, 0])
        #expect(plain.stdout.isEmpty)
        let quiet = try bpgraph(["render", "specs", "-o", "out", "--force", "--quiet"], in: dir)
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty && quiet.stdout.isEmpty)
        #expect(try bpgraph(["render", "specs", "-o", "out", "--jobs", "0"], in: dir).status == 2)
    }
}
