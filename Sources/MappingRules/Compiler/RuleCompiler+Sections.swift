import Foundation

/// Sections of a rule file: settings, urls, the sources (post, message, bundle, media) and shared performers.
extension RuleCompiler {
    mutating func readSettings(_ node: RuleNode?) -> Settings {
        var settings = Settings()
        guard let node, expectMapping(node, "settings") != nil else {
            settings.creatorFolders = [
                compileTemplate(
                    "{{ account.username }}_fansly", at: nil, roots: .account, usage: "settings.creatorFolders")!
            ]
            return settings
        }
        checkKeys(
            node, allowed: ["respectOrganized", "downloadRoot", "pathMap", "creatorFolders", "caption"],
            path: "settings")
        if let value = node["caption"], let source = text(value, "settings.caption"),
            let template = compileTemplate(source, at: value, roots: RuleCompiler.itemRoots, usage: "settings.caption")
        {
            if template.variables.contains(.itemCaption) {
                sink.error(value.contentLocation, "settings.caption cannot use item.caption (it is what it defines)")
            } else {
                settings.caption = template
            }
        }
        if let value = node["respectOrganized"] {
            settings.respectOrganized = bool(value, "settings.respectOrganized") ?? true
        }
        if let value = node["downloadRoot"], let root = text(value, "settings.downloadRoot"), !root.isEmpty {
            settings.downloadRoot = LocalPath.resolve(root, relativeToFile: value.location.file)
            settings.downloadRootLocation = value.location
        }
        if let value = node["pathMap"] {
            for item in sequence(value, "settings.pathMap") {
                guard expectMapping(item, "a settings.pathMap entry") != nil else { continue }
                checkKeys(item, allowed: ["from", "to"], path: "settings.pathMap")
                guard let from = required(item, "from", "settings.pathMap entry").flatMap({ text($0, "pathMap.from") }),
                    let to = required(item, "to", "settings.pathMap entry").flatMap({ text($0, "pathMap.to") })
                else { continue }
                if !from.hasPrefix("/") && !from.contains(":") {
                    sink.error(item["from"]!.location, "pathMap.from must be an absolute path, got '\(from)'")
                }
                settings.pathMap.append(PathMapping(from: from, to: to))
            }
        }
        if let value = node["creatorFolders"] {
            settings.creatorFolders = sequence(value, "settings.creatorFolders").compactMap {
                guard let source = text($0, "settings.creatorFolders") else { return nil }
                return compileTemplate(source, at: $0, roots: .account, usage: "settings.creatorFolders")
            }
        } else {
            settings.creatorFolders = [
                compileTemplate(
                    "{{ account.username }}_fansly", at: nil, roots: .account, usage: "settings.creatorFolders")!
            ]
        }
        return settings
    }

    mutating func readURLs(_ node: RuleNode?) -> URLTemplates {
        var urls = URLTemplates()
        guard let node, expectMapping(node, "urls") != nil else { return urls }
        checkKeys(node, allowed: ["post", "message", "account", "performer", "bundle"], path: "urls")
        func read(_ key: String, _ roots: Roots) -> Template? {
            guard let value = node[key], let source = text(value, "urls.\(key)") else { return nil }
            return compileTemplate(source, at: value, roots: roots, usage: "urls.\(key)", allowsURLs: false)
        }
        if let t = read("post", RuleCompiler.postRoots) { urls.post = t }
        if let t = read("message", RuleCompiler.messageRoots) { urls.message = t }
        if let t = read("account", .account) { urls.account = t }
        if let t = read("performer", .account) { urls.performer = t }
        if let t = read("bundle", RuleCompiler.bundleRoots) { urls.bundle = t }
        return urls
    }

    mutating func source(_ node: RuleNode?, path: String, roots: Roots, gallery: Bool = true, media: Bool = true)
        -> SourceRules
    {
        var allowed = ["when"]
        if gallery { allowed.append("gallery") }
        if media { allowed += ["scene", "image"] }
        checkKeys(node, allowed: allowed, path: path)
        let usage = path == "media" ? "loose media" : "\(path)s"
        let when = condition(node?["when"], roots: roots, usage: "\(usage) conditions")
        // Only posts and messages have videos a gallery could group.
        let groupsVideos = path == "post" || path == "message"
        var galleryRule =
            gallery
            ? entity(
                node, key: "gallery", path: "\(path).gallery", kind: .gallery, roots: roots,
                fields: RuleCompiler.galleryFields,
                extraKeys: groupsVideos ? ["withoutImages"] : [])
            : .disabled("\(path).gallery")
        if groupsVideos, galleryRule.enabled, let value = node?["gallery"]?["withoutImages"] {
            galleryRule.withoutImages = bool(value, "\(path).gallery.withoutImages") ?? false
        }
        let mediaRoots = roots.union(RuleCompiler.mediaRoots)
        // Loose media belong to no post or message, so no gallery to link their scenes to.
        let sceneFields =
            groupsVideos ? RuleCompiler.sceneFields : RuleCompiler.sceneFields.filter { $0.name != "galleries" }
        let scene =
            media
            ? entity(node, key: "scene", path: "\(path).scene", kind: .scene, roots: mediaRoots, fields: sceneFields)
            : .disabled("\(path).scene")
        let image =
            media
            ? entity(
                node, key: "image", path: "\(path).image", kind: .image, roots: mediaRoots,
                fields: RuleCompiler.imageFields) : .disabled("\(path).image")
        return SourceRules(when: when, gallery: galleryRule, scene: scene, image: image)
    }

    mutating func readShared(_ node: RuleNode?) -> [String: [SharedPerformer]] {
        guard let node, expectMapping(node, "account.performer.shared") != nil else { return [:] }
        var result: [String: [SharedPerformer]] = [:]
        for entry in node.entries ?? [] {
            let path = "account.performer.shared.\(entry.key)"
            let items = sequence(entry.value, path)
            if items.isEmpty {
                sink.error(entry.value.location, "\(path) lists the performers this account stands for; it is empty")
            }
            var performers: [SharedPerformer] = []
            for item in items {
                guard expectMapping(item, "a performer of \(path)") != nil else { continue }
                if item["name"] == nil { sink.error(item.location, "each performer of \(path) needs a name") }
                let fields = self.fields(
                    item, specs: RuleCompiler.performerFields, path: path, roots: .account, strategy: .merge)
                performers.append(SharedPerformer(fields: fields, location: item.location))
            }
            result[entry.key.lowercased()] = performers
        }
        return result
    }
}
