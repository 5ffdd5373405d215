// A deterministic parallel-for over the machine's cores that shares them with BLAS.
//
// Work is split into at most `threadCount` contiguous chunks decided by the range alone, so a
// kernel that reduces within a chunk gives the same bits for the same thread count every run.
// BLAS runs with the same thread count; our loops and BLAS calls never run at the same time.
// Where oneDNN is linked the chunks run as an OpenMP parallel region, on the same team of threads
// as oneDNN's GEMMs: one pool whose workers, still spinning after a GEMM, start the next loop at
// once. With Dispatch's workers as a second pool, either oneDNN's workers slept between calls
// (each GEMM then paid a wake-up, 0.07–0.1 ms at 128 rows) or they spun on the cores our loops
// needed. MiniLM-L6 batch-1 forward: 18–19 ms with one pool, 22–23 ms with two (`sift bench inference`).
import Dispatch
import Foundation
#if canImport(CBLAS)
import CBLAS
#endif
#if canImport(CDNNL)
import CDNNL
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
        if usesOpenMP, runOnOpenMP(count: count, chunks: threads, body) { return }
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

extension Parallel {
    /// Whether loops run on OpenMP's threads (oneDNN's pool) rather than Dispatch's.
    @TaskLocal public static var usesOpenMP = true

    /// Runs the chunks of `forEachChunk` as one OpenMP parallel region; false when OpenMP is not linked.
    @usableFromInline
    static func runOnOpenMP(count: Int, chunks: Int, _ body: (Range<Int>) -> Void) -> Bool {
        #if canImport(CDNNL)
        withoutActuallyEscaping(body) { escapableBody in
            var job = OpenMPChunks(count: count, chunks: chunks, body: escapableBody)
            withUnsafeMutablePointer(to: &job) { GOMP_parallel(openMPChunkTrampoline, $0, UInt32(chunks), 0) }
        }
        return true
        #else
        return false
        #endif
    }
}

#if canImport(CDNNL)
/// What each thread of an OpenMP team needs to find its chunks.
private struct OpenMPChunks {
    let count: Int, chunks: Int
    let body: (Range<Int>) -> Void
}

/// Thread `i` of a team of `n` runs chunks i, i + n, …: every chunk runs once even when the team is
/// smaller than asked (a nested region gets one thread), and the chunk bounds depend on the range alone.
private let openMPChunkTrampoline: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in
    guard let job = raw?.assumingMemoryBound(to: OpenMPChunks.self).pointee else { return }
    let team = max(1, Int(omp_get_num_threads()))
    var chunk = Int(omp_get_thread_num())
    while chunk < job.chunks {
        let start = job.count * chunk / job.chunks, end = job.count * (chunk + 1) / job.chunks
        if start < end { job.body(start..<end) }
        chunk += team
    }
}
#endif

/// Carries a non-Sendable value into a concurrent region whose accesses the caller keeps disjoint.
@usableFromInline
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}
