public import FanslyMetadata
import Foundation

extension MappingEngine {
    /// The folders `evaluate` lists in `DesiredState.creatorFolders` for these creators (nil: every
    /// creator of the source), by username, as Stash sees them (after `pathMap`). They depend on the
    /// accounts and the settings alone, not on any post or media, so a caller can start reading
    /// those folders from Stash while the records are still being evaluated.
    public func creatorFolders(source: some MetadataRecordSource, creators: [Account]? = nil) throws -> [String:
        [String]]
    {
        let downloadRoot = rules.downloadRoot(of: source)
        var result: [String: [String]] = [:]
        for account in try creators ?? source.creatorAccounts() {
            var context = RecordContext(urls: rules.urls)
            context.account = account
            // A creator the rules leave out (`account.when`) gets no folders, as in `evaluate`.
            if let when = rules.accountWhen, !when.holds(context) { continue }
            result[account.username] = rules.creatorFolders(for: account, downloadRoot: downloadRoot)
        }
        return result
    }
}

extension RuleSet {
    /// True when the rules say where the downloads are (`settings.downloadRoot`).
    public var setsDownloadRoot: Bool { settings.downloadRoot != nil }

    /// The folder relative creator folders are under: `settings.downloadRoot`, else the source's
    /// (the database's folder), without a trailing slash.
    func downloadRoot(of source: some MetadataRecordSource) -> String {
        let root = settings.downloadRoot ?? source.defaultDownloadRoot ?? ""
        return root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// `settings.creatorFolders` rendered for `account`: relative names under `downloadRoot` (no
    /// trailing slash), then mapped to Stash's paths; empty names and repeats left out.
    func creatorFolders(for account: Account, downloadRoot: String) -> [String] {
        var context = RecordContext(urls: urls)
        context.account = account
        var folders: [String] = []
        for template in settings.creatorFolders {
            let name = template.render(context)
            guard !name.isEmpty else { continue }
            let local = name.hasPrefix("/") ? name : (downloadRoot.isEmpty ? name : downloadRoot + "/" + name)
            let mapped = settings.stashPath(local)
            if !folders.contains(mapped) { folders.append(mapped) }
        }
        return folders
    }
}
