import Foundation
import Testing

/// Helpers shared by the test targets.

/// A value worked out on a thread of its own, started at once (when made, typically as a
/// `static let` the first test to need it touches), not on one of the test runner's threads
/// (two, on two cores): the other tests run meanwhile, and the work need not wait for a
/// free runner thread to start. Awaiting `value` gives the value, or throws its error.
public final class Background<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, Error>?
    private var waiting: [CheckedContinuation<T, Error>] = []

    public init(_ work: @escaping @Sendable () throws -> T) {
        Thread { [self] in
            let result = Result { try work() }
            lock.lock()
            self.result = result
            let waiting = self.waiting
            self.waiting = []
            lock.unlock()
            for continuation in waiting { continuation.resume(with: result) }
        }.start()
    }

    public var value: T {
        get async throws {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
                lock.lock()
                if let result {
                    lock.unlock()
                    continuation.resume(with: result)
                } else {
                    waiting.append(continuation)
                    lock.unlock()
                }
            }
        }
    }
}

/// A trait that starts a suite's `Background` work (by touching it) while the test run is
/// planned, before any test runs, instead of when the runner comes to the suite's first test.
public struct StartEarly: SuiteTrait, TestTrait {
    public let start: @Sendable () -> Void
    public init(start: @escaping @Sendable () -> Void) { self.start = start }
    public func prepare(for test: Test) async throws { start() }
}

extension Trait where Self == StartEarly {
    public static func startEarly(_ start: @escaping @Sendable () -> Void) -> Self { StartEarly(start: start) }
}
