import GraphQL

// Mutations with Stash's validation rules and messages (pkg/performer, pkg/studio, pkg/tag
// validate.go; the gallery, chapter and scene resolvers). A failing field must keep nothing, as
// Stash's per-field transaction: the single-object mutations check everything before their first
// write (they run in place, see `StashTestServer.transact`); tag mutations, which may write
// several objects, run on a copy that replaces the state only on success.
// The mutations of each kind are in `Mutations+<kind>.swift`; the checks they share are here.

extension StashState {
    // MARK: Shared checks

    func requireExisting<T>(_ ids: [Int]?, in table: [Int: T]) throws {
        for id in ids ?? [] where table[id] == nil {
            throw ResolverError("FOREIGN KEY constraint failed")
        }
    }

    static func validDate(_ text: String?) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            parts[0].count == 4, (1...12).contains(month), (1...31).contains(day), year > 0
        else {
            throw ResolverError("invalid date \"\(text)\": parsing time \"\(text)\" as \"2006-01-02\": cannot parse")
        }
        return text
    }

    static func checkURLs(_ input: InputObject) throws -> [String]? {
        if input.has("urls") && input.has("url") && !input.isNull("url") {
            throw ResolverError("url field must not be included if urls is included")
        }
        if let urls = input.strings("urls") { return urls.filter { !$0.isEmpty } }
        if let url = input.string("url") { return url.isEmpty ? [] : [url] }
        return nil
    }

    /// Dedupes case-sensitively, keeping order (Stash stores aliases as given, trimmed).
    static func uniqued(_ values: [String]) -> [String] {
        values.reduce(into: []) { if !$0.contains($1) && !$1.isEmpty { $0.append($1) } }
    }
}
