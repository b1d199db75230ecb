import FanslyMetadata
import Foundation
import MappingRules
import StashClient

/// `StashWriter` over `StashClient`: each call is one aliased batch request (the client's batch size
/// is the applier's), and `StashError`s become `WriteFailure`s that say whether a write may have
/// happened.
struct StashClientWriter: StashWriter {
    /// The client every write goes through (its batch size is the number of aliases per request).
    let client: StashClient

    /// A writer over `client`.
    init(client: StashClient) { self.client = client }

    public func create(_ kind: EntityKind, inputs: [[String: FieldValue]]) async throws -> [WriteResult] {
        switch kind {
        case .tag: return try await write(inputs, as: TagCreateInput.self, kind: kind) { await client.createTags($0) }
        case .studio:
            return try await write(inputs, as: StudioCreateInput.self, kind: kind) { await client.createStudios($0) }
        case .performer:
            return try await write(inputs, as: PerformerCreateInput.self, kind: kind) {
                await client.createPerformers($0)
            }
        case .gallery:
            return try await write(inputs, as: GalleryCreateInput.self, kind: kind) { await client.createGalleries($0) }
        case .chapter:
            return try await write(inputs, as: GalleryChapterCreateInput.self, kind: kind) {
                await client.createGalleryChapters($0)
            }
        case .scene, .image:
            let failure = WriteFailure(
                .rejected, "Stash creates \(kind.rawValue)s by scanning files; scan the library and plan again")
            return inputs.map { _ in .failure(failure) }
        }
    }

    public func update(_ kind: EntityKind, inputs: [ObjectFields]) async throws -> [WriteResult] {
        let objects = inputs.map { input in input.fields.merging(["id": .string(input.id)]) { _, id in id } }
        switch kind {
        case .tag: return try await write(objects, as: TagUpdateInput.self, kind: kind) { await client.updateTags($0) }
        case .studio:
            return try await write(objects, as: StudioUpdateInput.self, kind: kind) { await client.updateStudios($0) }
        case .performer:
            return try await write(objects, as: PerformerUpdateInput.self, kind: kind) {
                await client.updatePerformers($0)
            }
        case .gallery:
            return try await write(objects, as: GalleryUpdateInput.self, kind: kind) {
                await client.updateGalleries($0)
            }
        case .scene:
            return try await write(objects, as: SceneUpdateInput.self, kind: kind) { await client.updateScenes($0) }
        case .image:
            return try await write(objects, as: ImageUpdateInput.self, kind: kind) { await client.updateImages($0) }
        case .chapter:
            return try await write(objects, as: GalleryChapterUpdateInput.self, kind: kind) {
                await client.updateGalleryChapters($0)
            }
        }
    }

    public func addGalleryImages(_ additions: [GalleryImages]) async throws -> [WriteResult] {
        let results = await client.addGalleryImages(
            additions.map { GalleryImagesInput(galleryId: $0.galleryId, imageIds: $0.imageIds) })
        return try Self.answers(
            zip(additions, results).map { addition, result in result.map { _ in addition.galleryId } })
    }

    public func galleryImageCounts(ids: [String]) async throws -> [String: Int] {
        do {
            return Dictionary(try await client.findGalleries(ids: ids).map { ($0.id, $0.imageCount) }) { first, _ in
                first
            }
        } catch let error {
            throw Self.failure(for: error)
        }
    }

    public func findExisting(_ kind: EntityKind, match: [MatchKey], fields: [String: FieldValue]) async throws
        -> [String]
    {
        do {
            if kind == .chapter { return try await findChapter(fields) }
            for key in match {
                let ids = try await find(kind, key)
                if !ids.isEmpty { return ids }
            }
            return []
        } catch let error {
            throw Self.failure(for: error)
        }
    }

    // MARK: - Finding a lost create

