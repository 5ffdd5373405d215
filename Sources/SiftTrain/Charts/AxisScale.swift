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
    /// Decimals that print every tick distinctly (linear scales).
    let decimals: Int
    /// Whether positions follow log10 of the value (`lower`/`upper` are then values, not exponents).
    let isLogarithmic: Bool

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
        self.isLogarithmic = false
    }

    /// A log10 scale over whole decades covering `minimum…maximum` (both > 0); ticks at 1, 10, 100…
    /// and also at 2× and 5× when the data spans at most two decades.
    init(logarithmicMinimum minimum: Double, maximum: Double, pixelStart: Double, pixelEnd: Double) {
        let low = minimum.isFinite && minimum > 0 ? minimum : 1
        let high = maximum.isFinite && maximum >= low ? maximum : low
        var lowExponent = log10(low).rounded(.down)
        var highExponent = log10(high).rounded(.up)
        if highExponent <= lowExponent { highExponent = lowExponent + 1 }
        if highExponent - lowExponent > 300 { lowExponent = highExponent - 300 }
        var ticks: [Double] = []
        let multiples: [Double] = highExponent - lowExponent <= 2 ? [1, 2, 5] : [1]
        var exponent = lowExponent
        while exponent <= highExponent {
            for multiple in multiples {
                let tick = multiple * pow(10, exponent)
                if tick <= pow(10, highExponent) * (1 + 1e-12) { ticks.append(tick) }
            }
            exponent += 1
        }
        self.lower = pow(10, lowExponent)
        self.upper = pow(10, highExponent)
        self.pixelStart = pixelStart
        self.pixelEnd = pixelEnd
        self.ticks = ticks
        self.decimals = max(0, Int(-lowExponent))
        self.isLogarithmic = true
    }

    /// The pixel position of a data value (log scales: values ≤ 0 map to the start).
    func pixel(_ value: Double) -> Double {
        if isLogarithmic {
            let fraction = (log10(max(value, lower * 1e-3)) - log10(lower)) / (log10(upper) - log10(lower))
            return pixelStart + fraction * (pixelEnd - pixelStart)
        }
        return pixelStart + (value - lower) / (upper - lower) * (pixelEnd - pixelStart)
    }

    /// A tick's label: fixed decimals on linear scales, the shortest exact form on log scales.
    func label(_ tick: Double) -> String {
        guard isLogarithmic else { return SVGText.label(tick, decimals: decimals) }
        if tick >= 1, tick < 1e15 { return String(Int(tick.rounded())) }
        return SVGText.label(tick, decimals: decimals)
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
