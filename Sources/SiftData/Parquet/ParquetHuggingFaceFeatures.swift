// Hugging Face `datasets` stores its feature types in the Parquet footer's key-value metadata under
// the key "huggingface": {"info": {"features": {"label": {"names": [...], "_type": "ClassLabel"}, …}}}.
// A ClassLabel column holds integers; the names say what each integer means.
import Foundation

extension ParquetFile {
    /// The class names of `column` when the file's `huggingface` metadata declares it a `ClassLabel`
    /// (index i is the name of label i); nil when the file has no such metadata or the column is not a
    /// ClassLabel. Throws `unknownColumn` for a name not in the file and `invalidHuggingFaceMetadata`
    /// when the metadata is not the JSON `datasets` writes.
    public func classLabelNames(column name: String) throws -> [String]? {
        _ = try column(named: name)
        guard let features = try huggingFaceFeatures(), let feature = features[name] else { return nil }
        guard let description = feature as? [String: Any] else {
            throw ParquetError.invalidHuggingFaceMetadata(path: path, detail: "feature '\(name)' is not a JSON object")
        }
        guard description["_type"] as? String == "ClassLabel" else { return nil }
        guard let names = description["names"] as? [String] else {
            throw ParquetError.invalidHuggingFaceMetadata(
                path: path, detail: "ClassLabel feature '\(name)' has no \"names\" list of strings")
        }
        return names
    }

    /// The `features` object of the `huggingface` metadata, or nil when the file has none.
    private func huggingFaceFeatures() throws -> [String: Any]? {
        guard let json = keyValueMetadata["huggingface"] else { return nil }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(json.utf8))
        } catch {
            throw ParquetError.invalidHuggingFaceMetadata(path: path, detail: "it is not valid JSON (\(error.localizedDescription))")
        }
        guard let object = parsed as? [String: Any] else {
            throw ParquetError.invalidHuggingFaceMetadata(path: path, detail: "it is not a JSON object")
        }
        // `datasets` writes {"info": {"features": …}}; accept a bare {"features": …} as well.
        let info = object["info"] as? [String: Any] ?? object
        guard let features = info["features"] else { return nil }
        guard let featureObject = features as? [String: Any] else {
            throw ParquetError.invalidHuggingFaceMetadata(path: path, detail: "\"features\" is not a JSON object")
        }
        return featureObject
    }
}
