public import Foundation
import Yams

/// A loaded, validated set of mapping rules: what the engine evaluates.
/// Load it from YAML files with `load(files:)` or take the shipped rules with `builtInDefault()`.
public struct RuleSet: Sendable {
    /// The files the rules came from, in load order (`<built-in default>` for the embedded rules).
    public private(set) var files: [String]
    /// The merged rules as canonical JSON (sorted keys): equal for equal effective rules,
    /// whatever the comments, key order or file split. SyncEngine hashes it into plans.
    public internal(set) var canonicalData: Data
    /// Problems that do not stop the rules from working, each as `file:line:column: message`
    /// (a `settings.downloadRoot` that does not exist on this machine).
    public internal(set) var warnings: [RuleDiagnostic] = []

    /// `var`: command-line options (`--download-root`, `--path-map`) override the file's settings.
    var settings: Settings
    let urls: URLTemplates
    let network: EntityRule
    let accountWhen: Condition?
    let performer: EntityRule
    let sharedPerformers: [String: [SharedPerformer]]
    let studio: EntityRule
    let post: SourceRules
    let message: SourceRules
    let bundle: SourceRules
    let media: SourceRules
    let wallMode: WallMode
    let wallWhen: Condition?
    let chapter: EntityRule
    let wallGallery: EntityRule
    let mentionWhen: Condition?
    let mentionPerformer: EntityRule
    /// Whether handle-only mentions (no account row in the database) may create performers;
    /// by default they only link a performer Stash already has.
    let mentionCreateUnknown: Bool
    let tags: TagRules
    /// The merged rule tree, for `rules show`.
    var mergedRoot: RuleNode?

    /// Every section without a default: a section added to the rules fails to compile until the
    /// compiler (and `empty`) give it a value.
    init(
        files: [String], canonicalData: Data, settings: Settings, urls: URLTemplates, network: EntityRule,
        accountWhen: Condition?, performer: EntityRule, sharedPerformers: [String: [SharedPerformer]],
        studio: EntityRule,
        post: SourceRules, message: SourceRules, bundle: SourceRules, media: SourceRules,
        wallMode: WallMode, wallWhen: Condition?, chapter: EntityRule, wallGallery: EntityRule,
        mentionWhen: Condition?, mentionPerformer: EntityRule, mentionCreateUnknown: Bool, tags: TagRules
    ) {
        self.files = files
        self.canonicalData = canonicalData
        self.settings = settings
        self.urls = urls
        self.network = network
        self.accountWhen = accountWhen
        self.performer = performer
        self.sharedPerformers = sharedPerformers
        self.studio = studio
        self.post = post
        self.message = message
        self.bundle = bundle
        self.media = media
        self.wallMode = wallMode
        self.wallWhen = wallWhen
        self.chapter = chapter
        self.wallGallery = wallGallery
        self.mentionWhen = mentionWhen
        self.mentionPerformer = mentionPerformer
        self.mentionCreateUnknown = mentionCreateUnknown
        self.tags = tags
    }

    /// Rules that produce nothing (what a rule file that is not a mapping compiles to).
    static func empty(files: [String]) -> RuleSet {
        func nothing(_ source: String) -> SourceRules {
            SourceRules(
                when: nil, gallery: .disabled("\(source).gallery"), scene: .disabled("\(source).scene"),
                image: .disabled("\(source).image"))
        }
        return RuleSet(
            files: files, canonicalData: Data(), settings: Settings(), urls: URLTemplates(),
            network: .disabled("network.studio"), accountWhen: nil, performer: .disabled("account.performer"),
            sharedPerformers: [:], studio: .disabled("account.studio"),
            post: nothing("post"), message: nothing("message"), bundle: nothing("bundle"), media: nothing("media"),
            wallMode: .none, wallWhen: nil, chapter: .disabled("wall.chapter"), wallGallery: .disabled("wall.gallery"),
            mentionWhen: nil, mentionPerformer: .disabled("mention.performer"), mentionCreateUnknown: false,
            tags: TagRules())
    }

    /// The name used in diagnostics for the embedded default rules.
    public static let builtInName = "<built-in default>"

