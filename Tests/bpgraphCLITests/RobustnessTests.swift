@testable import bpgraph
import BPGraph
import Foundation
import Testing

/// Runs bpgraph through /bin/sh, so that its standard streams can be redirected as a
/// shell would (`> /dev/full`, `>&-`). Reports how the process ended: a signal is a crash.
private func shell(_ script: String, in directory: URL) throws -> Run {
    // "$0" is bpgraph; the shell reports a signal as status 128 + n, so it is exec'd.
    try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", script, executable.path], in: directory)
}

private func lines(_ text: String) -> [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }

@Suite("hostile input and failing writes")
struct RobustnessTests {
    @Test("a failed write to stdout or stderr is exit 1 and one line, never a trap or a signal")
    func failedWrites() throws {
        let dir = try scratch(["s.json": sigmoidSpec, "t.json": sigmoidSpec, "post.md": "```bpgraph\ny = exp(x)\nx = 1\n```\n"])
        let commands = ["eval s.json", "eval s.json --json", "dot s.json", "check s.json", "explain s.json",
                        "render s.json -o - --format svg", "render post.md -o - --assets a"]
        for command in commands {
            for redirect in ["> /dev/full", ">&-"] {
                let run = try shell("exec \"$0\" \(command) \(redirect)", in: dir)
                #expect(!run.signaled && run.status == 1, "\(command) \(redirect): status \(run.status)")
                #expect(lines(run.stderr).count == 1 && run.stderr.hasPrefix("<stdout>: cannot write ("), "\(command) \(redirect): \(run.stderr)")
            }
        }
        // A full or closed stderr: the problem cannot be told, but the exit code says it.
        for redirect in ["2> /dev/full", "2>&-"] {
            let run = try shell("exec \"$0\" eval nope.json \(redirect)", in: dir)
            #expect(!run.signaled && run.status == 1, "\(redirect): \(run.status)")
            let batch = try shell("\"$0\" render s.json t.json -o out --format svg \(redirect); echo \"status $?\"", in: dir)
            #expect(batch.stdout == "status 1\n", "a summary that cannot be written: \(batch.stdout)")
        }
        // A reader that went away: EPIPE, not SIGPIPE (the reader closes the pipe at once).
        let epipe = try shell("{ \"$0\" render s.json -o - --format svg 2>err; echo $? >status; } | (exec 0<&-); cat status err", in: dir)
        #expect(epipe.stdout == "1\n<stdout>: cannot write (Broken pipe)\n", "\(epipe.stdout) \(epipe.stderr)")
    }

    @Test("user text in messages is escaped: one line per problem, no terminal control")
    func escapedMessages() throws {
        let dir = try scratch([
            "op.json": #"{"nodes":[{"id":"x","value":1},{"id":"y","op":"e\u001b[2Jx\nnext","in":["x"]}],"output":"y"}"#,
            "out.json": #"{"nodes":[{"id":"x","value":1}],"output":"x\u2028\u202Ey"}"#,
            "ref.json": #"{"nodes":[{"id":"x","value":1},{"id":"y","op":"exp","in":["x\r\n"]}],"output":"y"}"#,
            "value.json": #"{"nodes":[{"id":"x","value":"1\n2"}],"output":"x"}"#,
        ])
        let expected = [
            "op.json": #"op.json: nodes[1] "y": unknown op "e\u001b[2Jx\nnext""#,
            "out.json": #"out.json: output: unknown id "x\u2028\u202ey""#,
            "ref.json": #"ref.json: nodes[1] "y": in[0]: unknown id "x\r\n" (did you mean "x"?)"#,
            "value.json": #"value.json: nodes[0] "x": value: expected a number, found the string "1\n2""#,
        ]
        for (file, line) in expected {
            let run = try bpgraph(["eval", file], in: dir)
            #expect(run.status == 1)
            #expect(run.stderr == line + "\n", "\(file)")
        }
        // An expression: the message and its excerpt stay three lines, the caret under the column.
        let expression = try bpgraph(["eval", "-e", "y = \u{1B}[31m x +", "--value", "x=1"], in: dir)
        #expect(expression.stderr == "<command line>: --expr: unexpected character U+1B at column 5\n  y = \\u001b[31m x +\n      ^\n")
        let value = try bpgraph(["eval", "-e", "y = exp(x)", "--value", "x=1\n\u{1B}[2J"], in: dir)
        #expect(value.stderr == #"<command line>: --value "x=1\n\u001b[2J": expected a number or a JSON array (invalid JSON: unexpected byte 0x1b after the document)"# + "\n")
    }

