import Foundation
import StashClient
import SyncEngine

/// The plugin's settings as saved in Stash (Settings → Plugins → fansly-stash), turned into a
/// `PlanRequest`. Stash runs the task in its own working folder with its own environment, so
/// relative paths are taken relative to Stash's configuration folder (`Dir`), never the working
/// folder, and the state file lives there too unless `stateFile` says otherwise.
struct PluginSettings {
    /// The plugin id: the manifest's file name without `.yml`, as Stash's loader derives it.
    static let pluginID = "fansly-stash"
    /// The state file under Stash's configuration folder (a Docker volume keeps it; Stash's home may not).
    static let defaultStateFile = "fansly-stash/state.sqlite"

    /// The downloader's metadata: a SQLite file, a `postgresql://` URL or the downloader's config file.
    var database: String
    /// A rules file; nil for the built-in rules.
    var rules: String?
    /// The folder the downloads are in, as Stash sees them; nil for the rules' own.
    var downloadRoot: String?
    /// fansly-stash's state file.
    var stateFile: String

    /// Reads `settings` (what `configuration.plugins` answered); `configFolder` is Stash's `Dir`.
    init(_ settings: [String: String], configFolder: String) throws {
        func value(_ key: String) -> String? {
            settings[key].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let database = value("database") else {
            throw PluginFailure("the plugin's database setting is empty: in Stash, open Settings → Plugins → fansly-stash and "
                + "set database to the downloader's metadata file (e.g. /data/fansly/metadata_db.sqlite3), a postgresql:// URL, "
                + "or the downloader's config.ini / config.yaml")
        }
        let isURL = database.lowercased().hasPrefix("postgresql://") || database.lowercased().hasPrefix("postgres://")
        self.database = isURL ? database : Self.resolve(database, in: configFolder)
        rules = value("rules").map { Self.resolve($0, in: configFolder) }
        downloadRoot = value("downloadRoot").map { Self.resolve($0, in: configFolder) }
        stateFile = Self.resolve(value("stateFile") ?? Self.defaultStateFile, in: configFolder)
        if let rules, !FileManager.default.fileExists(atPath: rules) {
            throw PluginFailure("the plugin's rules setting names \(rules), which does not exist (relative paths are taken from Stash's configuration folder \(configFolder))")
        }
    }

    /// `~/…` against the home folder, a relative path against `folder`.
    static func resolve(_ path: String, in folder: String) -> String {
        var expanded = path
        if expanded == "~" || expanded.hasPrefix("~/") {
            expanded = NSHomeDirectory() + expanded.dropFirst()
        }
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
            : URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent(expanded)
        return url.standardizedFileURL.path
    }

    /// The plan the task runs, against `stash` with the task's session cookie.
    func planRequest(stash: StashEndpoint, cookie: StashSessionCookie?, tool: String) throws -> PlanRequest {
        // The state file's folder is made here: a plan reads the links of a state file that exists and
        // refuses a named one whose folder is missing, and apply creates the file itself.
        let folder = URL(fileURLWithPath: stateFile).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PluginFailure("cannot create the folder of the state file \(stateFile): \(error.localizedDescription) "
                + "(set the plugin's stateFile setting to a writable place)")
        }
        var ruleFiles = rules.map { [$0] } ?? []
        if let downloadRoot { ruleFiles.append(try writeSettingsLayer(downloadRoot: downloadRoot, in: folder)) }
        var request = PlanRequest(database: database, ruleFiles: ruleFiles, stash: stash, statePath: stateFile, tool: tool)
        request.sessionCookie = cookie
        return request
    }

    /// The downloadRoot setting as a rules layer laid over the rules (`extends: default` when it
    /// is the only file), written beside the state file so the plan's rule files name it.
    private func writeSettingsLayer(downloadRoot: String, in folder: String) throws -> String {
        let path = (folder as NSString).appendingPathComponent("plugin-settings.yaml")
        // A JSON string is a YAML scalar: any path, quoted and escaped.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let quoted = String(decoding: try encoder.encode(downloadRoot), as: UTF8.self)
        let text = "# Written by the fansly-stash plugin from its Stash settings; rewritten on every run.\n"
            + "extends: default\nsettings:\n  downloadRoot: \(quoted)\n"
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw PluginFailure("cannot write \(path): \(error.localizedDescription)")
        }
        return path
    }
}