    private func find(_ kind: EntityKind, _ key: MatchKey) async throws(StashError) -> [String] {
        switch (kind, key) {
        case (.performer, .name(let name, let disambiguation)):
            let found = try await client.findPerformers(filter: NameFilter(name: .equals(name)))
            return found.filter { performer in
                performer.name.caseInsensitiveCompare(name) == .orderedSame
                    && (StashText.nonBlank(performer.disambiguation)?.lowercased()
                        == StashText.nonBlank(disambiguation)?.lowercased())
            }.map(\.id)
        case (.performer, .url(let url)):
            return try await client.findPerformers(filter: NameFilter(url: .equals(url))).filter {
                ($0.urls ?? []).contains(url)
            }.map(\.id)
        case (.performer, .stashIdHint(let id)):
            return try await client.findPerformers(ids: [id]).map(\.id)
        case (.studio, .name(let name, _)):
            return try await client.findStudios(filter: NameFilter(name: .equals(name)))
                .filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.id)
        case (.studio, .url(let url)):
            return try await client.findStudios(filter: NameFilter(url: .equals(url))).filter { $0.urls.contains(url) }
                .map(\.id)
        case (.studio, .stashIdHint(let id)):
            return try await client.findStudios(ids: [id]).map(\.id)
        case (.tag, .name(let name, _)):
            return try await client.findTags(filter: NameFilter(name: .equals(name)))
                .filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.id)
        case (.tag, .stashIdHint(let id)):
            return try await client.findTags(ids: [id]).map(\.id)
        case (.gallery, .code(let code)):
            return try await client.findGalleries(filter: MediaFilter(code: .equals(code))).filter { $0.code == code }
                .map(\.id)
        case (.gallery, .url(let url)):
            return try await client.findGalleries(filter: MediaFilter(url: .equals(url))).filter {
                $0.urls.contains(url)
            }.map(\.id)
        case (.gallery, .stashIdHint(let id)):
            return try await client.findGalleries(ids: [id]).map(\.id)
        default:
            return []
        }
    }

    /// A chapter is known by its gallery, title and first image.
    private func findChapter(_ fields: [String: FieldValue]) async throws(StashError) -> [String] {
        guard case .ref(let gallery)? = fields["gallery_id"], let galleryId = gallery.id,
            case .string(let title)? = fields["title"], case .int(let index)? = fields["image_index"]
        else { return [] }
        return try await client.findGalleries(ids: [galleryId]).flatMap(\.chapters)
            .filter { $0.title == title && $0.imageIndex == index }.map(\.id)
    }

    // MARK: - Typed inputs

    /// Turns field maps into the client's typed inputs and sends them; inputs that cannot be built
    /// fail alone.
    private func write<Input: Decodable>(
        _ objects: [[String: FieldValue]], as type: Input.Type, kind: EntityKind,
        send: ([Input]) async -> [Result<String, StashError>]
    ) async throws -> [WriteResult] {
        var built: [(Int, Input)] = []
        var answers = [WriteResult?](repeating: nil, count: objects.count)
        for (index, fields) in objects.enumerated() {
            do { built.append((index, try Self.input(fields, as: type, kind: kind))) } catch let failure as WriteFailure
            {
                answers[index] = .failure(failure)
            }
        }
        if !built.isEmpty {
            let results = try Self.answers(await send(built.map(\.1)))
            for ((index, _), result) in zip(built, results) { answers[index] = result }
        }
        return answers.map { $0 ?? .failure(WriteFailure(.rejected, "internal error: no answer")) }
    }

    /// Builds a typed input from Stash field names, checked against `StashFieldCatalog` (a field
    /// the catalog does not know on this kind, or a value of the wrong type, is refused) and against
    /// the input type (a field it does not carry is an error rather than silently dropped).
    static func input<Input: Decodable>(_ fields: [String: FieldValue], as type: Input.Type, kind: EntityKind) throws
        -> Input
    {
        let prefix = StashFieldCatalog.customFieldPrefix
        var object: [String: InputValue] = [:]
        var custom: [String: InputValue] = [:]
        var unwritable: [String] = []
        for (name, value) in fields {
            if name.hasPrefix(prefix) {
                if StashFieldCatalog.customFieldsSince(kind) == nil { unwritable.append(name) }
                if value != .null { custom[String(name.dropFirst(prefix.count))] = InputValue(value) }
                continue
            }
            if name != "id" {
                guard let field = StashFieldCatalog.field(name, of: kind) else { unwritable.append(name); continue }
                if value != .null, !field.type.accepts(value) {
                    throw WriteFailure(.rejected, "wrong type for \(name)")
                }
            }
            object[name] = InputValue(value)
        }
        // Creates take the map itself; updates `partial`, which keeps the keys other tools set
        // (`full` would erase them).
        if !custom.isEmpty {
            object["custom_fields"] = object["id"] == nil ? .object(custom) : .object(["partial": .object(custom)])
        }
        let lookups = InputDecoder.Lookups()
        let input: Input
        do {
            input = try InputDecoder.decode(Input.self, from: object, lookups: lookups)
        } catch let DecodingError.keyNotFound(key, _) {
            throw WriteFailure(
                .rejected,
                "a \(kind.rawValue) needs the field \(InputDecoder.snakeCase(key.stringValue)), which the plan does not set"
            )
        } catch let DecodingError.dataCorrupted(context) {
            throw WriteFailure(
                .rejected,
                "invalid value for \(context.codingPath.map { InputDecoder.snakeCase($0.stringValue) }.joined(separator: ".")): \(context.debugDescription)"
            )
        } catch let DecodingError.typeMismatch(_, context) {
            throw WriteFailure(
                .rejected,
                "wrong type for \(context.codingPath.map { InputDecoder.snakeCase($0.stringValue) }.joined(separator: "."))"
            )
        } catch {
            throw WriteFailure(.rejected, "cannot build the \(kind.rawValue) input: \(error)")
        }
        // A field the input never looked up, or one whose value it cannot send (a reference without an id).
        let dropped = fields.keys.filter { name in
            let key = name.hasPrefix(prefix) ? "custom_fields" : name
            guard let value = fields[name], value != .null else { return false }
            return !lookups.names.contains(key) || InputValue(value) == .null
        }
        let refused = Set(unwritable + dropped).sorted()
        guard refused.isEmpty else {
            throw WriteFailure(
                .rejected, "fansly-stash cannot write \(refused.joined(separator: ", ")) on a \(kind.rawValue)")
        }
        return input
    }

    // MARK: - Errors

    /// Per-item answers; when every item failed the same way for a reason that is not the item's
    /// own (the request failed), that reason is thrown for the whole batch instead.
    static func answers(_ results: [Result<String, StashError>]) throws -> [WriteResult] {
        let failures = results.compactMap { result -> StashError? in
            if case .failure(let error) = result { return error }; return nil
        }
        if failures.count == results.count, let first = failures.first, !isItemError(first) {
            throw failure(for: first)
        }
        return results.map { result in
            switch result {
            case .success(let id): return .success(id: id)
            case .failure(let error): return .failure(failure(for: error))
            }
        }
    }

    private static func isItemError(_ error: StashError) -> Bool {
        if case .resolver = error.underlying { return true }
        return false
    }

    /// What a client error means for the write.
    static func failure(for error: StashError) -> WriteFailure {
        let message = error.description
        switch error.underlying {
        case .resolver, .invalidRequest, .invalidInput: return WriteFailure(.rejected, message)
        case .httpStatus(_, let status, _) where (400..<500).contains(status): return WriteFailure(.rejected, message)
        case .httpStatus, .outcomeUnknown, .timeout, .malformedResponse: return WriteFailure(.outcomeUnknown, message)
        case .notSent: return WriteFailure(.notApplied, message)
        case .connectionFailed, .unauthorized, .incompatibleServer: return WriteFailure(.stopsRun, message)
        case .retriesExhausted: return WriteFailure(.outcomeUnknown, message)
        case .cancelled(_, let mayHaveBeenApplied):
            return WriteFailure(mayHaveBeenApplied ? .outcomeUnknown : .notApplied, message)
        }
    }
}
