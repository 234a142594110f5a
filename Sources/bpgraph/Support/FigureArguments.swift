import ArgumentParser
import BPGraph
import Foundation

extension FigureOptions.Direction: ExpressibleByArgument {}
extension FigureOptions.Labels: ExpressibleByArgument {}

/// Options that decide a figure's look, shared by `render` and `dot`.
struct FigureArguments: ParsableArguments {
    @Option(help: "Theme: light, dark, auto (one SVG that follows the reader's light or dark preference; in posts, a light and a dark PNG), or a theme file (JSON/YAML with keys such as background, foreground, gradient, font, font_size).")
    var theme: String = "light"

    @Option(help: "Significant digits of the numbers (1–15).")
    var precision: Int = 3

    @Option(help: "Layout direction: LR (left to right) or TB (top to bottom).")
    var direction: FigureOptions.Direction = .leftToRight

    @Option(help: "Edge labels: values, symbols (x above, ∂L/∂x below), both, or chain (∂L/∂z × ∂z/∂x below). Default: the spec's \"labels\", else values.")
    var labels: FigureOptions.Labels?

    @Flag(help: "Show forward values only, no gradients.")
    var forwardOnly = false

    @Flag(help: "The book's look: a separate red arrow pointing back under each forward arrow, with the gradient on it.")
    var backwardArrows = false

    @Flag(help: "Transparent background.")
    var transparent = false

    func validate() throws {
        guard (1...15).contains(precision) else { throw ValidationError("--precision must be from 1 to 15, got \(precision)") }
    }

    /// The theme file `--theme` names, if it names one rather than light, dark or auto.
    var themeFile: String? {
        theme.lowercased() == "auto" || Theme.named(theme) != nil ? nil : theme
    }

    /// The figure options; reads the theme file if one is named.
    func options() throws -> FigureOptions {
        let chosenTheme: Theme
        var darkTheme: Theme?
        if theme.lowercased() == "auto" {
            chosenTheme = .light
            darkTheme = .dark
        } else if let named = Theme.named(theme) {
            chosenTheme = named
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: theme, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw Failure(file: theme, "no such theme (use light, dark, or a theme file)")
            }
            let text = try SpecInput.read(theme)
            chosenTheme = try Theme.parse(text, file: theme)
        }
        return FigureOptions(direction: direction, style: backwardArrows ? .backwardArrows : .labels,
                             labels: labels, numbers: NumberFormat(precision: precision), theme: chosenTheme,
                             forwardOnly: forwardOnly, transparent: transparent, darkTheme: darkTheme)
    }
}
