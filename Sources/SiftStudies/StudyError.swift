// Errors of study files, study runs and reports: each says what was wrong, where, and what to do.

/// A problem with a study file, a study's inputs or its output folder.
public enum StudyError: Error, CustomStringConvertible, Equatable {
    /// The study file could not be read or is not valid JSON.
    case unreadableFile(path: String, reason: String)
    /// A value in the study file has the wrong type or an invalid value; `key` is a path like `runs[2].epochs`.
    case invalidValue(file: String, key: String, reason: String)
    /// A key the study file format does not know (often a typo).
    case unknownKey(file: String, key: String, known: [String])
    /// A required key is missing.
    case missingKey(file: String, key: String)
    /// The study is inconsistent (e.g. two runs with the same id, no runs).
    case invalidStudy(String)
    /// A finished run in the output folder was made with other settings than the study asks for now.
    case staleRun(id: String, path: String, changed: [String])
    /// A run failed; `reason` is the underlying error.
    case runFailed(id: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "cannot read the study file \(path): \(reason)"
        case let .invalidValue(file, key, reason):
            return "\(file): \(key): \(reason)"
        case let .unknownKey(file, key, known):
            return "\(file): unknown key \(key) (known keys here: \(known.sorted().joined(separator: ", ")))"
        case let .missingKey(file, key):
            return "\(file): missing required key \(key)"
        case let .invalidStudy(reason):
            return "invalid study: \(reason)"
        case let .staleRun(id, path, changed):
            return "run \(id) in \(path) was made with other settings than this study asks for (changed: \(changed.joined(separator: ", "))); delete that folder or use another --output (--resume only skips runs whose settings are unchanged)"
        case let .runFailed(id, reason):
            return "run \(id) failed: \(reason)"
        }
    }
}
