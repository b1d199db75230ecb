import Foundation
import Yams

/// What fansly-stash takes from the downloader's own configuration: `config.yaml` (v0.13+) or an
/// older `config.ini`. Only the database and the download folder are read; nothing is written.
struct DownloaderConfig: Sendable, Hashable {
    /// The `postgres:` section (or `[Postgres]` / legacy `[Options]` pg_* keys); nil in a SQLite-era file.
    struct Postgres: Sendable, Hashable {
        var host: String?
        var port: Int?
        var database: String?
        var user: String?
        var password: String?
    }

    /// Absolute path of the configuration file.
    var path: String
    var postgres: Postgres?
    /// `metadata_db_file` of SQLite-era (v0.10) configurations, absolute.
    var metadataDatabaseFile: String?
    /// `download_directory`, absolute (`Local_directory` is the folder the downloader runs in,
    /// which is where its configuration lives).
    var downloadDirectory: String?

    /// True for names the downloader gives its configuration (`*.yaml`, `*.yml`, `*.ini`).
    static func isConfigFile(_ path: String) -> Bool {
        ["yaml", "yml", "ini"].contains(URL(fileURLWithPath: path).pathExtension.lowercased())
    }

    /// Reads `path`. - Throws: `MetadataError.fileNotFound`, `.invalidConfig`.
    static func load(path: String) throws -> DownloaderConfig {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw MetadataError.fileNotFound(path: absolute)
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: absolute) else {
            throw MetadataError.invalidConfig(path: absolute, reason: "it cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MetadataError.invalidConfig(path: absolute, reason: "it is not UTF-8 text")
        }
        let folder = URL(fileURLWithPath: absolute).deletingLastPathComponent().path
        if URL(fileURLWithPath: absolute).pathExtension.lowercased() == "ini" {
            return try fromINI(text, path: absolute, folder: folder)
        }
        return try fromYAML(text, path: absolute, folder: folder)
    }

    static func fromYAML(_ text: String, path: String, folder: String) throws -> DownloaderConfig {
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch {
            throw MetadataError.invalidConfig(path: path, reason: "it is not valid YAML (\(Self.yamlProblem(error)))")
        }
        guard let document = root as? [String: Any] else {
            throw MetadataError.invalidConfig(
                path: path, reason: "it is not a downloader configuration (no sections such as options: or postgres:)")
        }
        let options = document["options"] as? [String: Any] ?? [:]
        let section = document["postgres"] as? [String: Any] ?? [:]
        // v0.13+ always reads PostgreSQL; its defaults apply to keys the file leaves out.
        let postgres = Postgres(
            host: string(section["pg_host"]), port: try port(section["pg_port"], path: path),
            database: string(section["pg_database"]), user: string(section["pg_user"]),
            password: string(section["pg_password"]))
        return DownloaderConfig(
            path: path, postgres: postgres,
            metadataDatabaseFile: string(options["metadata_db_file"]).map { resolve($0, in: folder) },
            downloadDirectory: downloadDirectory(string(options["download_directory"]), folder: folder))
    }

    /// INI as Python's `ConfigParser(interpolation=None)` reads the downloader's files: `[Section]`
    /// headers, `key = value` or `key: value`, keys case-insensitive, whole-line `#`/`;` comments.
    /// Hand-written: these few rules are all the downloader's files use, and no INI package is here.
    static func fromINI(_ text: String, path: String, folder: String) throws -> DownloaderConfig {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for (number, raw) in text.components(separatedBy: .newlines).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw MetadataError.invalidConfig(
                        path: path, reason: "line \(number + 1): a section header must end with ]")
                }
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            // An indented line continues the previous value; no key fansly-stash reads spans lines.
            if raw.first == " " || raw.first == "\t" { continue }
            guard let section = current else {
                throw MetadataError.invalidConfig(
                    path: path, reason: "line \(number + 1): a key before any [Section] header")
            }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
        }
        let options = sections["Options"] ?? [:]
        // Like the downloader: a [Postgres] section wins; older files keep pg_* under [Options].
        let pgSection = sections["Postgres"] ?? options
        var postgres: Postgres?
        if sections["Postgres"] != nil || pgSection.keys.contains(where: { $0.hasPrefix("pg_") }) {
            postgres = Postgres(
                host: nonEmpty(pgSection["pg_host"]), port: try port(pgSection["pg_port"], path: path),
                database: nonEmpty(pgSection["pg_database"]), user: nonEmpty(pgSection["pg_user"]),
                password: nonEmpty(pgSection["pg_password"]))
        }
        return DownloaderConfig(
            path: path, postgres: postgres,
            metadataDatabaseFile: nonEmpty(options["metadata_db_file"]).map { resolve($0, in: folder) },
            downloadDirectory: downloadDirectory(nonEmpty(options["download_directory"]), folder: folder))
    }

    private static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: return nonEmpty(text)
        case let number as Int: return String(number)
        default: return nil
        }
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty, text.lowercased() != "none", text.lowercased() != "null" else { return nil }
        return text
    }

    private static func port(_ value: Any?, path: String) throws -> Int? {
        guard let value, !(value is NSNull) else { return nil }
        if let number = value as? Int, (1...65535).contains(number) { return number }
        if let text = value as? String {
            if nonEmpty(text) == nil { return nil }
            if let number = Int(text), (1...65535).contains(number) { return number }
        }
        throw MetadataError.invalidConfig(path: path, reason: "pg_port '\(value)' is not a port number")
    }

    private static func downloadDirectory(_ value: String?, folder: String) -> String? {
        guard let value else { return nil }
        return value == "Local_directory" ? folder : resolve(value, in: folder)
    }

    private static func resolve(_ value: String, in folder: String) -> String {
        let expanded = (value as NSString).expandingTildeInPath
        let url =
            expanded.hasPrefix("/")
            ? URL(fileURLWithPath: expanded) : URL(fileURLWithPath: folder).appendingPathComponent(expanded)
        return url.standardizedFileURL.path
    }

    private static func yamlProblem(_ error: Error) -> String {
        if let error = error as? YamlError, case .scanner(_, let problem, let mark, _) = error {
            return "\(problem) at line \(mark.line):\(mark.column)"
        }
        if let error = error as? YamlError, case .parser(_, let problem, let mark, _) = error {
            return "\(problem) at line \(mark.line):\(mark.column)"
        }
        // Other errors quote the document, which may hold pg_password: never repeated.
        return "unreadable"
    }
}
