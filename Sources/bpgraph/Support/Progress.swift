import Foundation

/// What a batch tells the user on stderr: errors as they come (in input order), a
/// progress bar redrawn in place when stderr is a terminal, and a closing summary.
/// Thread-safe: workers report through it.
final class BatchProgress: @unchecked Sendable {
    struct Counts: Equatable {
        var rendered = 0, skipped = 0, failed = 0
        /// Problems that are not a spec's (the manifest could not be saved): printed and
        /// making the exit code 1, but not counted as specs in the summary.
        var otherProblems = 0
    }

    private let lock = NSLock()
    private let total: Int
    private let showBar: Bool
    private let start: Double
    private var counts = Counts()
    private var barVisible = false
    private var lastDraw = 0.0

    /// `showBar`: draw the bar (a terminal, a batch, not --quiet).
    init(total: Int, showBar: Bool) {
        self.total = total
        self.showBar = showBar
        self.start = Self.now()
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb" }

    static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    var elapsed: Double { Self.now() - start }

    var current: Counts {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    enum Outcome { case rendered, skipped, failed([String]), problem([String]) }

    /// One job finished. Called in input order (the runner orders them).
    func finished(_ outcome: Outcome) {
        lock.lock()
        defer { lock.unlock() }
        var text = ""
        switch outcome {
        case .rendered: counts.rendered += 1
        case .skipped: counts.skipped += 1
        case .failed(let lines):
            counts.failed += 1
            if barVisible { text += "\r\u{1B}[K"; barVisible = false }
            text += Terminal.errorText(lines)
        case .problem(let lines):
            counts.otherProblems += 1
            if barVisible { text += "\r\u{1B}[K"; barVisible = false }
            text += Terminal.errorText(lines)
        }
        let done = counts.rendered + counts.skipped + counts.failed
        let now = Self.now()
        if showBar && (now - lastDraw >= 0.05 || done == total || !text.isEmpty) {
            text += "\r\u{1B}[K" + bar(done: done, elapsed: now - start)
            barVisible = true
            lastDraw = now
        }
        if !text.isEmpty { Terminal.writeError(text) }
    }

    private func bar(done: Int, elapsed: Double) -> String {
        let width = 24
        let filled = total > 0 ? done * width / total : width
        var line = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
        line += "\(done)/\(total)  \(counts.rendered) rendered, \(counts.skipped) skipped"
        if counts.failed > 0 { line += ", \(counts.failed) failed" }
        line += String(format: "  %.1f s", elapsed)
        return line
    }

    /// Clears the bar and prints the summary line (unless `quiet`).
    func close(quiet: Bool) {
        lock.lock()
        defer { lock.unlock() }
        var text = barVisible ? "\r\u{1B}[K" : ""
        barVisible = false
        if !quiet { text += Self.summary(counts, seconds: Self.now() - start) + "\n" }
        if !text.isEmpty { Terminal.writeError(text) }
    }

    /// `14 specs: 12 rendered, 1 skipped (unchanged), 1 failed in 0.84 s`
    static func summary(_ counts: Counts, seconds: Double) -> String {
        let total = counts.rendered + counts.skipped + counts.failed
        return "\(total) spec\(total == 1 ? "" : "s"): \(counts.rendered) rendered, \(counts.skipped) skipped (unchanged), \(counts.failed) failed"
            + String(format: " in %.2f s", seconds)
    }
}
