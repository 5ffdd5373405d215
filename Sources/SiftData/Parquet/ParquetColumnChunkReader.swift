// Reads one column chunk (a column within one row group): walks its pages, decompresses them,
// decodes repetition and definition levels and the values, and assembles rows: nulls in place for
// flat columns, one list per row for repeated columns.

/// What one page of a chunk was; collected for tests and diagnostics.
struct ParquetPageSummary: Equatable {
    let type: ParquetPageType
    let encoding: String
    let numValues: Int
}

/// One data page: its levels (empty when the column has none) and its non-null values.
struct ParquetDecodedPage<Value> {
    let count: Int
    let repetitionLevels: [UInt32]
    let definitionLevels: [UInt32]
    let values: [Value]
}

/// Decodes the pages of one column chunk.
struct ParquetColumnChunkReader {
    let file: [UInt8]
    let path: String
    let column: ParquetColumnSchema
    let metadata: ParquetColumnMetadata
    let codec: ParquetCompressionCodec
    let rowGroup: Int
    /// The row group's row count.
    let expectedRows: Int

    /// Level entries the chunk holds: one per row for flat columns, one per list element (or empty
    /// or null list) for repeated ones.
    private var expectedEntries: Int { column.maxRepetitionLevel > 0 ? Int(metadata.numValues) : expectedRows }

    /// Appends the chunk's rows of a flat column to `output` and returns what its pages were.
    @discardableResult
    func read<Value: ParquetStoredValue>(into output: inout [Value?]) throws -> [ParquetPageSummary] {
        let present = UInt32(column.maxDefinitionLevel)
        return try readPages { (page: ParquetDecodedPage<Value>, _) in
            output.reserveCapacity(output.count + page.count)
            if page.definitionLevels.isEmpty {
                for value in page.values { output.append(value) }
                return
            }
            var next = 0
            for level in page.definitionLevels {
                if level == present {
                    output.append(page.values[next])
                    next += 1
                } else {
                    output.append(nil)
                }
            }
        }
    }

    /// Appends the chunk's rows of a singly repeated column (a list per row, nil for a null list).
    @discardableResult
    func readLists<Value: ParquetStoredValue>(into output: inout [[Value?]?]) throws -> [ParquetPageSummary] {
        var assembler = ParquetListAssembler<Value>(
            maxDefinitionLevel: column.maxDefinitionLevel, repeatedDefinitionLevel: column.repeatedDefinitionLevel)
        let firstRow = output.count
        let summaries = try readPages { (page: ParquetDecodedPage<Value>, headerOffset) in
            do {
                try assembler.add(page, to: &output)
            } catch let failure as ParquetDecodingFailure {
                throw corrupt(at: headerOffset, failure.detail)
            }
        }
        assembler.finish(into: &output)
        guard output.count - firstRow == expectedRows else {
            throw corrupt(
                at: Int(metadata.dataPageOffset),
                "the chunk's levels make \(output.count - firstRow) rows but the row group has \(expectedRows)")
        }
        return summaries
    }

