public import FanslyMetadata
public import Foundation
public import MappingRules
public import StashClient

/// What `fansly-stash init` is told and has found before it looks at Stash.
public struct StarterRulesRequest: Sendable {
    /// The database as `--db` takes it (a path, or a `postgresql://` URL without its password).
    var database: String
    /// Where the database came from, for the file's comments (`metadata_db_file in ~/fansly/config.ini`).
    var databaseOrigin: String?
    /// The folder the downloader writes to, on this machine, when known.
    var downloadFolder: String?
    /// Where the download folder came from (`download_directory in …/config.yaml`).
    var downloadFolderOrigin: String?
    /// The Stash to check and to find the path mapping in; nil writes the file without either.
    var stashURL: URL?
    var apiKey: StashAPIKey?
    var apiKeyEnvironmentVariable: String

    public init(
        database: String, databaseOrigin: String? = nil, downloadFolder: String? = nil,
        downloadFolderOrigin: String? = nil, stashURL: URL? = nil, apiKey: StashAPIKey? = nil,
        apiKeyEnvironmentVariable: String = StashAPIKey.defaultEnvironmentVariable
    ) {
        self.database = database; self.databaseOrigin = databaseOrigin; self.downloadFolder = downloadFolder
        self.downloadFolderOrigin = downloadFolderOrigin; self.stashURL = stashURL; self.apiKey = apiKey
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
    }
}

/// The starter rule file and what was found on the way.
public struct StarterRules: Sendable {
    /// The rule file's text: `extends: default`, the settings found, comments saying where from.
    public var text: String
    /// One line per thing found (`database: …`, `Stash: … answered`), for the terminal.
    public var findings: [String]
    /// What did not work (Stash unreachable, key rejected, several download folders): the file is
    /// still written, without what could not be found.
    public var problems: [String]
    /// `downloadRoot` written, if any.
    var downloadRoot: String?
    /// The `pathMap` entry written, if any.
    public var pathMap: (from: String, to: String)?

    /// Looks at Stash (when a URL is given): checks it answers and the key works, then where it
    /// sees the creator folders of `source`'s accounts, and writes the rules that say so.
    public static func make(_ request: StarterRulesRequest, store: any MetadataStore) async throws -> StarterRules {
        try await make(request, source: StoreRecordSource(store), catalog: mediaCatalog(of: store))
    }

    /// `make` over a record source, with `catalog` telling this database's media ids (nil: any).
    public static func make(_ request: StarterRulesRequest, source: some MetadataRecordSource & MediaCatalog)
        async throws -> StarterRules
    {
        try await make(request, source: source, catalog: source)
    }

    static func make(_ request: StarterRulesRequest, source: some MetadataRecordSource, catalog: MediaCatalog?)
        async throws -> StarterRules
    {
        var findings = ["database: \(request.database)" + (request.databaseOrigin.map { " (\($0))" } ?? "")]
        var problems: [String] = []
        let localRoot = request.downloadFolder ?? source.defaultDownloadRoot
        if let folder = request.downloadFolder {
            findings.append("download folder: \(folder)" + (request.downloadFolderOrigin.map { " (\($0))" } ?? ""))
        }
        var downloadRoot = request.downloadFolder
        var pathMap: (from: String, to: String)?
        var stashLine: String?
        var candidatesNote: [String] = []
        if let url = request.stashURL {
            let client = StashClient(
                configuration: StashConfiguration(
                    baseURL: url, apiKey: request.apiKey,
                    apiKeyEnvironmentVariable: request.apiKeyEnvironmentVariable,
                    retryPolicy: RetryPolicy(maxAttempts: 2)))
            do {
                let info = try await client.connect()
                let key = request.apiKey == nil ? "no API key needed" : "the API key works"
                stashLine = "Stash at \(url.absoluteString) answered (\(info.version ?? "development build")); \(key)"
                findings.append(stashLine!)
                let rules = try RuleSet.builtInDefault().overridingSettings(downloadRoot: localRoot)
                let folders = try MappingEngine(rules: rules).creatorFolders(source: source)
                let layout = rules.folderLayout(source: source, creatorFolders: folders)
                let detector = DownloadRootDetector(client: client, catalog: catalog)
                if try await detector.holdsFiles(under: folders.values.flatMap { $0 }) {
                    findings.append(
                        "Stash sees the creator folders where they are on this machine (\(layout.stashRoot))")
                } else {
                    let candidates = try await detector.candidates(layout: layout)
                    if candidates.count == 1, let found = candidates.first {
                        findings.append(
                            "Stash sees the downloads under \(found.root) (\(found.files) files of this database found there)"
                        )
                        if let local = localRoot, local != found.root {
                            pathMap = (local, found.root)
                            downloadRoot = local
                        } else {
                            downloadRoot = found.root
                        }
                    } else if candidates.isEmpty {
                        problems.append(
                            "Stash holds no file of this database yet; scan your download folder in Stash "
                                + "(Tasks → Scan), then run init again to find the path mapping")
                    } else {
                        problems.append(
                            "Stash holds this database's files under several folders: "
                                + candidates.map { "\($0.root) (\($0.files) files)" }.joined(separator: ", ")
                                + "; pick one in the pathMap of the rules file")
                        candidatesNote = candidates.map {
                            "#    - from: \(localRoot ?? "<download folder>")\n#      to: \($0.root)    # \($0.files) files"
                        }
                    }
                }
            } catch let error as StashError {
                problems.append("Stash check failed: \(error.description)")
            }
        }
        let text = render(
            request: request, findings: findings, downloadRoot: downloadRoot, pathMap: pathMap,
            alternatives: candidatesNote)
        return StarterRules(
            text: text, findings: findings, problems: problems, downloadRoot: downloadRoot, pathMap: pathMap)
    }

