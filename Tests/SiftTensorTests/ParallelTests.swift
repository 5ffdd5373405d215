import Foundation
import Synchronization
import Testing
@testable import SiftTensor

@Suite("Parallel loops on OpenMP's team and on Dispatch")
struct ParallelTests {
    /// The chunks `forEachChunk` ran, sorted, and the distinct threads that ran them.
    private func chunks(count: Int, minChunk: Int, openMP: Bool) -> (ranges: [Range<Int>], threads: Int) {
        let seen = Mutex<(ranges: [Range<Int>], threads: Set<UInt>)>(([], []))
        Parallel.$usesOpenMP.withValue(openMP) {
            Parallel.forEachChunk(count, minChunk: minChunk) { range in
                let thread = UInt(bitPattern: Int(bitPattern: UInt(pthread_self())))
                usleep(2000)  // long enough that one thread cannot take every chunk before the other starts
                seen.withLock { $0.ranges.append(range); $0.threads.insert(thread) }
            }
        }
        return seen.withLock { (($0.ranges.sorted { $0.lowerBound < $1.lowerBound }), $0.threads.count) }
    }

    @Test("both pools run the same chunks, decided by the range alone, each index once")
    func sameChunks() {
        let threads = Parallel.threadCount
        for (count, minChunk) in [(1000, 1), (7, 1), (100, 40), (3, 10)] {
            let openMP = chunks(count: count, minChunk: minChunk, openMP: true)
            let dispatch = chunks(count: count, minChunk: minChunk, openMP: false)
            let parts = min(threads, max(1, count / minChunk))
            let expected = (0..<parts).map { (count * $0 / parts)..<(count * ($0 + 1) / parts) }.filter { !$0.isEmpty }
            #expect(openMP.ranges == expected, "OpenMP chunks for \(count) items, minChunk \(minChunk)")
            #expect(dispatch.ranges == expected, "Dispatch chunks for \(count) items, minChunk \(minChunk)")
        }
    }

    @Test("the OpenMP path runs chunks on several threads, and a nested loop still covers its range")
    func openMPThreadsAndNesting() {
        if Parallel.threadCount > 1 {
            #expect(chunks(count: 1000, minChunk: 1, openMP: true).threads > 1)
        } else {
            print("SKIP thread-count check: Parallel.threadCount is 1 on this machine")
        }
        // An inner loop inside a chunk gets a team of one thread (OpenMP's nesting is off): every
        // inner chunk must still run.
        let total = Atomic<Int>(0)
        Parallel.$usesOpenMP.withValue(true) {
            Parallel.forEachChunk(64) { outer in
                for _ in outer {
                    Parallel.forEachChunk(100) { inner in total.add(inner.count, ordering: .relaxed) }
                }
            }
        }
        #expect(total.load(ordering: .relaxed) == 64 * 100)
    }
}
