import Foundation

/// What the generic find code needs to know about one kind of object.
struct FindKind<Item: Decodable & Sendable & Hashable>: Sendable {
    /// Query field, e.g. `findScenes`.
    let field: String
    /// List key inside the result, e.g. `scenes`.
    let listKey: String
    /// Variable holding the object filter, e.g. `scene_filter`.
    let filterVariable: String
    let document: String
    /// True when `Item` declares its keys as Stash spells them (`visual_files`): decoded without
    /// the snake-case conversion, which costs a string per key per object.
    var declaresStashKeys = false
    /// Reads a page from the response's bytes before `JSONDecoder` is tried (`SelectedFind`).
    var pageReader: FindPageReader<Item>?
}

extension FindKind where Item == Performer {
    static let performers = FindKind(
        field: "findPerformers", listKey: "performers", filterVariable: "performer_filter",
        document: StashDocuments.findPerformers)
}
extension FindKind where Item == Studio {
    static let studios = FindKind(
        field: "findStudios", listKey: "studios", filterVariable: "studio_filter", document: StashDocuments.findStudios)
}
extension FindKind where Item == Tag {
    static let tags = FindKind(
        field: "findTags", listKey: "tags", filterVariable: "tag_filter", document: StashDocuments.findTags)
}
extension FindKind where Item == Gallery {
    static let galleries = FindKind(
        field: "findGalleries", listKey: "galleries", filterVariable: "gallery_filter",
        document: StashDocuments.findGalleries)
}
extension FindKind where Item == Scene {
    static let scenes = FindKind(
        field: "findScenes", listKey: "scenes", filterVariable: "scene_filter", document: StashDocuments.findScenes)
}
extension FindKind where Item == Image {
    static let images = FindKind(
        field: "findImages", listKey: "images", filterVariable: "image_filter", document: StashDocuments.findImages)
}

struct EmptyVariables: Encodable {}

/// Variables of a find: `filter`, the object filter under its own name, `ids`.
private struct FindVariables<Filter: Encodable>: Encodable {
    let filterVariable: String
    let filter: FindFilter
    let objectFilter: Filter?
    let ids: [String]?

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(filter, forKey: AnyKey("filter"))
        try container.encodeIfPresent(objectFilter, forKey: AnyKey(filterVariable))
        try container.encodeIfPresent(ids, forKey: AnyKey("ids"))
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// `{ count, <list> }` whatever the list is called.
private struct FindResult<Item: Decodable>: Decodable {
    let count: Int
    let items: [Item]
    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        count = try container.decode(Int.self, forKey: AnyKey("count"))
        guard let listKey = container.allKeys.first(where: { $0.stringValue != "count" }) else {
            throw DecodingError.keyNotFound(
                AnyKey("items"), .init(codingPath: decoder.codingPath, debugDescription: "no list in the find result"))
        }
        items = try container.decode([Item].self, forKey: listKey)
    }
}

private struct Envelope<Payload: Decodable>: Decodable {
    let data: Payload?
    let errors: [GraphQLErrorEntry]?
}

/// Lets `[String: Output?]` keep null entries (a failed aliased field).
private struct NullableBox<Value: Decodable>: Decodable {
    let value: Value?
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        value = container.decodeNil() ? nil : try container.decode(Value.self)
    }
}

extension StashClient {
    /// Runs a read-only query and decodes `data`; any GraphQL error is thrown.
    func query<Variables: Encodable, Payload: Decodable>(
        operation: String, document: String, variables: Variables,
        stashKeys: Bool = false
    ) async throws(StashError) -> Payload {
        let data = try await post(operation: operation, document: document, variables: variables)
        return try decode(data, operation: operation, stashKeys: stashKeys)
    }

    /// Sends a read-only query; the response's bytes.
    private func post<Variables: Encodable>(operation: String, document: String, variables: Variables)
        async throws(StashError) -> Data
    {
        let encoded: Data
        do { encoded = try transport.encoder.encode(variables) } catch {
            throw .invalidInput(operation: operation, detail: String(describing: error))
        }
        return try await transport.post(
            operation: operation, document: document, variables: encoded, idempotent: true)
    }

    /// A query's `data`, decoded; any GraphQL error is thrown.
    private func decode<Payload: Decodable>(_ data: Data, operation: String, stashKeys: Bool)
        throws(StashError) -> Payload
    {
        let envelope: Envelope<Payload>
        do {
            envelope = try (stashKeys ? transport.plainDecoder : transport.decoder).decode(
                Envelope<Payload>.self, from: data)
        } catch {
            throw .malformedResponse(
                operation: operation, detail: Self.describe(error) + " in " + GraphQLTransport.excerpt(data))
        }
        if let error = envelope.errors?.first {
            if let path = error.path { throw .resolver(operation: operation, path: path, message: error.message) }
            throw .invalidRequest(operation: operation, status: 200, errors: envelope.errors ?? [])
        }
        guard let payload = envelope.data else {
            throw .malformedResponse(operation: operation, detail: "neither data nor errors")
        }
        return payload
    }