    /// Walks the chunk's pages, passing each decoded data page (and its header's offset) to `consume`.
    private func readPages<Value: ParquetStoredValue>(
        _ consume: (ParquetDecodedPage<Value>, Int) throws -> Void
    ) throws -> [ParquetPageSummary] {
        // An empty row group needs no pages (pyarrow writes its chunk offsets as 0).
        guard expectedRows > 0 else { return [] }
        let expectedEntries = self.expectedEntries
        let (start, end) = try chunkRange()
        var summaries: [ParquetPageSummary] = []
        var dictionary: [Value]?
        var entriesRead = 0
        var position = start
        while entriesRead < expectedEntries {
            guard position < end else {
                throw corrupt(at: position, "the chunk's pages end after \(entriesRead) of \(expectedEntries) values")
            }
            let headerOffset = position
            var reader = ThriftCompactReader(bytes: file, start: position, end: end)
            let header: ParquetPageHeader
            do {
                header = try ParquetPageHeader.decode(&reader)
            } catch let failure as ThriftDecodingFailure {
                throw ParquetError.corruptMetadata(
                    path: path, byteOffset: failure.byteOffset,
                    detail: "page header of column '\(column.name)', row group \(rowGroup): \(failure.detail)")
            }
            let pageStart = reader.position
            let compressedSize = Int(header.compressedSize)
            guard compressedSize <= end - pageStart else {
                throw corrupt(
                    at: headerOffset,
                    "the page claims \(compressedSize) bytes but only \(end - pageStart) remain in the column chunk")
            }
            position = pageStart + compressedSize
            guard let type = header.type, type != .indexPage else { continue }  // pages a reader may skip
            guard header.sawSubHeader, header.numValues >= 0 else {
                throw corrupt(at: headerOffset, "the \(type) page header lacks its sub-header or value count")
            }
            let pageValues = Int(header.numValues)
            summaries.append(ParquetPageSummary(type: type, encoding: header.encoding.description, numValues: pageValues))
            switch type {
            case .dictionaryPage:
                guard dictionary == nil else { throw corrupt(at: headerOffset, "a second dictionary page") }
                guard header.encoding == .plain || header.encoding == .plainDictionary else {
                    throw unsupported("dictionary page encoding \(header.encoding)")
                }
                let page = try decompress(header: header, pageStart: pageStart, headerOffset: headerOffset)
                dictionary = try page.withUnsafeBytes { bytes in
                    try decoding(at: headerOffset) {
                        try Value.decodePlain(
                            bytes, start: 0, end: bytes.count, count: pageValues, typeLength: column.typeLength
                        ).values
                    }
                }
            case .dataPage, .dataPageV2:
                guard pageValues <= expectedEntries - entriesRead else {
                    throw corrupt(
                        at: headerOffset,
                        "the page holds \(pageValues) values but the chunk has only \(expectedEntries - entriesRead) left")
                }
                let page = try readDataPage(
                    header: header, type: type, pageStart: pageStart, headerOffset: headerOffset, dictionary: dictionary)
                try consume(page, headerOffset)
                entriesRead += pageValues
            case .indexPage:
                continue
            }
        }
        return summaries
    }

    /// The byte range of the chunk's pages, checked against the file.
    private func chunkRange() throws -> (start: Int, end: Int) {
        var start = metadata.dataPageOffset
        // Some writers store a dictionary offset of 0 when there is none; only a plausible one counts.
        if let dictionaryOffset = metadata.dictionaryPageOffset, dictionaryOffset > 0, dictionaryOffset < start {
            start = dictionaryOffset
        }
        let length = metadata.totalCompressedSize
        guard start >= 4, length >= 0, start <= Int64(file.count), length <= Int64(file.count) - start else {
            throw ParquetError.corruptMetadata(
                path: path, byteOffset: 0,
                detail: "column '\(column.name)', row group \(rowGroup): pages at byte \(start), \(length) bytes long, "
                    + "lie outside the \(file.count)-byte file")
        }
        return (Int(start), Int(start + length))
    }

