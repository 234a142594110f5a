/// Everything that decides what a figure looks like, apart from the graph itself.
public struct FigureOptions: Sendable, Equatable {
    public enum Direction: String, Sendable, CaseIterable {
        case leftToRight = "LR"
        case topToBottom = "TB"
    }

    public enum Style: String, Sendable, CaseIterable {
        /// Value above each edge, gradient below the same edge.
        case labels
        /// The book's look: a separate arrow pointing back under each forward arrow, with the gradient on it.
        case backwardArrows
    }

    /// What the edge labels say.
    public enum Labels: String, Sendable, CaseIterable {
        /// Numbers: the value above, the gradient below.
        case values
        /// Symbols: `x` above, `∂L/∂x` below.
        case symbols
        /// Both: `x = 0.5` above, `∂L/∂x = 0.235` below.
        case both
        /// The chain rule: `x` above, `∂L/∂z × ∂z/∂x` (UG × LG = DG) below an edge x → z.
        case chain
    }

    public var direction: Direction
    public var style: Style
    /// What the edge labels say; nil takes the spec's `labels`, else values.
    public var labels: Labels?
    public var numbers: NumberFormat
    public var theme: Theme
    public var forwardOnly: Bool
    public var transparent: Bool
    /// `--theme auto`: the theme for readers who prefer dark pages (`theme` is the light
    /// one). The DOT is always one theme's; the renderer draws both and merges them.
    public var darkTheme: Theme?

    public init(direction: Direction = .leftToRight, style: Style = .labels, labels: Labels? = nil,
                numbers: NumberFormat = NumberFormat(), theme: Theme = .light,
                forwardOnly: Bool = false, transparent: Bool = false, darkTheme: Theme? = nil) {
        self.direction = direction
        self.style = style
        self.labels = labels
        self.numbers = numbers
        self.theme = theme
        self.forwardOnly = forwardOnly
        self.transparent = transparent
        self.darkTheme = darkTheme
    }

    /// These options with the dark theme as the only one.
    public var dark: FigureOptions? {
        guard let darkTheme else { return nil }
        var options = self
        options.theme = darkTheme
        options.darkTheme = nil
        return options
    }
}
