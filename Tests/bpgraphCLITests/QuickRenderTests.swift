import ArgumentParser
@testable import bpgraph
import Testing

/// Every stored value of a command, wrappers included (a wrapper the quick reader left
/// unset would trap here, not in a user's run).
private func described(_ command: RenderCommand) -> String {
    var text = ""
    dump(command, to: &text)
    return text
}

@Suite("the quick reader of render's command line")
struct QuickRenderTests {
    /// Command lines the quick reader takes: each must come out exactly as the parser reads it.
    static let quick: [[String]] = [
        ["render", "s.json"],
        ["render", "s.json", "-o", "s.png"],
        ["render", "s.json", "-o", "s.svg"],
        ["render", "-o", "out.svg", "s.json"],
        ["render", "a.json", "-o", "out", "b.yaml"],
        ["render", "specs", "--output", "out", "--format", "svg", "-q", "--force", "--jobs", "2"],
        ["render", "-", "-o", "-", "--format", "svg"],
        ["render", "s.json", "-o", "-", "--format", "dot"],
        ["render", "s.json", "-o", "s.png", "--dpi", "300"],
        ["render", "s.json", "-o", "s.png", "--dpi", "72.5", "--max-nodes", "10"],
        ["render", "s.json", "-o", "s.svg", "--theme", "dark", "--precision", "5", "--direction", "TB", "--labels", "symbols"],
        ["render", "s.json", "-o", "s.svg", "--theme", "auto", "--labels", "chain", "--forward-only"],
        ["render", "s.json", "-o", "s.png", "--backward-arrows", "--transparent", "--quiet"],
        ["render", "s.json", "-o", "s.svg", "--theme", "my theme.yaml"],
        ["render", "post.md"],
        ["render", "post.md", "-o", "out.md", "--format", "png"],
    ]

    /// Command lines left to the parser: help, versions, unknown, repeated or joined
    /// options, values that look like options, bad values, and failed validations.
    static let parsed: [[String]] = [
        ["render"], ["render", "-h"], ["render", "--help"], ["render", "help"], ["render", "s.json", "--version"],
        ["render", "s.json", "-o"], ["render", "s.json", "-o", "a.png", "-o", "b.png"], ["render", "s.json", "-q", "--quiet"],
        ["render", "s.json", "--output=s.png"], ["render", "s.json", "-os.png"], ["render", "s.json", "-qo", "s.png"],
        ["render", "s.json", "--", "-x.json"], ["render", "s.json", "--dpi", "-5"], ["render", "s.json", "--nope"],
        ["render", "s.json", "--format", "gif"], ["render", "s.json", "--format", "PNG"], ["render", "s.json", "--dpi", "high"],
        ["render", "s.json", "--dpi", "5"], ["render", "s.json", "--jobs", "0"], ["render", "s.json", "--max-nodes", "0"],
        ["render", "s.json", "--precision", "16"], ["render", "s.json", "--direction", "RL"], ["render", "s.json", "--labels", "x"],
        ["render", "s.json", "--steps", "-o", "frames"], ["render", "s.json", "--animate", "-o", "a.svg"],
        ["render", "-e", "y = exp(x)", "--value", "x=1"], ["render", "s.json", "--input-format", "yaml"],
        ["render", "post.md", "--site", "hugo"], ["render", "post.md", "s.json"],
        ["dot", "s.json"], ["eval", "s.json"], ["--version"], ["help", "render"], [],
    ]

    @Test("reads the common command lines as the parser does", arguments: quick)
    func sameAsParser(_ arguments: [String]) throws {
        let quick = try #require(QuickRender.parse(arguments), "left to the parser: \(arguments)")
        let parsed = try #require(try BPGraphCommand.parseAsRoot(arguments) as? RenderCommand)
        #expect(described(quick) == described(parsed), "\(arguments)")
    }

    @Test("leaves everything else to the parser", arguments: parsed)
    func leftToParser(_ arguments: [String]) {
        #expect(QuickRender.parse(arguments) == nil, "\(arguments)")
    }
}
