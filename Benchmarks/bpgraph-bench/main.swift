// Release-mode benchmarks: `swift run -c release bpgraph-bench [engine|render] [--runs N]`
// (`scripts/bench` runs the render benchmark with everything it needs).
// Prints times and ratios; asserts nothing (timing belongs here, not in unit tests).
import BPGraph
import BPGraphRender
import Foundation

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Peak resident set size of this process so far, in MB.
func peakRSS() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Current resident set size, in MB.
func currentRSS() -> Double {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let pages = Double(statm.split(separator: " ")[1]) ?? 0
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

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

func engineBenchmark() throws {
    print("engine: decode → resolve → evaluate + backpropagate (release build, best of 5)")
    print("nodes      decode    resolve   eval+backprop   RSS growth")
    var perNode: [Double] = []
    for n in [10_000, 100_000] {
        let text = layeredSpec(nodes: n)
        var best = (decode: Double.infinity, resolve: Double.infinity, evaluate: Double.infinity)
        let rssBefore = currentRSS()
        var rssDuring = rssBefore
        for _ in 0..<5 {
            let t0 = now()
            let spec = try SpecDecoder.decode(text, file: "bench.json")
            let t1 = now()
            let graph = try Graph(spec)
            let t2 = now()
            let evaluated = try EvaluatedGraph(graph)
            let t3 = now()
            rssDuring = max(rssDuring, currentRSS())
            precondition(evaluated.gradients[0] != nil)
            best = (min(best.decode, t1 - t0), min(best.resolve, t2 - t1), min(best.evaluate, t3 - t2))
        }
        let growth = rssDuring - rssBefore
        perNode.append(growth / Double(n))
        print(String(format: "%-9d  %6.3f s  %6.3f s  %8.3f s      %6.1f MB", n, best.decode, best.resolve, best.evaluate, growth))
    }
    if perNode.count == 2, perNode[0] > 0 {
        print(String(format: "memory per node: %.2f KB at 10k, %.2f KB at 100k (ratio %.2f; linear ≈ 1 or less)",
                     perNode[0] * 1024, perNode[1] * 1024, perNode[1] / perNode[0]))
    }
    print(String(format: "peak RSS %.0f MB", peakRSS()))
}

let arguments = Array(CommandLine.arguments.dropFirst())
let which = arguments.first { !$0.hasPrefix("-") } ?? "all"
let runs = arguments.firstIndex(of: "--runs").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? 3
guard ["engine", "render", "memory", "steps", "all"].contains(which) else {
    print("usage: bpgraph-bench [engine|render|memory [--each] [--renders N]|steps SPEC...|all] [--runs N]")
    exit(2)
}
do {
    if which == "engine" || which == "all" { try engineBenchmark() }
    if which == "all" { print() }
    if which == "render" || which == "all" { try RenderBenchmark(runs: max(1, runs)).run() }
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
                let evaluated = try EvaluatedGraph(Graph(SpecDecoder.decode(text, file: "t.json")))
                _ = try Renderer.shared.draw(dot: DOTWriter().write(evaluated), format: .png).encoded()
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
