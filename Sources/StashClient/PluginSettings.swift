extension StashClient {
    /// A plugin's settings (`configuration { plugins(include: [id]) }`), values as text.
    public func pluginSettings(id: String) async throws(StashError) -> [String: String] {
        struct Variables: Encodable { let ids: [String] }
        struct Reply: Decodable {
            struct Configuration: Decodable { let plugins: [String: [String: CustomFieldValues.LooseValue]]? }
            let configuration: Configuration
        }
        let reply: Reply = try await query(
            operation: "PluginSettings", document: StashDocuments.pluginSettings,
            variables: Variables(ids: [id]), stashKeys: true)
        return (reply.configuration.plugins?[id] ?? [:]).compactMapValues(\.text)
    }
}

extension StashDocuments {
    static let pluginSettings = "query PluginSettings($ids: [ID!]) { configuration { plugins(include: $ids) } }"
}
