import Foundation

extension StashClient {
    /// The settings Stash holds for the plugin `pluginID` (Settings → Plugins), as text: a STRING
    /// setting as typed, a NUMBER or BOOLEAN setting in its JSON form. A setting never saved is
    /// absent; a plugin with no saved settings gives an empty dictionary.
    public func pluginSettings(pluginID: String) async throws(StashError) -> [String: String] {
        struct Variables: Encodable { let include: [String] }
        struct Reply: Decodable {
            struct Configuration: Decodable { let plugins: [String: [String: PluginSettingValue]]? }
            let configuration: Configuration
        }
        let reply: Reply = try await query(operation: "PluginSettings", document: StashDocuments.pluginSettings,
                                           variables: Variables(include: [pluginID]), stashKeys: true)
        // Stash keys the map by plugin id as the loader saw it; ids are case-insensitive there.
        let plugins = reply.configuration.plugins ?? [:]
        let settings = plugins[pluginID] ?? plugins.first { $0.key.lowercased() == pluginID.lowercased() }?.value ?? [:]
        return settings.compactMapValues(\.text)
    }
}

extension StashDocuments {
    /// `configuration.plugins` narrowed to the given plugin ids (a `PluginConfigMap`: id → settings).
    static let pluginSettings = "query PluginSettings($include: [ID!]) { configuration { plugins(include: $include) } }"
}

/// One value of a `PluginConfigMap`: Stash stores what the UI saved, a string, number or boolean.
private struct PluginSettingValue: Decodable {
    let text: String?

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { text = nil } else if let string = try? container.decode(String.self) { text = string } else if let bool = try? container.decode(Bool.self) {
            text = bool ? "true" : "false"
        } else if let int = try? container.decode(Int.self) { text = String(int) } else if let double = try? container.decode(Double.self) {
            text = String(double)
        } else {
            text = nil
        }
    }
}
