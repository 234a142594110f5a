import Foundation
import Testing

@Suite("render and dot commands")
struct RenderCLITests {
    @Test("render picks the format from the extension and writes the file")
    func formats() throws {
        let dir = try scratch(["sigmoid.json": sigmoidSpec])
        for (name, magic) in [("s.png", "\u{89}PNG"), ("s.svg", "<?xml"), ("s.pdf", "%PDF-"), ("s.dot", "digraph")] {
            let run = try bpgraph(["render", "sigmoid.json", "-o", name], in: dir)
            #expect(run.status == 0, "\(name): \(run.stderr)")
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            #expect(data.starts(with: Array(magic.unicodeScalars.map { UInt8($0.value) })), "\(name)")
        }
        // No temporary files are left beside the outputs.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.contains { $0.contains(".tmp-") })
    }

    @Test("-o - writes to standard output; dot prints the same DOT as render .dot")
    func stdout() throws {
        let dir = try scratch(["sigmoid.json": sigmoidSpec])
        let svg = try bpgraph(["render", "sigmoid.json", "-o", "-", "--format", "svg"], in: dir)
        #expect(svg.status == 0)
        #expect(svg.stdout.contains("class=\"edge\""))
        let dot = try bpgraph(["dot", "sigmoid.json"], in: dir)
        _ = try bpgraph(["render", "sigmoid.json", "-o", "s.dot"], in: dir)
        #expect(dot.stdout == (try String(contentsOf: dir.appendingPathComponent("s.dot"), encoding: .utf8)))
        let fromStdin = try bpgraph(["dot", "-"], stdin: sigmoidSpec, in: dir)
        #expect(fromStdin.stdout == dot.stdout)
    }

    @Test("a bad spec is one line naming file and place, exit 1, and leaves no output (not even a stale one)")
    func badSpec() throws {
        let dir = try scratch(["bad.json": #"{"nodes": [{"id": "x", "value": 1}, {"id": "y", "op": "expp", "in": ["x"]}], "output": "y"}"#,
                               "bad.png": "stale"])
        let run = try bpgraph(["render", "bad.json", "-o", "bad.png"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr == "bad.json: nodes[1] \"y\": unknown op \"expp\" (did you mean \"exp\"?)\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.png").path))
    }

    @Test("a directory of specs renders into a directory; one bad spec does not stop the others")
    func directory() throws {
        let dir = try scratch(["specs/a.json": sigmoidSpec, "specs/b.yaml": "nodes:\n  - {id: x, value: 2}\n  - {id: y, op: exp, in: [x]}\noutput: y\n",
                               "specs/c.json": "{ nope", "specs/notes.txt": "ignored"])
        let run = try bpgraph(["render", "specs", "-o", "out", "--format", "svg"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("specs/c.json:1:3: "))
        // The error, then the batch's summary.
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("3 specs: 2 rendered, 0 skipped (unchanged), 1 failed in ") == true)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).sorted()
        #expect(names == [".bpgraph-cache.json", "a.svg", "b.svg"])
    }

    @Test("--max-nodes refuses large graphs with a clear message")
    func maxNodes() throws {
        let dir = try scratch(["sigmoid.json": sigmoidSpec])
        let run = try bpgraph(["render", "sigmoid.json", "-o", "s.png", "--max-nodes", "3"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr.contains("7 nodes is more than --max-nodes 3"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.png").path))
    }

    @Test("usage errors exit 2; an unknown theme or output format is one line, exit 1")
    func options() throws {
        let dir = try scratch(["sigmoid.json": sigmoidSpec, "theme.json": #"{"image": "/etc/passwd"}"#])
        #expect(try bpgraph(["render", "sigmoid.json", "-o", "s.png", "--dpi", "0"], in: dir).status == 2)
        #expect(try bpgraph(["render", "sigmoid.json", "-o", "s.png", "--direction", "RL"], in: dir).status == 2)
        let gif = try bpgraph(["render", "sigmoid.json", "-o", "s.gif"], in: dir)
        #expect(gif.status == 1)
        #expect(gif.stderr.hasPrefix("s.gif: unknown output format"))
        let theme = try bpgraph(["render", "sigmoid.json", "-o", "s.png", "--theme", "theme.json"], in: dir)
        #expect(theme.status == 1)
        #expect(theme.stderr.hasPrefix("theme.json:1:11: \"image\": unknown theme key"))
    }

    @Test("--dpi scales the PNG")
    func dpi() throws {
        let dir = try scratch(["sigmoid.json": sigmoidSpec])
        func width(_ dpi: String) throws -> Int {
            _ = try bpgraph(["render", "sigmoid.json", "-o", "w\(dpi).png", "--dpi", dpi], in: dir)
            let png = [UInt8](try Data(contentsOf: dir.appendingPathComponent("w\(dpi).png")))
            return png[16..<20].reduce(0) { $0 << 8 | Int($1) }
        }
        let w72 = try width("72"), w144 = try width("144")
        #expect(abs(w144 - 2 * w72) <= 2)
    }
}
