// A deterministic parallel-for over the machine's cores that shares them with BLAS.
//
// Work is split into at most `threadCount` contiguous chunks decided by the range alone, so a
// kernel that reduces within a chunk gives the same bits for the same thread count every run.
// BLAS runs with the same thread count; our loops and BLAS calls never run at the same time.
import Dispatch
import Foundation
#if canImport(CBLAS)
import CBLAS
#endif

/// Thread configuration and the parallel loop used by every non-BLAS kernel.
public enum Parallel {
    nonisolated(unsafe) private static var configuredThreads: Int = {
        let fromEnvironment = ProcessInfo.processInfo.environment["SIFT_NUM_THREADS"].flatMap(Int.init)
        let count = max(1, fromEnvironment ?? ProcessInfo.processInfo.activeProcessorCount)
        setBLASThreads(count)
        return count
    }()

    /// Threads used by kernels and BLAS (default: `SIFT_NUM_THREADS`, else the number of active cores).
    public static var threadCount: Int { configuredThreads }

    /// Sets the thread count for our kernels and for BLAS together. Call before heavy work starts.
    public static func setThreadCount(_ count: Int) {
        let clamped = max(1, count)
        configuredThreads = clamped
        setBLASThreads(clamped)
    }

    private static func setBLASThreads(_ count: Int) {
        #if canImport(CBLAS)
        openblas_set_num_threads(Int32(count))
        #endif
    }

    /// Calls `body` on disjoint contiguous sub-ranges covering `0..<count`, in parallel when the
    /// work is large enough. `minChunk` is the smallest range worth handing to another thread.
    @inlinable
    public static func forEachChunk(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let threads = min(threadCount, max(1, count / max(minChunk, 1)))
        if threads <= 1 {
            body(0..<count)
            return
        }
        // Kernels capture raw pointers (not Sendable); the chunks are disjoint by construction.
        withoutActuallyEscaping(body) { escapableBody in
            let shared = UncheckedSendableBox(escapableBody)
            DispatchQueue.concurrentPerform(iterations: threads) { chunk in
                let start = count * chunk / threads
                let end = count * (chunk + 1) / threads
                if start < end { shared.value(start..<end) }
            }
        }
    }
}

/// Carries a non-Sendable value into a concurrent region whose accesses the caller keeps disjoint.
@usableFromInline
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}