    func findPage<Item, Filter: Encodable>(
        _ kind: FindKind<Item>, filter: Filter?, ids: [String]?, page: Int,
        perPage: Int, sort: String
    ) async throws(StashError) -> FindPage<Item> {
        let variables = FindVariables(
            filterVariable: kind.filterVariable,
            filter: FindFilter(page: page, perPage: perPage, sort: sort, direction: .ascending),
            objectFilter: filter, ids: ids)
        let document = capabilities.adapting(kind.document)
        let payload: [String: FindResult<Item>]
        if let reader = kind.pageReader {
            let data = try await post(operation: kind.field, document: document, variables: variables)
            if let page = data.withUnsafeBytes({ reader($0, kind.field, kind.listKey) }) {
                return FindPage(items: page.items, count: page.count)
            }
            payload = try decode(data, operation: kind.field, stashKeys: kind.declaresStashKeys)
        } else {
            payload = try await query(
                operation: kind.field, document: document, variables: variables, stashKeys: kind.declaresStashKeys)
        }
        guard let result = payload[kind.field] else {
            throw .malformedResponse(operation: kind.field, detail: "no \(kind.field) in data")
        }
        return FindPage(items: result.items, count: result.count)
    }

    func findAll<Item, Filter: Encodable>(_ kind: FindKind<Item>, filter: Filter?) async throws(StashError) -> [Item] {
        var items: [Item] = []
        try await forEachPage(kind, filter: filter) { items.append(contentsOf: $0) }
        return items
    }

    /// Every page of a find, in order, each handed to `body` as soon as it is decoded.
    func forEachPage<Item, Filter: Encodable>(
        _ kind: FindKind<Item>, filter: Filter?,
        body: ([Item]) -> Void
    ) async throws(StashError) {
        var seen = 0
        var page = 1
        while true {
            let result = try await findPage(
                kind, filter: filter, ids: nil, page: page, perPage: configuration.pageSize, sort: "id")
            seen += result.items.count
            body(result.items)
            if result.items.isEmpty || seen >= result.count { return }
            page += 1
        }
    }

    func findByIds<Item>(_ kind: FindKind<Item>, ids: [String]) async throws(StashError) -> [Item] {
        var items: [Item] = []
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(ids.count, start + configuration.pageSize)])
            let result = try await findPage(
                kind, filter: Optional<MediaFilter>.none, ids: chunk, page: 1, perPage: chunk.count, sort: "id")
            items.append(contentsOf: result.items)
            start += chunk.count
        }
        return items
    }

    /// Sends `inputs` as aliased `kind` mutations, `batchSize` to a request, in order. Returns one
    /// result per input. After a failure that stops the run (no connection, bad key, unknown
    /// outcome), the inputs not yet sent fail with `.notSent`.
    func perform<Input: Encodable, Output: Decodable>(_ kind: MutationKind, _ inputs: [Input]) async -> [Result<
        Output?, StashError
    >] {
        var results: [Result<Output?, StashError>] = []
        results.reserveCapacity(inputs.count)
        var start = 0
        while start < inputs.count {
            let end = min(inputs.count, start + configuration.batchSize)
            let chunk = Array(inputs[start..<end])
            do {
                let chunkResults: [Result<Output?, StashError>] = try await performChunk(kind, chunk, firstIndex: start)
                results.append(contentsOf: chunkResults)
            } catch let error {
                results.append(contentsOf: Array(repeating: .failure(error), count: chunk.count))
                if error.stopsRun {
                    let because = error.description
                    results.append(
                        contentsOf: Array(
                            repeating: .failure(.notSent(operation: kind.field, because: because)),
                            count: inputs.count - end))
                    return results
                }
            }
            start = end
        }
        return results
    }

    private func performChunk<Input: Encodable, Output: Decodable>(
        _ kind: MutationKind, _ chunk: [Input],
        firstIndex: Int
    ) async throws(StashError) -> [Result<Output?, StashError>] {
        let operation = chunk.count == 1 ? kind.field : "\(kind.field) ×\(chunk.count)"
        var variables: [String: Input] = [:]
        for (index, input) in chunk.enumerated() { variables["i\(index)"] = input }
        let encoded: Data
        do { encoded = try transport.encoder.encode(variables) } catch {
            throw .invalidInput(operation: operation, detail: String(describing: error))
        }
        let document = StashDocuments.batch(
            field: kind.field, inputType: kind.inputType, selection: kind.selection, count: chunk.count)
        let data = try await transport.post(
            operation: operation, document: document, variables: encoded, idempotent: kind.isIdempotent)
        let envelope: Envelope<[String: NullableBox<Output>]>
        do { envelope = try transport.decoder.decode(Envelope<[String: NullableBox<Output>]>.self, from: data) } catch {
            throw .malformedResponse(
                operation: operation, detail: Self.describe(error) + " in " + GraphQLTransport.excerpt(data))
        }
        var errorsByAlias: [String: GraphQLErrorEntry] = [:]
        for error in envelope.errors ?? [] {
            guard let alias = error.path?.first else {
                // An error that belongs to no field concerns the whole request.
                throw .invalidRequest(operation: operation, status: 200, errors: envelope.errors ?? [])
            }
            if errorsByAlias[alias] == nil { errorsByAlias[alias] = error }
        }
        return (0..<chunk.count).map { index in
            let alias = "u\(index)"
            if let error = errorsByAlias[alias] {
                var path = error.path ?? [alias]
                path[0] = kind.field
                return .failure(
                    .resolver(
                        operation: "\(kind.field) (item \(firstIndex + index + 1))", path: path, message: error.message)
                )
            }
            // A field without an error ran; with a non-null result type gqlgen nulls `data` as a
            // whole when a sibling fails, so a missing value is still a success.
            return .success(envelope.data?[alias]?.value)
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            return "\(context.debugDescription) at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default:
            return String(describing: error)
        }
    }
}
