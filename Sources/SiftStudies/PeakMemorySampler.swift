// The process's peak resident memory over one stretch of work (one run of a study), sampled from
// Linux's /proc/self/statm by a background thread. Sampling (rather than resetting the kernel's
// high-water mark through /proc/self/clear_refs) leaves the process's own max RSS intact for
// `/usr/bin/time -v` and the like; a spike shorter than the interval can be missed.
// Elsewhere nothing is measured.
import Foundation
import SiftTensor
import Synchronization

/// Samples this process's resident set size until stopped and keeps the largest value.
public final class PeakMemorySampler: @unchecked Sendable {
    private let peak = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)
    private let finished = DispatchSemaphore(value: 0)
    private let available: Bool
    private let reading: @Sendable () -> Int?

    /// Starts sampling every `interval` seconds (on Linux; elsewhere `stop()` returns nil).
    /// `reading` gives the resident bytes now (tests pass their own).
    public init(interval: TimeInterval = 0.1, reading: @escaping @Sendable () -> Int? = { StorageStatistics.residentBytes }) {
        self.reading = reading
        available = reading() != nil
        guard available else { return }
        let thread = Thread { [self] in
            while running.load(ordering: .relaxed) {
                sample()
                Thread.sleep(forTimeInterval: interval)
            }
            finished.signal()
        }
        thread.name = "sift-memory-sampler"
        sample()
        thread.start()
    }

    private func sample() {
        if let now = reading() { _ = peak.max(now, ordering: .relaxed) }
    }

    /// Stops sampling and returns the largest resident size seen, in bytes (nil where the system
    /// does not report it).
    public func stop() -> Int? {
        guard available else { return nil }
        if running.exchange(false, ordering: .relaxed) {
            finished.wait()
            sample()
        }
        return peak.load(ordering: .relaxed)
    }
}
