// Release-mode benchmarks: `swift run -c release bpgraph-bench [engine|render|animation] [--runs N]`
// (`scripts/bench` runs the render benchmark with everything it needs).
// Prints times and ratios; asserts nothing (timing belongs here, not in unit tests).
import BPGraph
import BPGraphRender
import Foundation

/// A layered graph of `n` nodes mixing elementwise ops, fan-out and fan-in: each op
/// node reads the previous node and one a few steps back, like a deep residual chain.
func layeredSpec(nodes n: Int) -> String {
    var parts = [#"{ "id": "n0", "value": [0.5, -0.25, 1.0, 0.75] }"#, #"{ "id": "n1", "value": [0.1, 0.2, 0.3, 0.4] }"#]
    let ops = ["add", "mul", "tanh", "sigmoid", "sub", "relu", "max"]
    for i in 2..<n {
        let op = ops[i % ops.count]
        let unary = op == "tanh" || op == "sigmoid" || op == "relu"
        let inputs = unary ? #"["n\#(i - 1)"]"# : #"["n\#(i - 1)", "n\#(max(0, i - 1 - (i % 5)) == i - 1 ? i - 2 : max(0, i - 1 - (i % 5)))"]"#
        parts.append(#"{ "id": "n\#(i)", "op": "\#(op)", "in": \#(inputs) }"#)
    }
    return #"{ "nodes": ["# + parts.joined(separator: ",\n") + #"], "output": "n\#(n - 1)", "seed": [1, 1, 1, 1] }"#
}

/// A chain that writes its constants inline, as `x*2` in an expression does: each
/// entry is an op node and an anonymous constant, so `entries` entries make twice as
/// many nodes.
func inlineConstantSpec(nodes n: Int) -> String {
    var parts = [#"{ "id": "n0", "value": [0.5, -0.25, 1.0, 0.75] }"#]
    let ops = ["mul", "add", "sub", "max"]
    for i in 1..<max(2, n / 2) {
        let op = ops[i % ops.count]
        let c = op == "mul" ? "1.0001" : (op == "max" ? "-5" : "0.001")
        parts.append(#"{ "id": "n\#(i)", "op": "\#(op)", "in": ["n\#(i - 1)", \#(c)] }"#)
    }
    return #"{ "nodes": ["# + parts.joined(separator: ",\n") + #"], "output": "n\#(max(2, n / 2) - 1)" }"#
}

/// An expression lowered to a graph of about `n` nodes: a long sum of terms
/// `tanh(x * c) * y` and `sigmoid(y - c)`, each number an anonymous constant.
func expressionSpec(nodes n: Int) -> String {
    var terms: [String] = []
    var count = 2  // x, y
    var i = 0
    while count < n {
        let c = String(format: "%.4f", 0.5 + Double(i % 97) / 100)
        if i % 2 == 0 { terms.append("tanh(x * \(c)) * y"); count += 5 }  // mul, const, tanh, mul, add
        else { terms.append("sigmoid(y - \(c))"); count += 4 }           // sub, const, sigmoid, add
        i += 1
    }
    let expr = "L = " + terms.joined(separator: " + ")
    return #"{ "expr": "\#(expr)", "values": { "x": [0.5, -1.5, 2], "y": [1, 0.25, -0.75] } }"#
}

let engineShapes: [(name: String, make: (Int) -> String)] = [
    ("layered, named ids", layeredSpec(nodes:)),
    ("chain, inline constants", inlineConstantSpec(nodes:)),
    ("expression-lowered", expressionSpec(nodes:)),
]

/// `bpgraph-bench engine-child SHAPE N`: decodes, resolves and evaluates one graph in a
/// fresh process and prints its node count and peak RSS (MB), for the memory column.
func engineChild(shape: Int, nodes n: Int) throws {
    let text = engineShapes[shape].make(n)
    let evaluated = try EvaluatedGraph(Graph(SpecDecoder.decode(text, file: "bench.json")))
    precondition(evaluated.gradients[0] != nil)
    print(evaluated.graph.nodes.count, peakRSS())
}

func engineBenchmark() throws {
    print("engine: decode → resolve → evaluate + backpropagate (release build, best of 5 in process;")
    print("peak RSS of a fresh process per graph, its text included; KB per node between sizes)")
    print("graph                      nodes      decode    resolve   eval+backprop   peak RSS   KB/node")
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    func child(_ shape: Int, _ n: Int) throws -> (nodes: Int, rss: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: me)
        process.arguments = ["engine-child", String(shape), String(n)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = out.split(whereSeparator: \.isWhitespace)
        guard process.terminationStatus == 0, fields.count == 2, let nodes = Int(fields[0]), let rss = Double(fields[1]) else {
            throw BenchError("engine-child \(shape) \(n) failed: \(out)")
        }
        return (nodes, rss)
    }
    // Memory first, while this process is small: on Linux a process started with
    // posix_spawn (vfork) begins with its parent's peak RSS as its own.
    let sizes = [1_000, 10_000, 100_000]
    var memory: [[(nodes: Int, rss: Double)]] = []
    for s in engineShapes.indices { memory.append(try sizes.map { try child(s, $0) }) }
    let ownPeak = peakRSS()
    var worst = 0.0
    for (s, shape) in engineShapes.enumerated() {
        var perNode: [Double] = []
        for (k, n) in sizes.enumerated() where k > 0 {
            let text = shape.make(n)
            var best = (decode: Double.infinity, resolve: Double.infinity, evaluate: Double.infinity)
            for _ in 0..<5 {
                let t0 = now()
                let spec = try SpecDecoder.decode(text, file: "bench.json")
                let t1 = now()
                let graph = try Graph(spec)
                let t2 = now()
                let evaluated = try EvaluatedGraph(graph)
                let t3 = now()
                precondition(evaluated.gradients[0] != nil)
                best = (min(best.decode, t1 - t0), min(best.resolve, t2 - t1), min(best.evaluate, t3 - t2))
            }
            let (measured, previous) = (memory[s][k], memory[s][k - 1])
            let kb = 1024 * (measured.rss - previous.rss) / Double(measured.nodes - previous.nodes)
            perNode.append(kb)
            if n == sizes.last { worst = max(worst, best.evaluate) }
            print(shape.name.padding(toLength: 25, withPad: " ", startingAt: 0) + String(format: "  %-9d  %6.3f s  %6.3f s  %8.3f s   %6.1f MB   %5.2f", measured.nodes,
                         best.decode, best.resolve, best.evaluate, measured.rss, kb))
        }
        print(String(format: "  KB per node, 10k→100k against 1k→10k: %.2f (linear ≈ 1)", perNode[1] / perNode[0]))
    }
    print(String(format: "(this process's peak RSS while measuring memory: %.1f MB, below every figure above)", ownPeak))
    print(String(format: "slowest eval+backprop at 100,000 nodes: %.3f s (target < 0.5 s: %@)", worst, worst < 0.5 ? "met" : "MISSED"))
}

let arguments = Array(CommandLine.arguments.dropFirst())
let which = arguments.first { !$0.hasPrefix("-") } ?? "all"
let runs = arguments.firstIndex(of: "--runs").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? 3
if which == "engine-child", arguments.count >= 3, let shape = Int(arguments[1]), let n = Int(arguments[2]) {
    do { try engineChild(shape: shape, nodes: n); exit(0) } catch { print("failed: \(error)"); exit(1) }
}
guard ["engine", "render", "memory", "batch-memory", "watch-memory", "start", "steps", "animation", "all"].contains(which) else {
    print("usage: bpgraph-bench [engine|render|memory [--each] [--renders N]|batch-memory [--renders N] [--formats png,svg] [--only NAME]|watch-memory [--renders N]|start|steps SPEC...|animation|all] [--runs N]")
    exit(2)
}
do {
    if which == "engine" || which == "all" { try engineBenchmark() }
    if which == "all" { print() }
    if which == "render" || which == "all" { try RenderBenchmark(runs: max(1, runs)).run() }
    if which == "animation" {
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates").path
        try animationBenchmark(runs: max(1, runs), templates: templates)
    }
    if which == "batch-memory" || which == "all" {
        if which == "all" { print() }
        let renders = arguments.firstIndex(of: "--renders").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? 1000
        let formats = arguments.firstIndex(of: "--formats").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1].split(separator: ",").map(String.init) : nil } ?? ["png", "svg", "pdf"]
        let only = arguments.firstIndex(of: "--only").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        try RenderBenchmark(runs: 1).batchMemory(large: max(20, renders), formats: formats, only: only)
    }
    if which == "watch-memory" {
        let renders = arguments.firstIndex(of: "--renders").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? 1000
        let bench = try RenderBenchmark(runs: 1)
        defer { try? FileManager.default.removeItem(atPath: bench.work) }
        print("one `bpgraph watch` process, its spec edited and re-rendered again and again")
        for name in ["08-sigmoid.json", "11-softmax-with-loss-decomposed.json"] {
            print(try bench.watchMemory(template: name, renders: max(20, renders)))
        }
    }
    if which == "start" {
        let bench = try RenderBenchmark(runs: runs)
        defer { try? FileManager.default.removeItem(atPath: bench.work) }
        print(try bench.start(runs: max(5, arguments.contains("--runs") ? runs : 21)))
    }
    if which == "steps" {
        // Where the time of given specs goes, in process.
        let files = arguments.drop { $0 != "steps" }.dropFirst().filter { !$0.hasPrefix("-") && Int($0) == nil }
        try RenderBenchmark(runs: runs).inProcessSteps(files: Array(files))
    }
    if which == "memory", arguments.contains("--each") {
        // Which figure grows memory: each template rendered 300 times after 20 warm-up renders.
        let bench = try RenderBenchmark(runs: 1)
        for name in try FileManager.default.contentsOfDirectory(atPath: bench.templates).filter({ $0.hasSuffix(".json") }).sorted() {
            let text = try String(contentsOfFile: bench.templates + "/" + name, encoding: .utf8)
            func render() throws {
                _ = try Figure(text: text, file: "t.json", settings: FigureSettings(format: .png)).bytes()
            }
            for _ in 0..<20 { try render() }
            let before = currentRSS()
            for _ in 0..<300 { try render() }
            print(String(format: "%-40@ %+.2f MB over 300 renders", name as NSString, currentRSS() - before))
        }
    } else if which == "memory" {
        let renders = arguments.firstIndex(of: "--renders").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? 1000
        print(try RenderBenchmark(runs: 1).memory(renders: max(20, renders)))
    }
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
