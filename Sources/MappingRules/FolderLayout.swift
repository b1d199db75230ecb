import Foundation

/// Paths written in rule files and on the command line, as this machine reads them.
enum LocalPath {
    /// `~` and `~/x` expanded to the home folder; a relative path resolved against the folder of
    /// `file` (the rule file that holds it), or the working folder for the built-in rules and the
    /// command line. Without this, `downloadRoot: ~/fansly` was searched literally.
    static func resolve(_ path: String, relativeToFile file: String?) -> String {
        var text = path
        if text == "~" || text.hasPrefix("~/") {
            text = FileManager.default.homeDirectoryForCurrentUser.path + text.dropFirst()
        }
        guard !text.hasPrefix("/") else { return URL(fileURLWithPath: text).standardizedFileURL.path }
        let base: URL
        if let file, file.hasPrefix("/") {
            base = URL(fileURLWithPath: file).deletingLastPathComponent()
        } else {
            base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        }
        return base.appendingPathComponent(text).standardizedFileURL.path
    }
}

/// Where the creator folders are according to the rules: what finding the download folder in
/// Stash (when the settings do not say, or say wrong) needs to know to move them.
public struct FolderLayout: Sendable, Hashable {
    /// The download folder as Stash sees it (after `pathMap`), without a trailing slash.
    public var stashRoot: String
    /// True when `settings.downloadRoot` or `settings.pathMap` (or `--path-map`) set it; false when
    /// it is the database's folder by default.
    public var configured: Bool
    /// Per creator username, its folder names relative to `stashRoot` (absolute ones left out).
    public var names: [String: [String]]

    init(stashRoot: String, configured: Bool, names: [String: [String]]) {
        self.stashRoot = stashRoot; self.configured = configured; self.names = names
    }

    /// Every relative creator folder name, once, sorted.
    public var allNames: [String] { Array(Set(names.values.joined())).sorted() }
}

extension RuleSet {
    /// The layout of `folders` (as `creatorFolders(source:)` computes them) under these settings.
    public func folderLayout(source: some MetadataRecordSource, creatorFolders folders: [String: [String]])
        -> FolderLayout
    {
        let root = settings.stashPath(downloadRoot(of: source))
        let stashRoot = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        var names: [String: [String]] = [:]
        for (creator, list) in folders {
            names[creator] = list.compactMap { folder in
                guard !stashRoot.isEmpty, folder.hasPrefix(stashRoot + "/") else { return nil }
                let name = String(folder.dropFirst(stashRoot.count + 1))
                return name.isEmpty ? nil : name
            }
        }
        return FolderLayout(stashRoot: stashRoot, configured: hasConfiguredRoot, names: names)
    }

    /// True when the rules (or the command line) say where the downloads are.
    var hasConfiguredRoot: Bool { settings.downloadRoot != nil || !settings.pathMap.isEmpty }

    /// `settings.downloadRoot` as used (absolute), or nil when the database's folder is used.
    public var downloadRootSetting: String? { settings.downloadRoot }

    /// These rules with settings from the command line or a plugin's settings laid over them:
    /// `downloadRoot` replaces the rules' one, and `pathMap` entries come first (so they win).
    /// The rules' hash is unchanged: where files are found does not change what is written.
    public func overridingSettings(downloadRoot: String? = nil, pathMap: [PathMapping] = []) -> RuleSet {
        var copy = self
        if let downloadRoot, !downloadRoot.isEmpty {
            copy.settings.downloadRoot = LocalPath.resolve(downloadRoot, relativeToFile: nil)
            copy.settings.downloadRootLocation = nil
            let sink = DiagnosticSink()
            copy.checkDownloadRoot(sink: sink)
            copy.warnings = copy.warnings.filter { !$0.message.hasPrefix("settings.downloadRoot ") } + sink.warnings
        }
        copy.settings.pathMap =
            pathMap.map { PathMapping(from: LocalPath.resolve($0.from, relativeToFile: nil), to: $0.to) }
            + copy.settings.pathMap
        return copy
    }

    /// Warns when `settings.downloadRoot` is not a folder on this machine.
    mutating func checkDownloadRoot(sink: DiagnosticSink) {
        guard let root = settings.downloadRoot else { return }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue { return }
        let location = settings.downloadRootLocation ?? SourceLocation(file: "<command line>", line: 1, column: 1)
        sink.warning(
            location,
            "settings.downloadRoot \(root) is not a folder on this machine; "
                + "set it to where the downloader writes (and pathMap to where Stash sees that folder)")
    }
}

extension DesiredState {
    /// Moves every creator folder and expected file location under `old` (in Stash's view) to the
    /// same place under `new`: what a download folder found in Stash changes after evaluation.
    public mutating func moveFolders(from old: String, to new: String) {
        let from = old.hasSuffix("/") && old.count > 1 ? String(old.dropLast()) : old
        let to = new.hasSuffix("/") && new.count > 1 ? String(new.dropLast()) : new
        guard from != to else { return }
        func moved(_ folder: String) -> String {
            if folder == from { return to }
            if from.isEmpty || folder.hasPrefix(from + "/") {
                return to + (from.isEmpty ? "/" + folder : String(folder.dropFirst(from.count)))
            }
            return folder
        }
        creatorFolders = creatorFolders.mapValues { $0.map(moved) }
        for index in entities.indices where !entities[index].files.isEmpty {
            for file in entities[index].files.indices {
                entities[index].files[file].folders = entities[index].files[file].folders.map(moved)
            }
        }
        if var layout = folderLayout {
            layout.stashRoot = to
            folderLayout = layout
        }
    }
}
