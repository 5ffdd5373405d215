// Turns the (repetition level, definition level, value) entries of a singly repeated column into one
// list per row. Repetition level 0 starts a row, 1 continues it. With R the definition level of the
// repeated field: a level below R − 1 is a null list, R − 1 an empty list, from R on an element, which
// is a value at the maximum definition level and a null element below it. A row may continue on the
// next page (data page v1), so the assembler keeps the open row between pages.

/// Assembles list rows from decoded pages.
struct ParquetListAssembler<Value> {
    let maxDefinitionLevel: Int
    let repeatedDefinitionLevel: Int
    private var open = false
    private var current: [Value?]?

    init(maxDefinitionLevel: Int, repeatedDefinitionLevel: Int) {
        self.maxDefinitionLevel = maxDefinitionLevel
        self.repeatedDefinitionLevel = repeatedDefinitionLevel
    }

    /// Adds a page's entries; completed rows go to `output`.
    mutating func add(_ page: ParquetDecodedPage<Value>, to output: inout [[Value?]?]) throws {
        guard page.repetitionLevels.count == page.count else {
            throw ParquetDecodingFailure("a repeated column's page lacks repetition levels")
        }
        var next = 0
        for index in 0..<page.count {
            let definition = page.definitionLevels.isEmpty ? maxDefinitionLevel : Int(page.definitionLevels[index])
            if page.repetitionLevels[index] == 0 {
                if open { output.append(current) }
                open = true
                current = definition < repeatedDefinitionLevel - 1 ? nil : []
            } else {
                guard open else { throw ParquetDecodingFailure("the chunk's first entry continues a row") }
                guard current != nil, definition >= repeatedDefinitionLevel else {
                    throw ParquetDecodingFailure("entry \(index) continues a null or empty list")
                }
            }
            guard definition >= repeatedDefinitionLevel else { continue }
            if definition == maxDefinitionLevel {
                current?.append(page.values[next])
                next += 1
            } else {
                current?.append(nil)
            }
        }
    }

    /// Closes the last row (a chunk ends at a row boundary).
    mutating func finish(into output: inout [[Value?]?]) {
        if open { output.append(current) }
        open = false
        current = nil
    }
}
