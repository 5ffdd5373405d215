// Per-class loss weights for imbalanced datasets.

extension TextDataset {
    /// scikit-learn's "balanced" class weights, `count / (classCount × examplesOfClass)`: each class
    /// then contributes equally to a weighted loss. A class without examples gets weight 0.
    public func balancedClassWeights() -> [Double] {
        let counts = classCounts
        return counts.map { $0 > 0 ? Double(count) / (Double(labels.count) * Double($0)) : 0 }
    }
}
