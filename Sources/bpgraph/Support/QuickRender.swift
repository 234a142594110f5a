import ArgumentParser
import BPGraph
import BPGraphRender

/// The headline command line, `render SPEC… -o OUT` with a few plain options, read
/// without Swift Argument Parser. The parser builds its model of the commands by
/// reflection (Mirror, dynamic casts that each scan every protocol conformance in the
/// process), which costs about 3 ms of a one-figure process's start. This reads only
/// command lines it is sure of: every word is a spec, or one of the options below with
/// a value that does not start with `-` (`-` itself excepted), each option at most
/// once, and the result passes the same `validate()` that the parser would run.
/// Anything else — help, `--version`, an unknown or repeated option, `--opt=value`,
/// a bad value, a failed validation — returns nil, and the parser reads the command
/// line as before, with its own messages. `QuickRenderTests` checks that both read
/// the same command lines to the same `RenderCommand`.
enum QuickRender {
    static func parse(_ arguments: [String]) -> RenderCommand? {
        guard arguments.first == "render" else { return nil }
        var command = RenderCommand()
        command.specs = []
        command.output = nil
        command.format = nil
        command.dpi = 144
        command.maxNodes = 2000
        command.force = false
        command.quiet = false
        command.jobs = nil
        command.steps = false
        command.animate = false
        command.frameMs = nil
        var figure = FigureArguments()
        figure.theme = "light"
        figure.precision = 3
        figure.direction = .leftToRight
        figure.labels = nil
        figure.forwardOnly = false
        figure.backwardArrows = false
        figure.transparent = false
        var input = SpecInputOptions()
        input.inputFormat = nil
        var expression = ExpressionOptions()
        expression.expr = nil
        expression.values = []
        var post = PostOptions()
        post.assets = nil
        post.site = nil
        post.linkPrefix = nil
        post.replace = false

        var seen: [String] = []  // (an array: a Set's first use costs more than the search)
        var i = 1
        while i < arguments.count {
            let word = arguments[i]
            i += 1
            guard word.hasPrefix("-"), word != "-" else {
                // A spec (or "-", standard input). "help" is left to the parser.
                if word == "help" { return nil }
                command.specs.append(word)
                continue
            }
            let name: String
            switch word {
            case "-o", "--output": name = "--output"
            case "-q", "--quiet": name = "--quiet"
            default: name = word
            }
            guard !seen.contains(name) else { return nil }
            seen.append(name)
            switch name {
            case "--quiet": command.quiet = true; continue
            case "--force": command.force = true; continue
            case "--forward-only": figure.forwardOnly = true; continue
            case "--backward-arrows": figure.backwardArrows = true; continue
            case "--transparent": figure.transparent = true; continue
            default: break
            }
            guard i < arguments.count else { return nil }
            let value = arguments[i]
            i += 1
            if value.hasPrefix("-") && value != "-" { return nil }
            switch name {
            case "--output": command.output = value
            case "--format":
                guard let format = OutputFormat(argument: value) else { return nil }
                command.format = format
            case "--dpi":
                guard let dpi = Double(argument: value) else { return nil }
                command.dpi = dpi
            case "--max-nodes":
                guard let maxNodes = Int(argument: value) else { return nil }
                command.maxNodes = maxNodes
            case "--jobs":
                guard let jobs = Int(argument: value) else { return nil }
                command.jobs = jobs
            case "--theme": figure.theme = value
            case "--precision":
                guard let precision = Int(argument: value) else { return nil }
                figure.precision = precision
            case "--direction":
                guard let direction = FigureOptions.Direction(argument: value) else { return nil }
                figure.direction = direction
            case "--labels":
                guard let labels = FigureOptions.Labels(argument: value) else { return nil }
                figure.labels = labels
            default:
                return nil
            }
        }
        do {
            try figure.validate()
            command.figure = figure
            command.input = input
            command.expression = expression
            command.post = post
            try command.validate()
        } catch {
            return nil
        }
        return command
    }
}
