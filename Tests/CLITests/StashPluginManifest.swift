import Foundation
import Yams

/// A plugin manifest read the way Stash's loader reads it (`pkg/plugin/config.go`,
/// `loadPluginFromYAMLFile`), so that a manifest this accepts is one Stash loads:
/// - only files ending in `.yml` are plugins, and the id is the file name without it;
/// - the YAML is decoded strictly into Stash's `Config`: a key Stash does not know rejects the
///   whole plugin (top level, tasks, hooks, settings, ui);
/// - `interface` is `raw` (the default), `rpc` or `js`; a setting's `type` is STRING, NUMBER or BOOLEAN;
/// - `exec` is a list of strings, and a task's `defaultArgs` a map of strings to strings.
/// And the command is built as Stash's `getExecCommand` builds it: `exec` then the task's
/// `execArgs`, `exec[0]` looked up on PATH and otherwise taken from the plugin's folder,
/// `{pluginDir}` replaced in the arguments.
struct StashPluginManifest {
    struct Task {
        var name: String; var description: String?; var execArgs: [String]; var defaultArgs: [String: String]
    }
    struct Setting { var type: String; var displayName: String?; var description: String? }

    var id: String
    var path: URL
    var name: String?
    var interface: String
    var exec: [String]
    var tasks: [Task]
    var settings: [String: Setting]

    /// The keys of Stash's `Config`, `OperationConfig`, `HookConfig`, `SettingConfig` and `UIConfig`.
    static let topLevelKeys: Set<String> = [
        "name", "description", "url", "version", "interface", "exec", "errLog",
        "tasks", "hooks", "ui", "settings",
    ]
    static let taskKeys: Set<String> = ["name", "description", "execArgs", "defaultArgs"]
    static let hookKeys: Set<String> = taskKeys.union(["triggeredBy"])
    static let settingKeys: Set<String> = ["type", "displayName", "description"]
    static let uiKeys: Set<String> = ["requires", "csp", "javascript", "css", "assets"]
    static let errLogLevels: Set<String> = ["trace", "debug", "info", "warning", "error", "progress", "none"]

    struct Rejected: Error, CustomStringConvertible { let description: String }

