// Linear axis scales with "nice" ticks (1, 2, 2.5 or 5 times a power of ten).

import Foundation

/// A linear map from a data interval onto a pixel interval, with readable ticks.
struct AxisScale {
    /// The data interval (widened to whole ticks).
    let lower: Double
    let upper: Double
    /// The pixel interval that `lower…upper` maps onto (may be reversed, as for a y axis).
    let pixelStart: Double
    let pixelEnd: Double
    /// The tick values, from `lower` to `upper`.
    let ticks: [Double]
    /// Decimals that print every tick distinctly.
    let decimals: Int

    /// A scale covering `minimum…maximum` with about `targetTicks` ticks; `extendToTicks` widens the
    /// interval to the surrounding ticks.
    init(minimum: Double, maximum: Double, pixelStart: Double, pixelEnd: Double, targetTicks: Int = 6,
         extendToTicks: Bool = true) {
        var low = minimum.isFinite ? minimum : 0
        var high = maximum.isFinite ? maximum : 1
        if high < low { swap(&low, &high) }
        if high - low < 1e-12 * max(1, abs(high)) {
            let pad = max(abs(low) * 0.05, 0.5)
            low -= pad
            high += pad
        }
        let step = AxisScale.niceStep(span: high - low, targetTicks: max(2, targetTicks))
        if extendToTicks {
            low = (low / step).rounded(.down) * step
            high = (high / step).rounded(.up) * step
        }
        var ticks: [Double] = []
        var tick = (low / step).rounded(.up) * step
        while tick <= high + step * 1e-9, ticks.count < 100 {
            ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        self.lower = low
        self.upper = high
        self.pixelStart = pixelStart
        self.pixelEnd = pixelEnd
        self.ticks = ticks
        self.decimals = max(0, Int(-log10(step).rounded(.down)) + (AxisScale.isHalfStep(step) ? 1 : 0))
    }

    /// The pixel position of a data value.
    func pixel(_ value: Double) -> Double {
        pixelStart + (value - lower) / (upper - lower) * (pixelEnd - pixelStart)
    }

    /// 1, 2, 2.5 or 5 × 10^k, the smallest giving at most about `targetTicks` intervals.
    static func niceStep(span: Double, targetTicks: Int) -> Double {
        let raw = span / Double(targetTicks)
        let magnitude = pow(10, log10(raw).rounded(.down))
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * magnitude >= raw {
            return factor * magnitude
        }
        return 10 * magnitude
    }

    private static func isHalfStep(_ step: Double) -> Bool {
        let mantissa = step / pow(10, log10(step).rounded(.down))
        return abs(mantissa - 2.5) < 1e-9
    }
}
