import Foundation
import Testing

/// Runs the built `bpgraph` executable, as a user would.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Ended by a signal (`status` is then the signal's number).
    var signaled = false
}

/// The `bpgraph` executable beside this test bundle in the build folder.
let executable: URL = {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("bpgraph")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: ".build/debug/bpgraph")
}()

/// Runs bpgraph to completion (through `runProcess`).
func bpgraph(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil) throws -> Run {
    try runProcess(executable, arguments, stdin: stdin, in: directory)
}

/// Runs a program to completion: the one way the tests run a process. Standard input,
/// output and error go through temporary files, not pipes: a pipe read to its end while
/// the other one fills (more than 64 KiB of errors, say) would block both processes for good.
func runProcess(_ program: URL, _ arguments: [String], stdin: String? = nil, in directory: URL? = nil,
                environment: [String: String]? = nil) throws -> Run {
    let files = FileManager.default.temporaryDirectory.appendingPathComponent("bpgraph-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: files) }
    let inURL = files.appendingPathComponent("stdin"), outURL = files.appendingPathComponent("stdout"), errURL = files.appendingPathComponent("stderr")
    try Data((stdin ?? "").utf8).write(to: inURL)
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = program
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    if let environment { process.environment = environment }
    let input = try FileHandle(forReadingFrom: inURL), output = try FileHandle(forWritingTo: outURL), errors = try FileHandle(forWritingTo: errURL)
    defer { try? input.close(); try? output.close(); try? errors.close() }
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
               stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self),
               signaled: process.terminationReason == .uncaughtSignal)
}

/// Starts `bpgraph watch …` in `directory`, its standard output going to `watch.out`
/// there (returned) and standard error to `watch.err`, standard input /dev/null. Files,
/// not pipes, so nothing blocks however much it prints. The caller kills it.
@discardableResult
func launchWatch(_ arguments: [String], in directory: URL) throws -> (process: Process, output: URL) {
    let process = Process()
    process.executableURL = executable
    process.arguments = ["watch"] + arguments
    process.currentDirectoryURL = directory
    let outURL = directory.appendingPathComponent("watch.out"), errURL = directory.appendingPathComponent("watch.err")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return (process, outURL)
}

/// A fresh temporary directory holding the given files.
func scratch(_ files: [String: String]) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpgraph-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for (name, text) in files {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
    return dir
}

let sigmoidSpec = """
{ "title": "Sigmoid",
  "nodes": [ { "id": "x", "value": 0.5 }, { "id": "a", "op": "mul", "in": ["x", -1] },
             { "id": "b", "op": "exp", "in": ["a"] }, { "id": "c", "op": "add", "in": ["b", 1] },
             { "id": "y", "op": "reciprocal", "in": ["c"], "label": "/" } ],
  "output": "y" }
"""

@Suite struct CLITests {
    @Test func evalJSONFromAFile() throws {
        let dir = try scratch(["sigmoid.json": sigmoidSpec])
        let run = try bpgraph(["eval", "sigmoid.json", "--json"], in: dir)
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        #expect(run.stdout.contains(#"{ "id": "x", "value": 0.5, "grad": 0.2350037122015945 }"#))
    }