    /// Loads and merges rule files (later files override earlier ones by key; a file with
    /// `extends: default` is laid over the built-in rules). Throws a `RulesError` carrying every
    /// problem found, each as `file:line:column: message`.
    public static func load(files: [URL]) throws -> RuleSet {
        let sink = DiagnosticSink()
        sink.fileOrder = files.map { $0.isFileURL ? $0.path : $0.absoluteString }
        var sources: [(name: String, text: String)] = []
        for url in files {
            let name = url.isFileURL ? url.path : url.absoluteString
            do {
                let data = try Data(contentsOf: url)
                guard let text = String(data: data, encoding: .utf8) else {
                    sink.error(.init(file: name, line: 1, column: 1), "the file is not UTF-8 text")
                    continue
                }
                sources.append((name, text))
            } catch {
                let reason = FileManager.default.fileExists(atPath: url.path) ? "cannot be read" : "does not exist"
                sink.error(.init(file: name, line: 1, column: 1), "the rule file \(reason)")
            }
        }
        return try load(sources: sources, sink: sink)
    }

    /// Loads rules from YAML text; `name` is used in diagnostics.
    public static func load(yaml: String, name: String = "rules.yaml") throws -> RuleSet {
        try load(sources: [(name, yaml)], sink: DiagnosticSink())
    }

    /// The rules shipped with the tool (`rules/default.yaml`, embedded in the binary).
    public static func builtInDefault() throws -> RuleSet {
        try load(sources: [(builtInName, EmbeddedRules.defaultYAML)], sink: DiagnosticSink())
    }

    static func load(sources: [(name: String, text: String)], sink: DiagnosticSink) throws -> RuleSet {
        sink.fileOrder = [builtInName] + sources.map(\.name)
        var merged: RuleNode?
        var names: [String] = []
        for (index, source) in sources.enumerated() {
            guard let node = RuleFileParser.parse(yaml: source.text, file: source.name, sink: sink) else { continue }
            var layer = node
            if index == 0 || merged == nil, node["extends"]?.scalar == "default", source.name != builtInName,
                let base = RuleFileParser.parse(yaml: EmbeddedRules.defaultYAML, file: builtInName, sink: sink)
            {
                names.append(builtInName)
                layer = RuleNode.merge(base, node)
            } else if node["extends"]?.scalar == "default", merged != nil {
                // Extending again would reset what earlier files changed.
                layer = node
            }
            names.append(source.name)
            merged = merged.map { RuleNode.merge($0, layer) } ?? layer
        }
        if sources.isEmpty, sink.isEmpty {
            sink.error(.init(file: "<command line>", line: 1, column: 1), "no rule files given")
        }
        // Files that parsed are still checked when another did not: one run reports every problem.
        guard let root = merged else { throw RulesError(diagnostics: sink.sorted) }
        var compiler = RuleCompiler(sink: sink)
        var set = compiler.compile(root, files: names)
        guard sink.isEmpty else { throw RulesError(diagnostics: sink.sorted) }
        set.checkDownloadRoot(sink: sink)
        set.warnings = sink.warnings
        set.mergedRoot = root
        return set
    }

    static func canonical(_ root: RuleNode) -> Data {
        var object = root.jsonObject as? [String: Any] ?? [:]
        object.removeValue(forKey: "extends")
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
    }
}

extension RuleSet {
    /// The rules for `--rules` options: the built-in default when `paths` is empty, else the files in order.
    public static func load(paths: [String]) throws -> RuleSet {
        paths.isEmpty ? try builtInDefault() : try load(files: paths.map { URL(fileURLWithPath: $0) })
    }

    /// The effective rules as YAML, for `rules show`: merged, in file order, values as written.
    /// Fed back to `rules check`/`plan` it means the same (the same canonical form, the same plan).
    public var effectiveYAML: String {
        guard let root = mergedRoot else { return "" }
        return RuleYAMLWriter.write(
            root,
            header: [
                "The effective rules, merged from: \(files.joined(separator: ", "))",
                "(anchors expanded; give this file alone to --rules for the same plan)",
            ])
    }
}

extension StashRef {
    /// The address the rules gave, else the Stash id.
    fileprivate var displayText: String { address?.description ?? id.map { "#\($0)" } ?? label ?? "" }
}

extension FieldValue {
    /// The value as `rules explain` and plans print it: text quoted, lists in brackets, references as addresses.
    public var displayText: String {
        func quote(_ text: String) -> String {
            "\""
                + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        switch self {
        case .string(let text): return quote(text)
        case .int(let number): return String(number)
        case .bool(let flag): return String(flag)
        case .date(let text): return text
        case .strings(let items): return "[" + items.map(quote).joined(separator: ", ") + "]"
        case .null: return "null"
        case .ref(let ref): return ref.displayText
        case .refs(let refs): return "[" + refs.map(\.displayText).joined(separator: ", ") + "]"
        }
    }
}
