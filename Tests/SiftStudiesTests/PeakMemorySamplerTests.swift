// The per-run peak memory of `sift compare`: the sampler keeps the largest reading it saw.
import Foundation
@testable import SiftStudies
import SiftTensor
import Synchronization
import Testing

@Suite("peak memory sampler")
struct PeakMemorySamplerTests {
    @Test("the sampler keeps the largest reading between start and stop, including a short spike; stop is idempotent")
    func keepsLargestReading() throws {
        // A reading that rises to a spike and falls back, advanced by each sample.
        let readings = [100, 300, 5_000, 200, 150]
        let position = Atomic<Int>(0)
        let sampler = PeakMemorySampler(interval: 0.005) {
            readings[min(position.add(1, ordering: .relaxed).newValue - 1, readings.count - 1)]
        }
        while position.load(ordering: .relaxed) < readings.count + 2 { Thread.sleep(forTimeInterval: 0.005) }
        #expect(sampler.stop() == 5_000)
        #expect(sampler.stop() == 5_000)
        // Without readings nothing is measured.
        #expect(PeakMemorySampler(interval: 0.005) { nil }.stop() == nil)
    }

    @Test("the process's resident memory is reported on Linux")
    func residentMemory() throws {
        guard let resident = StorageStatistics.residentBytes else {
            print("SKIP resident memory: this system does not report it (/proc/self/statm)")
            return
        }
        #expect(resident > 1 << 20 && UInt64(resident) < ProcessInfo.processInfo.physicalMemory)
    }
}