    private func readDataPage<Value: ParquetStoredValue>(
        header: ParquetPageHeader, type: ParquetPageType, pageStart: Int, headerOffset: Int, dictionary: [Value]?
    ) throws -> ParquetDecodedPage<Value> {
        let count = Int(header.numValues)
        var repetition = [UInt32]()
        var definition = [UInt32]()
        let page: [UInt8]
        var valuesStart = 0
        if type == .dataPage {
            // v1: the whole page is compressed; levels are length-prefixed, repetition first.
            page = try decompress(header: header, pageStart: pageStart, headerOffset: headerOffset)
            try page.withUnsafeBytes { bytes in
                try decoding(at: headerOffset) {
                    if column.maxRepetitionLevel > 0 {
                        guard header.repetitionLevelEncoding == .rle else {
                            throw unsupported("repetition levels encoded as \(header.repetitionLevelEncoding)")
                        }
                        let length = try levelsLength(bytes, at: valuesStart, what: "repetition")
                        repetition = try levels(
                            bytes, start: valuesStart + 4, end: valuesStart + 4 + length, count: count,
                            maximum: column.maxRepetitionLevel, what: "repetition")
                        valuesStart += 4 + length
                    }
                    if column.maxDefinitionLevel > 0 {
                        guard header.definitionLevelEncoding == .rle else {
                            throw unsupported("definition levels encoded as \(header.definitionLevelEncoding)")
                        }
                        let length = try levelsLength(bytes, at: valuesStart, what: "definition")
                        definition = try levels(
                            bytes, start: valuesStart + 4, end: valuesStart + 4 + length, count: count,
                            maximum: column.maxDefinitionLevel, what: "definition")
                        valuesStart += 4 + length
                    }
                }
            }
        } else {
            // v2: levels are stored uncompressed and without length prefixes; only the values may be compressed.
            let repetitionLength = Int(header.repetitionLevelsByteLength)
            let definitionLength = Int(header.definitionLevelsByteLength)
            let compressedSize = Int(header.compressedSize)
            guard repetitionLength >= 0, definitionLength >= 0, repetitionLength + definitionLength <= compressedSize,
                repetitionLength + definitionLength <= Int(header.uncompressedSize)
            else {
                throw corrupt(
                    at: headerOffset,
                    "level lengths \(repetitionLength) + \(definitionLength) exceed the page size \(compressedSize)")
            }
            try file.withUnsafeBytes { bytes in
                try decoding(at: headerOffset) {
                    if column.maxRepetitionLevel > 0 {
                        repetition = try levels(
                            bytes, start: pageStart, end: pageStart + repetitionLength, count: count,
                            maximum: column.maxRepetitionLevel, what: "repetition")
                    }
                    if column.maxDefinitionLevel > 0 {
                        let levelsStart = pageStart + repetitionLength
                        definition = try levels(
                            bytes, start: levelsStart, end: levelsStart + definitionLength, count: count,
                            maximum: column.maxDefinitionLevel, what: "definition")
                    }
                }
            }
            let nonNull = nonNullCount(definition, count: count)
            guard header.numNulls == count - nonNull else {
                throw corrupt(at: headerOffset, "the header counts \(header.numNulls) nulls but the levels say \(count - nonNull)")
            }
            let valuesOffset = pageStart + repetitionLength + definitionLength
            let valuesSize = compressedSize - repetitionLength - definitionLength
            let uncompressedValuesSize = Int(header.uncompressedSize) - repetitionLength - definitionLength
            page = try decompress(
                offset: valuesOffset, size: valuesSize, uncompressedSize: uncompressedValuesSize,
                codec: header.isCompressed ? codec : .uncompressed, headerOffset: headerOffset)
        }
        let nonNull = nonNullCount(definition, count: count)
        let values: [Value] = try page.withUnsafeBytes { bytes in
            try decodeValues(
                bytes, start: valuesStart, count: nonNull, encoding: header.encoding, dictionary: dictionary,
                headerOffset: headerOffset)
        }
        return ParquetDecodedPage(count: count, repetitionLevels: repetition, definitionLevels: definition, values: values)
    }

    /// How many entries hold a value: those at the maximum definition level (all, for required columns).
    private func nonNullCount(_ definition: [UInt32], count: Int) -> Int {
        guard column.maxDefinitionLevel > 0 else { return count }
        let present = UInt32(column.maxDefinitionLevel)
        return definition.count(where: { $0 == present })
    }

    /// The 4-byte little-endian length before a v1 page's levels, checked against the page.
    private func levelsLength(_ bytes: UnsafeRawBufferPointer, at offset: Int, what: String) throws -> Int {
        guard bytes.count - offset >= 4 else { throw ParquetDecodingFailure("\(what) levels' length is cut off") }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        guard length <= bytes.count - offset - 4 else {
            throw ParquetDecodingFailure("\(what) levels claim \(length) bytes but the page has \(bytes.count - offset - 4)")
        }
        return length
    }

    /// Decodes `count` levels and checks each is at most `maximum`.
    private func levels(
        _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int, maximum: Int, what: String
    ) throws -> [UInt32] {
        var decoder = try ParquetHybridDecoder(
            bytes: bytes, start: start, end: end, bitWidth: ParquetHybridDecoder.bitWidth(forMaximum: maximum))
        let levels = try [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0, let base = buffer.baseAddress { try decoder.decode(count: count, into: base) }
            initialized = count
        }
        if let bad = levels.first(where: { $0 > UInt32(maximum) }) {
            throw ParquetDecodingFailure("\(what) level \(bad) exceeds the column's maximum \(maximum)")
        }
        return levels
    }

