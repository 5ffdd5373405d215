// Decoding of TEI request bodies: every `inputs` form, options, and the errors for wrong shapes.
import Foundation
import SiftServe
import Testing

@Suite("TEI request decoding")
struct PredictRequestTests {
    func decode(_ json: String) throws(ServeError) -> PredictRequest {
        try PredictRequest.decode(Array(json.utf8))
    }

    @Test("a string is one text; two strings a pair; lists of lists a batch")
    func forms() throws {
        let single = try decode(#"{"inputs": "hello"}"#)
        #expect(single.inputs == [TextInput(text: "hello")] && !single.isBatch)
        let pair = try decode(#"{"inputs": ["a", "b"]}"#)
        #expect(pair.inputs == [TextInput(text: "a", pair: "b")] && !pair.isBatch)
        let batch = try decode(#"{"inputs": [["a"], ["b", "c"], "d"]}"#)
        #expect(batch.isBatch)
        #expect(batch.inputs == [TextInput(text: "a"), TextInput(text: "b", pair: "c"), TextInput(text: "d")])
        let three = try decode(#"{"inputs": ["a", "b", "c"]}"#)
        #expect(three.isBatch && three.inputs.count == 3)
    }

    @Test("options: truncate, truncation_direction, raw_scores, normalize; defaults as TEI")
    func options() throws {
        let defaults = try decode(#"{"inputs": "x"}"#)
        #expect(!defaults.truncate && defaults.truncationDirection == .right && !defaults.rawScores && defaults.normalize)
        let set = try decode(#"{"inputs": "x", "truncate": true, "truncation_direction": "Left", "raw_scores": true, "normalize": false}"#)
        #expect(set.truncate && set.truncationDirection == .left && set.rawScores && !set.normalize)
    }

    @Test("wrong JSON or types are 422 with a message naming the field; an empty batch is 400")
    func errors() {
        let cases: [(String, String)] = [
            (#"{"inputs": 42}"#, "inputs"), (#"{"inputs": "x", "truncate": "yes"}"#, "truncate"), (#"{}"#, "inputs"),
            (#"{"inputs": [1]}"#, "inputs"), (#"{"inputs": "x", "truncation_direction": "up"}"#, "truncation_direction"),
            (#"{"inputs": [["a", "b", "c"]]}"#, "inputs[0]"), (#"{"inputs": "x""#, "JSON"), ("", "JSON"),
            (#"{"inputs": "x", "raw_scores": 1}"#, "raw_scores"), (#"[1, 2]"#, "wrong type"),
        ]
        for (body, mention) in cases {
            do {
                _ = try decode(body)
                Issue.record("\(body) was accepted")
            } catch {
                #expect(error.status == 422, "\(body)")
                #expect(error.errorType == "validation")
                #expect(error.description.contains(mention), "\(body): \(error.description)")
            }
        }
        #expect(throws: ServeError.emptyBatch) { try decode(#"{"inputs": []}"#) }
        var invalidUTF8 = Array(#"{"inputs": ""#.utf8)
        invalidUTF8 += [0xFF, 0xC3, 0x28]
        invalidUTF8 += Array(#""}"#.utf8)
        #expect(throws: ServeError.self) { try PredictRequest.decode(invalidUTF8) }
    }
}