    @Test("every failure of a single render removes the stale output")
    func staleOutputs() throws {
        let dir = try scratch(["s.json": sigmoidSpec, "bad-theme.json": "{ \"background\": ", "STALE": ""])
        let cases: [[String]] = [
            ["-e", "y = (x +", "--value", "x=1"],
            ["-e", "y = exp(x)", "--value", "x=abc"],
            ["-e", "y = exp(x)", "--value", "z=1"],
            ["s.json", "--theme", "missing-theme.json"],
            ["s.json", "--theme", "bad-theme.json"],
            ["-e", "y = exp(x)", "--value", "x=1", "--theme", "bad-theme.json"],
        ]
        for arguments in cases {
            let out = dir.appendingPathComponent("out.svg")
            try Data("STALE".utf8).write(to: out)
            let run = try bpgraph(["render"] + arguments + ["-o", "out.svg"], in: dir)
            #expect(run.status == 1, "\(arguments)")
            #expect(!FileManager.default.fileExists(atPath: out.path), "stale out.svg after \(arguments): \(run.stderr)")
        }
    }

    @Test("a folder with symbolic links back up the tree is walked once per real folder")
    func symlinkLoops() throws {
        let dir = try scratch(["specs/a.json": sigmoidSpec, "specs/sub/b.json": sigmoidSpec])
        let specs = dir.appendingPathComponent("specs")
        for (name, target) in [("l1", "."), ("l2", "."), ("sub/up", ".."), ("sub/self", "../sub")] {
            try FileManager.default.createSymbolicLink(atPath: specs.appendingPathComponent(name).path, withDestinationPath: target)
        }
        let (inputs, _) = try BatchPlan.expand([specs.path])
        #expect(inputs.map(\.relativeBase) == ["a", "sub/b"])
        let run = try bpgraph(["render", "specs", "-o", "out", "--format", "svg"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("2 specs: 2 rendered"), "\(run.stderr)")
    }

    @Test("watch sees the same files as a batch (sub-folders too) and keeps edits made while it rendered")
    func watchedFiles() throws {
        let dir = try scratch(["specs/a.json": sigmoidSpec, "specs/sub/deeper/b.yaml": "nodes: [{id: x, value: 1}]\noutput: x\n",
                               "specs/.hidden/c.json": sigmoidSpec, "specs/notes.txt": ""])
        let specs = dir.appendingPathComponent("specs").path
        let watch = try WatchCommand.parse([specs, "-o", dir.appendingPathComponent("out").path])
        let watched = Set(watch.snapshot().keys)
        let batch = try BatchPlan.expand([specs]).inputs.map(\.path)
        #expect(watched == Set(batch))
        #expect(watched.contains { $0.hasSuffix("sub/deeper/b.yaml") })

        // Edited during the render: the next round still sees the change. A post bpgraph
        // rewrote itself is not an edit.
        let before: [String: WatchCommand.FileState] = ["a.json": .init(exists: true, size: 1), "post.md": .init(exists: true, size: 1)]
        let after: [String: WatchCommand.FileState] = ["a.json": .init(exists: true, size: 2), "post.md": .init(exists: true, size: 2),
                                                       "new.json": .init(exists: true, size: 3)]
        let baseline = WatchCommand.baseline(before: before, after: after, ownOutputs: ["post.md"])
        #expect(baseline["a.json"] == before["a.json"])
        #expect(baseline["post.md"] == after["post.md"])
        #expect(baseline["new.json"] == nil)
        #expect(baseline != after)
    }

    @Test("watch re-renders for an edit in a sub-folder")
    func watchSubfolder() throws {
        let dir = try scratch(["specs/sub/s.json": sigmoidSpec])
        let (process, outURL) = try launchWatch(["specs", "-o", "out", "--format", "svg", "--interval", "20", "--quiet"], in: dir)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let svg = dir.appendingPathComponent("out/sub/s.svg")
        func eventually(_ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline { if condition() { return true }; usleep(20_000) }
            return condition()
        }
        func svgText() -> String { (try? String(contentsOf: svg, encoding: .utf8)) ?? "" }
        #expect(eventually { svgText().contains(">0.5<") })
        try Data(sigmoidSpec.replacingOccurrences(of: "\"value\": 0.5", with: "\"value\": 0.25").utf8)
            .write(to: dir.appendingPathComponent("specs/sub/s.json"))
        #expect(eventually { svgText().contains(">0.25<") }, "\((try? String(contentsOf: outURL, encoding: .utf8)) ?? "")")
        process.interrupt()
        #expect(eventually { !process.isRunning })
    }

    @Test("bombs are refused before the work, naming the node")
    func bombs() throws {
        let dir = try scratch([
            "matmul.json": #"{"nodes":[{"id":"s","value":1},{"id":"r1","op":"repeat","in":["s"],"times":2500},{"id":"r2","op":"repeat","in":["r1"],"times":2500},{"id":"m","op":"matmul","in":["r2","r2"]}],"output":"m"}"#,
            "alias.yaml": (["a: &a [1,1,1,1,1,1,1,1,1,1]"] + "bcdefghi".map { c in
                let previous = Character(UnicodeScalar(c.asciiValue! - 1))
                return "\(c): &\(c) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]"
            } + ["nodes: [{id: x, value: *i}]", "output: x"]).joined(separator: "\n"),
            "small-alias.yaml": "v: &v [[1, 2], [3, 4]]\nnodes: [{id: x, value: *v}, {id: y, value: *v}, {id: z, op: matmul, in: [x, y]}]\noutput: z\n",
        ])
        let matmul = try bpgraph(["eval", "matmul.json"], in: dir)
        #expect(matmul.status == 1)
        #expect(matmul.stderr == "matmul.json: nodes[3] \"m\": matmul: (2500, 2500) · (2500, 2500) takes 15625000000 multiply-adds; the graph would take more than 600000000 multiply-adds to evaluate\n")
        let alias = try bpgraph(["eval", "alias.yaml"], in: dir)
        #expect(alias.status == 1)
        #expect(alias.stderr == "alias.yaml:1:1: invalid YAML: the document expands to too many values (more than 5000000 values)\n")
        // Aliases that reuse a value are fine.
        #expect(try bpgraph(["eval", "small-alias.yaml"], in: dir).status == 0)
    }

    @Test("a temporary left by a killed run is removed by the next; a 0600 output stays 0600; an unsaved manifest is not a spec")
    func minorOutputs() throws {
        let dir = try scratch(["specs/a.json": sigmoidSpec])
        // A process that has exited: its pid names a dead writer.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let stale = out.appendingPathComponent(".a.svg.tmp-\(dead.processIdentifier)-12345")
        let live = out.appendingPathComponent(".a.svg.tmp-\(getpid())-1")
        FileManager.default.createFile(atPath: stale.path, contents: nil)
        FileManager.default.createFile(atPath: live.path, contents: nil)
        #expect(try bpgraph(["render", "specs", "-o", "out", "--format", "svg"], in: dir).status == 0)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: live.path), "a running writer's temporary is kept")

        let figure = dir.appendingPathComponent("a.svg")
        #expect(try bpgraph(["render", "specs/a.json", "-o", "a.svg"], in: dir).status == 0)
        chmod(figure.path, 0o600)
        #expect(try bpgraph(["render", "specs/a.json", "-o", "a.svg", "--precision", "4"], in: dir).status == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: figure.path)[.posixPermissions] as? Int) == 0o600)

        // The manifest cannot be written (a folder in its place).
        let blocked = dir.appendingPathComponent("blocked")
        try FileManager.default.createDirectory(at: blocked.appendingPathComponent(".bpgraph-cache.json/x"), withIntermediateDirectories: true)
        let run = try bpgraph(["render", "specs", "-o", "blocked", "--format", "svg"], in: dir)
        #expect(run.status == 1)
        let printed = lines(run.stderr)
        #expect(printed.count == 2, "\(run.stderr)")
        #expect(printed.first?.contains("(the cache of unchanged outputs was not saved)") == true, "\(run.stderr)")
        #expect(printed.last?.hasPrefix("1 spec: 1 rendered, 0 skipped (unchanged), 0 failed") == true, "\(run.stderr)")
    }

    @Test("a label of only a line separator or invisible characters renders without a raw Pango warning")
    func invisibleLabels() throws {
        for text in ["\u{2028}", "\u{2029}", "\u{200B}", "\u{00AD}", "a\n\u{200B}", "\u{200B}\u{2028}\u{FEFF}"] {
            let spec = "{\"title\": \(EvalJSON.string(text)), \"nodes\": [{\"id\": \"x\", \"value\": 1, \"label\": \(EvalJSON.string(text)), \"group\": \(EvalJSON.string(text))}, {\"id\": \"y\", \"op\": \"exp\", \"in\": [\"x\"], \"label\": \(EvalJSON.string(text))}], \"output\": \"y\"}"
            let dir = try scratch(["s.json": spec])
            let run = try bpgraph(["render", "s.json", "-o", "s.png"], in: dir)
            #expect(run.status == 0 && run.stderr == "", "\(text.unicodeScalars.map { String($0.value, radix: 16) }): \(run.stderr)")
        }
    }
}