    /// Loads `url` as Stash's loader would, or throws what makes Stash reject it.
    static func load(_ url: URL) throws -> StashPluginManifest {
        guard url.pathExtension == "yml" else {
            throw Rejected(description: "\(url.lastPathComponent): Stash loads only .yml files")
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let root = try Yams.compose(yaml: text), case .mapping(let top) = root else {
            throw Rejected(description: "the manifest is not a YAML mapping")
        }
        try checkKeys(top, allowed: topLevelKeys, in: "the manifest")
        let interface = try string(top["interface"], "interface") ?? "raw"
        guard ["raw", "rpc", "js"].contains(interface) else {
            throw Rejected(description: "invalid interface type \(interface)")
        }
        if let level = try string(top["errLog"], "errLog"), !errLogLevels.contains(level) {
            throw Rejected(description: "errLog \(level) is not a plugin log level")
        }
        let exec = try strings(top["exec"], "exec")
        var tasks: [Task] = []
        for (index, node) in try sequence(top["tasks"], "tasks").enumerated() {
            guard case .mapping(let task) = node else {
                throw Rejected(description: "tasks[\(index)] is not a mapping")
            }
            try checkKeys(task, allowed: taskKeys, in: "tasks[\(index)]")
            var defaults: [String: String] = [:]
            if let node = task["defaultArgs"] {
                guard case .mapping(let map) = node else {
                    throw Rejected(description: "tasks[\(index)].defaultArgs is not a mapping")
                }
                for (key, value) in map {
                    guard let name = key.string, let text = try string(value, "defaultArgs.\(name)") else {
                        throw Rejected(description: "tasks[\(index)].defaultArgs: keys and values must be strings")
                    }
                    defaults[name] = text
                }
            }
            tasks.append(
                Task(
                    name: try string(task["name"], "tasks[\(index)].name") ?? "",
                    description: try string(task["description"], "tasks[\(index)].description"),
                    execArgs: try strings(task["execArgs"], "execArgs"), defaultArgs: defaults))
        }
        for (index, node) in try sequence(top["hooks"], "hooks").enumerated() {
            guard case .mapping(let hook) = node else {
                throw Rejected(description: "hooks[\(index)] is not a mapping")
            }
            try checkKeys(hook, allowed: hookKeys, in: "hooks[\(index)]")
        }
        if let node = top["ui"] {
            guard case .mapping(let ui) = node else { throw Rejected(description: "ui is not a mapping") }
            try checkKeys(ui, allowed: uiKeys, in: "ui")
        }
        var settings: [String: Setting] = [:]
        if let node = top["settings"] {
            guard case .mapping(let map) = node else { throw Rejected(description: "settings is not a mapping") }
            for (key, value) in map {
                guard let name = key.string, case .mapping(let setting) = value else {
                    throw Rejected(description: "settings: each setting is a name with a mapping")
                }
                try checkKeys(setting, allowed: settingKeys, in: "settings.\(name)")
                let type = try string(setting["type"], "settings.\(name).type") ?? "STRING"
                guard ["STRING", "NUMBER", "BOOLEAN"].contains(type) else {
                    throw Rejected(description: "invalid type \(type) for setting \(name)")
                }
                settings[name] = Setting(
                    type: type, displayName: try string(setting["displayName"], "displayName"),
                    description: try string(setting["description"], "description"))
            }
        }
        return StashPluginManifest(
            id: url.deletingPathExtension().lastPathComponent, path: url,
            name: try string(top["name"], "name"), interface: interface, exec: exec,
            tasks: tasks, settings: settings)
    }

    /// The command Stash runs for `task`, with `exec[0]` resolved against `searchPath` (Stash's PATH).
    func command(for task: Task, searchPath: String) -> [String] {
        var command = exec + task.execArgs
        guard !command.isEmpty else { return [] }
        let folder = path.deletingLastPathComponent().path
        let onPath = searchPath.split(separator: ":").contains { directory in
            FileManager.default.isExecutableFile(
                atPath: (String(directory) as NSString).appendingPathComponent(command[0]))
        }
        if !command[0].contains("/") && !onPath { command[0] = (folder as NSString).appendingPathComponent(command[0]) }
        for index in command.indices.dropFirst() {
            command[index] = command[index].replacingOccurrences(of: "{pluginDir}", with: folder)
        }
        return command
    }

    private static func checkKeys(_ mapping: Node.Mapping, allowed: Set<String>, in place: String) throws {
        var seen: Set<String> = []
        for (key, _) in mapping {
            guard let name = key.string else { throw Rejected(description: "\(place): a key is not a string") }
            guard allowed.contains(name) else {
                throw Rejected(description: "\(place): field \(name) not found in Stash's plugin config")
            }
            guard seen.insert(name).inserted else { throw Rejected(description: "\(place): key \(name) already set") }
        }
    }

    /// A scalar as a string; Stash's fields here are Go strings, so a mapping or list is an error.
    private static func string(_ node: Node?, _ field: String) throws -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node else { throw Rejected(description: "\(field) must be a string") }
        return scalar.string
    }

    private static func strings(_ node: Node?, _ field: String) throws -> [String] {
        try sequence(node, field).map { item in
            guard case .scalar(let scalar) = item else {
                throw Rejected(description: "\(field) must be a list of strings")
            }
            return scalar.string
        }
    }

    private static func sequence(_ node: Node?, _ field: String) throws -> [Node] {
        guard let node else { return [] }
        guard case .sequence(let items) = node else { throw Rejected(description: "\(field) must be a list") }
        return Array(items)
    }
}