    private func decodeValues<Value: ParquetStoredValue>(
        _ bytes: UnsafeRawBufferPointer, start: Int, count: Int, encoding: ParquetEncoding, dictionary: [Value]?,
        headerOffset: Int
    ) throws -> [Value] {
        switch encoding {
        case .plain:
            return try decoding(at: headerOffset) {
                try Value.decodePlain(bytes, start: start, end: bytes.count, count: count, typeLength: column.typeLength)
                    .values
            }
        case .plainDictionary, .rleDictionary:
            guard let dictionary else {
                throw corrupt(at: headerOffset, "a dictionary-encoded page comes before any dictionary page")
            }
            return try decoding(at: headerOffset) {
                guard count > 0 else { return [] }
                guard start < bytes.count else { throw ParquetDecodingFailure("the index bit width byte is missing") }
                var decoder = try ParquetHybridDecoder(
                    bytes: bytes, start: start + 1, end: bytes.count, bitWidth: Int(bytes[start]))
                let indices = try [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
                    if let base = buffer.baseAddress { try decoder.decode(count: count, into: base) }
                    initialized = count
                }
                var values = [Value]()
                values.reserveCapacity(count)
                for index in indices {
                    guard Int(index) < dictionary.count else {
                        throw ParquetDecodingFailure(
                            "dictionary index \(index) is beyond the dictionary's \(dictionary.count) entries")
                    }
                    values.append(dictionary[Int(index)])
                }
                return values
            }
        case .rle where column.physicalType == .boolean:
            return try decoding(at: headerOffset) {
                guard bytes.count - start >= 4 else { throw ParquetDecodingFailure("RLE booleans' length is cut off") }
                let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
                guard length <= bytes.count - start - 4 else {
                    throw ParquetDecodingFailure("RLE booleans claim \(length) bytes but \(bytes.count - start - 4) remain")
                }
                var decoder = try ParquetHybridDecoder(bytes: bytes, start: start + 4, end: start + 4 + length, bitWidth: 1)
                let bits = try [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
                    if count > 0, let base = buffer.baseAddress { try decoder.decode(count: count, into: base) }
                    initialized = count
                }
                guard let values = bits.withUnsafeBufferPointer({ Value.fromBits($0) }) else {
                    throw ParquetDecodingFailure("RLE data encoding on a non-boolean column")
                }
                return values
            }
        default:
            let decoded = try decoding(at: headerOffset) {
                try Value.decodeOther(
                    encoding, bytes, start: start, end: bytes.count, count: count, typeLength: column.typeLength)
            }
            guard let values = decoded else {
                throw unsupported("the \(encoding) data encoding on a \(column.physicalType) column")
            }
            guard values.count == count else {
                throw corrupt(at: headerOffset, "the page decodes to \(values.count) values where the levels need \(count)")
            }
            return values
        }
    }

    /// The whole page after its header, decompressed.
    private func decompress(header: ParquetPageHeader, pageStart: Int, headerOffset: Int) throws -> [UInt8] {
        try decompress(
            offset: pageStart, size: Int(header.compressedSize), uncompressedSize: Int(header.uncompressedSize),
            codec: codec, headerOffset: headerOffset)
    }

    private func decompress(
        offset: Int, size: Int, uncompressedSize: Int, codec: ParquetCompressionCodec, headerOffset: Int
    ) throws -> [UInt8] {
        do {
            return try file.withUnsafeBytes { bytes in
                try ParquetDecompressor.decompress(
                    UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)]), codec: codec,
                    uncompressedSize: uncompressedSize)
            }
        } catch let failure as ParquetDecodingFailure {
            throw ParquetError.decompressionFailed(
                path: path, column: column.name, rowGroup: rowGroup, byteOffset: headerOffset,
                codec: codec.description, detail: failure.detail)
        }
    }

    /// Runs `body`, turning a `ParquetDecodingFailure` into a located `ParquetError.corruptPage`.
    private func decoding<Result>(at headerOffset: Int, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let failure as ParquetDecodingFailure {
            throw corrupt(at: headerOffset, failure.detail)
        }
    }

    private func corrupt(at offset: Int, _ detail: String) -> ParquetError {
        .corruptPage(path: path, column: column.name, rowGroup: rowGroup, byteOffset: offset, detail: detail)
    }

    private func unsupported(_ feature: String) -> ParquetError {
        .unsupported(path: path, column: column.name, feature: feature)
    }
}
