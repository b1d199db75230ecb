import ArgumentParser
import Foundation
import MappingRules
import StashClient

extension StashEndpoint {
    /// `--stash-url` is parsed, normalised and stripped of credentials once, as ArgumentParser reads
    /// it (`@Option(transform:)`, which unlike `ExpressibleByArgument` can say why a value is refused).
    /// ArgumentParser quotes the refused value; `FanslyStash.main` redacts credentials from every message.
    @Sendable static func argument(_ text: String) throws -> StashEndpoint {
        do { return try StashEndpoint(text) } catch {
            throw ArgumentRefusal("not an http(s) URL like http://localhost:9999")
        }
    }
}

/// Why ArgumentParser refused a value, appended to its "The value '…' is invalid" message.
struct ArgumentRefusal: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The Stash a command talks to (`--stash-url`, else `$STASH_URL`; none for an offline plan or the
/// saved plan's own) and the API key: from the key variable, else the one that was in the URL, with
/// a hint to move it.
struct StashConnection {
    var endpoint: StashEndpoint?
    var apiKey: StashAPIKey?

    init(
        flag: StashEndpoint?, apiKeyEnv: String, environment: [String: String],
        hint: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    ) throws {
        endpoint = flag
        if endpoint == nil, let text = environment["STASH_URL"], !text.trimmingCharacters(in: .whitespaces).isEmpty {
            do { endpoint = try StashEndpoint(text) } catch { throw ValidationError("STASH_URL \(error)") }
        }
        apiKey = StashAPIKey.fromEnvironment(apiKeyEnv, environment: environment)
        guard let embedded = endpoint?.embeddedAPIKey else { return }
        if apiKey == nil {
            apiKey = embedded
            hint(
                "Note: using the API key found in the Stash URL (removed from the URL everywhere it is shown or stored); "
                    + "set it in \(apiKeyEnv) instead, where shell history and `ps` cannot see it.")
        } else {
            hint("Note: ignoring the API key in the Stash URL; \(apiKeyEnv) holds the key.")
        }
    }
}

extension PathMapping {
    /// `--path-map FROM=TO`, refused with what a value must look like.
    @Sendable static func argument(_ text: String) throws -> PathMapping {
        guard let mapping = PathMapping(argument: text) else {
            throw ArgumentRefusal(
                "write FROM=TO, FROM the folder on this machine (absolute or ~/…), TO the same folder as Stash sees it")
        }
        return mapping
    }
}
