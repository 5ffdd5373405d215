// Causal language-modelling loss with Hugging Face's label convention: `labels` has the batch's
// shape and is NOT shifted; the token at position t is predicted by the logits at t − 1, and −100
// marks positions that do not count (prompt, padding). Only the counted positions go through the
// LM head, so a 150k-token vocabulary costs N×V logits, not B×T×V.
//
// Shapes: hidden [B, T, C] → picked [N, C] → logits [N, V] → loss []
import SiftTensor

extension DecoderModel {
    /// Mean cross-entropy over the counted (label ≠ −100) tokens, and how many there were.
    /// - Parameters:
    ///   - hidden: final-normed hidden states `[B, T, C]` from `hiddenStates`.
    ///   - labels: `[B·T]` target ids, −100 where the position does not count.
    public func languageModelingLoss(hidden: Tensor, labels: [Int]) throws -> (loss: Tensor, count: Int) {
        let (b, t, c) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
        guard labels.count == b * t else {
            throw ModelError.invalidInput("labels hold \(labels.count) values, expected \(b)×\(t)")
        }
        // 1. Rows (b, t−1) whose next token (b, t) is counted.
        var rows: [Int] = [], targets: [Int] = []
        for row in 0..<b {
            for position in 1..<max(t, 1) where labels[row * t + position] != -100 {
                let target = labels[row * t + position]
                guard target >= 0 && target < config.vocabSize else {
                    throw ModelError.invalidInput("label \(target) at row \(row), position \(position) is outside the vocabulary 0..<\(config.vocabSize)")
                }
                rows.append(row * t + position - 1)
                targets.append(target)
            }
        }
        guard !rows.isEmpty else {
            throw ModelError.invalidInput("no position has a label other than -100: nothing to learn from this batch")
        }
        // 2. Gather those hidden rows (gather = embedding lookup into the flattened states; its
        //    backward scatters the gradient back), project to the vocabulary, cross-entropy.
        let flat = try hidden.reshaped([b * t, c])
        let picked = try Tensor.embedding(table: flat, ids: rows, shape: [rows.count])  // [N, C]
        let logits = try self.logits(fromHidden: picked)  // [N, V]
        return (try Tensor.crossEntropy(logits: logits, targets: targets), rows.count)
    }
}