    static func render(
        request: StarterRulesRequest, findings: [String], downloadRoot: String?, pathMap: (from: String, to: String)?,
        alternatives: [String]
    ) -> String {
        var lines = [
            "# fansly-stash rules, started by `fansly-stash init`. Everything not set here comes from the",
            "# built-in rules (`fansly-stash rules show` prints them; Docs/rules.md explains the language).",
            "# For completion in editors: `fansly-stash rules schema > fansly-stash-rules.schema.json`, then make",
            "# `# yaml-language-server: $schema=./fansly-stash-rules.schema.json` the first line.",
            "#",
            "# What init found:",
        ]
        lines += findings.map { "#   " + $0 }
        lines += [
            "#",
            "# Check and plan with:",
            "#   fansly-stash rules check --rules <this file>",
            "#   fansly-stash plan --db \(Self.shellQuoted(request.database)) --rules <this file>"
                + (request.stashURL.map { " --stash-url \($0.absoluteString)" } ?? ""),
            "extends: default",
            "",
        ]
        if downloadRoot != nil || pathMap != nil || !alternatives.isEmpty {
            lines.append("settings:")
            if let downloadRoot {
                lines.append("  # Where the downloader writes (its creator folders are inside).")
                lines.append("  downloadRoot: \(Self.yamlQuoted(downloadRoot))")
            }
            if let pathMap {
                lines.append("  # The same folder as Stash sees it (Stash runs in a container or on another machine).")
                lines.append("  pathMap:")
                lines.append("    - from: \(Self.yamlQuoted(pathMap.from))")
                lines.append("      to: \(Self.yamlQuoted(pathMap.to))")
            } else if !alternatives.isEmpty {
                lines.append("  # Stash holds the files under several folders; uncomment the one Stash should use:")
                lines.append("  # pathMap:")
                lines += alternatives.map { "  " + $0.replacingOccurrences(of: "\n", with: "\n  ") }
            }
            lines.append("")
        } else {
            lines += [
                "# settings:", "#   downloadRoot: /where/the/downloader/writes", "#   pathMap:",
                "#     - { from: /where/the/downloader/writes, to: /the/same/folder/as/stash/sees/it }", "",
            ]
        }
        lines += [
            "# Stash custom fields recording where each object came from (Stash v0.31 and later; performers",
            "# since v0.28), off by default. Uncomment to have them written:",
            "# post:",
            "#   scene:",
            "#     custom_fields: { fansly_post_id: \"{{ post.id }}\", fansly_media_id: \"{{ media.id }}\" }",
            "#   gallery:",
            "#     custom_fields: { fansly_post_id: \"{{ post.id }}\" }",
            "# account:",
            "#   studio:",
            "#     custom_fields: { fansly_account_id: \"{{ account.id }}\" }",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML scalar that stays the same text (quoted when YAML would read it otherwise).
    static func yamlQuoted(_ text: String) -> String {
        let plain =
            text.allSatisfy { $0.isLetter || $0.isNumber || "/._-~ ".contains($0) } && !text.hasPrefix(" ")
            && !text.hasSuffix(" ")
            && !text.isEmpty
        if plain { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    static func shellQuoted(_ text: String) -> String {
        text.allSatisfy { $0.isLetter || $0.isNumber || "/._-:@".contains($0) }
            ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
