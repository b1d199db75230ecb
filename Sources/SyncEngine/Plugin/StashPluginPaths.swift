import Foundation

/// Where a plugin task's files are. Stash starts the task in its own working folder with its own
/// environment (in Docker, a home folder that may not outlive the container), so paths from the
/// settings are taken relative to Stash's configuration folder (`server_connection.Dir`, a
/// persisted volume in Stash's Docker image), and the state file lives there:
/// `<Dir>/fansly-stash/state.sqlite`.
enum StashPluginPaths {
    /// The state file under Stash's configuration folder.
    static let stateFile = "fansly-stash/state.sqlite"

    /// `~/…` against the home folder; a relative path against `folder` (when Stash named one).
    static func resolve(_ path: String, in folder: String?) -> String {
        var expanded = path
        if expanded == "~" || expanded.hasPrefix("~/") { expanded = NSHomeDirectory() + expanded.dropFirst() }
        guard !expanded.hasPrefix("/"), let folder, folder.hasPrefix("/") else { return expanded }
        return URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent(expanded).standardizedFileURL.path
    }

    /// A database setting: a file path is resolved, a `postgresql://` URL is left as it is.
    static func resolveDatabase(_ text: String, in folder: String?) -> String {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") ? text : resolve(text, in: folder)
    }

    /// The state file for a task of the Stash whose configuration folder is `folder`, its folder
    /// created (a plan reads the links of an existing state file and refuses a named one whose
    /// folder is missing); nil without a configuration folder (the default state file is used).
    static func stateFile(in folder: String?) throws -> String? {
        guard let folder, folder.hasPrefix("/") else { return nil }
        let path = (folder as NSString).appendingPathComponent(stateFile)
        let parent = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw OperationFailure("cannot create \(parent) for the plugin's state file: \(error.localizedDescription)")
        }
        return path
    }
}