    @Test func evalTableAndStdin() throws {
        let run = try bpgraph(["eval", "-"], stdin: sigmoidSpec)
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("node") == true)
        #expect(lines.contains { $0.hasPrefix("x ") && $0.contains("0.5") && $0.hasSuffix("0.235004") })
        // YAML on stdin is sniffed.
        let yaml = try bpgraph(["eval", "-", "--json"], stdin: "nodes:\n  - {id: x, value: 2}\n  - {id: y, op: exp, in: [x]}\noutput: y\n")
        #expect(yaml.status == 0)
        #expect(yaml.stdout.contains(#""id": "x", "value": 2.0, "grad": 7.38905609893065"#))
    }

    @Test func badInputIsOneLineAndExitOne() throws {
        let dir = try scratch(["bad.json": #"{"nodes": [ {"id": "x", "value": 1}, {"id": "c", "op": "expp", "in": ["x"]} ], "output": "c"}"#])
        let run = try bpgraph(["eval", "bad.json", "--json"], in: dir)
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "bad.json: nodes[1] \"c\": unknown op \"expp\" (did you mean \"exp\"?)\n")
        let missing = try bpgraph(["eval", "nope.json"], in: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr == "nope.json: no such file\n")
        let stdin = try bpgraph(["check", "-"], stdin: "{\"nodes\": [1,]}")
        #expect(stdin.status == 1)
        #expect(stdin.stderr == "<stdin>:1:14: invalid JSON: trailing comma before ']'\n")
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try bpgraph(["eval"]).status == 2)
        #expect(try bpgraph(["frobnicate"]).status == 2)
        #expect(try bpgraph(["check", "x.json", "--tolerance", "-1"]).status == 2)
        #expect(try bpgraph(["--help"]).status == 0)
    }

    @Test("a usage error is one line naming the command, exit 2; --help is the full help, exit 0")
    func usageErrorsAreOneLine() throws {
        let dir = try scratch(["a.json": sigmoidSpec, "b.json": sigmoidSpec])
        // ArgumentParser's errors: its message, then where the help is (not its usage block).
        let cases: [([String], String)] = [
            (["render"], "bpgraph render: missing a spec file (or an expression: -e 'y = 1 / (1 + exp(-x))' --value x=0.5) (see 'bpgraph render --help')"),
            (["render", "a.json", "--fromat", "svg"], "bpgraph render: unknown option '--fromat'. Did you mean '--format'? (see 'bpgraph render --help')"),
            (["render", "a.json", "--dpi", "abc"], "bpgraph render: the value 'abc' is invalid for '--dpi <dpi>' (see 'bpgraph render --help')"),
            (["eval", "a.json", "-e", "y = x"], "bpgraph eval: give a spec file or --expr, not both (see 'bpgraph eval --help')"),
            (["frobnicate"], "bpgraph: unexpected argument 'frobnicate' (see 'bpgraph --help')"),
            // The commands' own: flags (or files and flags) that do not go together.
            (["render", "a.json", "b.json"], "bpgraph render: several specs render into a directory: name it with -o DIR"),
            (["render", "a.json", "b.json", "-o", "out.png"], "bpgraph render: -o out.png: several specs render into a directory, not into one .png file"),
            (["render", "a.json", "--steps"], "bpgraph render: --steps writes one file per step: name their directory with -o DIR"),
            (["render", "a.json", "-", "-o", "out"], "bpgraph render: -: standard input can only be rendered on its own"),
        ]
        for (arguments, line) in cases {
            let run = try bpgraph(arguments, in: dir)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.stderr == line + "\n", "\(arguments)")
            #expect(run.stdout.isEmpty, "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
        // watch stops on one (it cannot render whatever the files hold), exit 2.
        let watch = try bpgraph(["watch", "a.json", "b.json"], in: dir)
        #expect(watch.status == 2)
        #expect(watch.stderr == "bpgraph watch: several specs render into a directory: name it with -o DIR\n")
        // Help is still the full help.
        for arguments in [["--help"], ["render", "--help"], ["help", "eval"]] {
            let help = try bpgraph(arguments)
            #expect(help.status == 0, "\(arguments)")
            #expect(help.stdout.contains("USAGE: bpgraph") && help.stdout.contains("OPTIONS:"), "\(arguments)")
            #expect(help.stderr.isEmpty, "\(arguments)")
        }
    }

    @Test func checkPassesOnACorrectGraph() throws {
        let run = try bpgraph(["check", "-"], stdin: sigmoidSpec)
        #expect(run.status == 0)
        #expect(run.stdout.contains("x "))
        #expect(run.stdout.contains("ok"))
    }
}
