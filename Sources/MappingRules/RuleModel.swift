import Foundation

/// How a field's rule-file value is typed.
enum FieldType: Sendable, Hashable {
    case text
    case date
    case bool
    case int
    case list
    /// One related entity; the allowed symbolic sources.
    case reference([ReferenceSource])
    /// Related entities; the allowed symbolic sources.
    case references([ReferenceSource])
}

/// Symbolic values of reference fields: which desired entities a field points at.
enum ReferenceSource: String, Sendable, Hashable, CaseIterable {
    /// The creator's studio (`studio: creator`) or performer(s) (`performers: [creator]`).
    case creator
    /// The network studio (`studio: network`, `parent: network`).
    case network
    /// Performers of accounts mentioned in the post.
    case mentions
    /// Tags from the post's hashtags.
    case hashtags
    /// Tags from `tags.extra`.
    case extra
    /// The gallery of the post or message a scene comes from (`galleries: [item]`).
    case item
}

/// One step of a field's `postProcess` list, applied in order.
enum PostStep: Sendable, Hashable {
    case replace([(RegexBox, String)])
    case map([String: String])
    case parseDate(String)
    case formatDate(String)
    case append(Template)
    case prepend(Template)

    /// The step's key in rule files.
    var name: String {
        switch self {
        case .replace: return "replace"
        case .map: return "map"
        case .parseDate: return "parseDate"
        case .formatDate: return "formatDate"
        case .append: return "append"
        case .prepend: return "prepend"
        }
    }

    static func == (lhs: PostStep, rhs: PostStep) -> Bool { String(describing: lhs) == String(describing: rhs) }
    func hash(into hasher: inout Hasher) { hasher.combine(String(describing: self)) }
}

/// Where a field's value comes from.
enum ValueSource: Sendable, Hashable {
    case template(Template)
    /// Fallback chain: the first alternative that is not empty.
    case firstOf([Template])
    /// List fields: every non-empty item.
    case list([Template])
    case bool(Bool)
    case references([ReferenceSource])
}

/// A field rule: which Stash field, from which templates, post-processed how, reconciled how.
struct FieldRule: Sendable, Hashable {
    /// The name in the rule file (`studio`, `performers`).
    let name: String
    /// The Stash input name (`studio_id`, `performer_ids`).
    let output: String
    let type: FieldType
    let source: ValueSource
    let postProcess: [(step: PostStep, when: Condition?, location: SourceLocation)]
    let strategy: FieldStrategy
    let when: Condition?
    let location: SourceLocation
    /// `post.gallery.fields.title`, for `explain`.
    let path: String
    /// Unique per compiled rule set: the key of the engine's per-record cache.
    var id = 0
    /// True when the value cannot change from one media of a post to the next (no media or
    /// position variable, no extra tags): evaluated once per post.
    var sameForEveryMedia = false

    static func == (lhs: FieldRule, rhs: FieldRule) -> Bool { lhs.path == rhs.path && lhs.location == rhs.location }
    func hash(into hasher: inout Hasher) { hasher.combine(path) }
}

/// How an existing Stash object may be recognised (rule-file words).
enum MatchRule: String, Sendable, Hashable, CaseIterable {
    case name, url, code, file, stashId
}

/// The rule for one kind of desired entity produced from one kind of record.
struct EntityRule: Sendable, Hashable {
    var enabled: Bool
    var createMissing: Bool
    var respectOrganized: Bool
    var match: [MatchRule]
    var when: Condition?
    var fields: [FieldRule]
    var path: String
    /// Post and message galleries: also produced when the post has videos but no pictures, to
    /// group its scenes (`withoutImages: true`); otherwise a gallery needs at least one image.
    var withoutImages = false

    static func disabled(_ path: String) -> EntityRule {
        EntityRule(
            enabled: false, createMissing: false, respectOrganized: true, match: [], when: nil, fields: [], path: path)
    }
}

/// A performer an account stands for when one account is shared by several people.
struct SharedPerformer: Sendable, Hashable {
    var fields: [FieldRule]
    var location: SourceLocation
}

/// A tag added when its condition holds, e.g. `Trailer` on previews.
struct ExtraTag: Sendable, Hashable {
    enum Target: String, Sendable, Hashable, CaseIterable { case gallery, scene, image }
    /// The tag's name; a template, so one entry can give a tag per creator or per wall.
    var name: Template
    var targets: Set<Target>
    var condition: Condition?
    var location: SourceLocation
}

/// Tag derivation: hashtag → name, aliases, ignore list, extra tags, parents.
/// A template under a name (`tags.custom_fields` entries).
struct NamedTemplate: Sendable, Hashable {
    var name: String
    var value: Template
}

struct TagRules: Sendable, Hashable {
    var createMissing = true
    var respectOrganized = true
    var match: [MatchRule] = [.name]
    var hashtagsEnabled = true
    var hashtagWhen: Condition?
    var hashtagName: Template = Template(literal: "")
    var keepHashtagAlias = true
    /// Lower-cased alias or hashtag → canonical tag name.
    var aliasToName: [String: String] = [:]
    /// Canonical name → its aliases, in file order.
    var aliasesByName: [String: [String]] = [:]
    var ignoreWords: Set<String> = []
    var ignorePatterns: [RegexBox] = []
    var extra: [ExtraTag] = []
    /// Tag name (lower-cased) → parent tag names.
    var parents: [String: [String]] = [:]
    var vocabulary: Vocabulary = .empty
    var strategy: FieldStrategy = .merge
    /// `tags.custom_fields`: set on every tag the rules produce (templates without record variables).
    var customFields: [NamedTemplate] = []
    /// Where the rules say what they say about tags, for `rules explain`.
    var hashtagNameLocation: SourceLocation?
    var aliasLocations: [String: SourceLocation] = [:]
    var parentLocations: [String: SourceLocation] = [:]

    func isIgnored(_ name: String) -> Bool {
        if ignoreWords.contains(name.lowercased()) { return true }
        return ignorePatterns.contains {
            $0.regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
        }
    }
}

/// How wall membership is mapped.
enum WallMode: String, Sendable, Hashable, CaseIterable {
    /// A chapter in each post's gallery, titled after the wall.
    case chapters
    /// One gallery per wall holding the images of its posts.
    case galleries
    case none
}

/// One folder rewrite: paths under `from` on this machine are under `to` in Stash.
public struct PathMapping: Sendable, Hashable {
    public var from: String
    public var to: String
    public init(from: String, to: String) { self.from = from; self.to = to }

    /// Reads `FROM=TO` (`--path-map`): both sides non-empty, `FROM` an absolute path or `~/…`.
    public init?(argument: String) {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        let from = argument[..<equals].trimmingCharacters(in: .whitespaces)
        let to = argument[argument.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !to.isEmpty, from.hasPrefix("/") || from == "~" || from.hasPrefix("~/") else { return nil }
        self.init(from: from, to: to)
    }
}

/// Global settings.
struct Settings: Sendable, Hashable {
    var respectOrganized = true
    /// Absolute: `~` expanded, a relative path resolved against its rule file's folder.
    var downloadRoot: String?
    /// Where `downloadRoot` was set (nil: the database's folder, or the command line).
    var downloadRootLocation: SourceLocation?
    var pathMap: [PathMapping] = []
    var creatorFolders: [Template] = []
    /// What `item.caption` reads: the text titles are made from.
    var caption: Template?

    /// `path` as Stash sees it.
    func stashPath(_ path: String) -> String {
        for mapping in pathMap {
            let from = mapping.from.hasSuffix("/") ? String(mapping.from.dropLast()) : mapping.from
            if path == from { return mapping.to }
            if path.hasPrefix(from + "/") {
                let to = mapping.to.hasSuffix("/") ? String(mapping.to.dropLast()) : mapping.to
                return to + path.dropFirst(from.count)
            }
        }
        return path
    }
}

/// URL templates, usable in other templates as `url.post`, `url.message`…, and the caption
/// template (`settings.caption`), usable as `item.caption`: templates other templates read.
struct URLTemplates: Sendable, Hashable {
    var post = Template(literal: "")
    var message = Template(literal: "")
    var account = Template(literal: "")
    var performer = Template(literal: "")
    var bundle = Template(literal: "")
    var caption = Template(literal: "")
}

/// Rules for a record kind that yields a gallery and scene/image metadata (posts, messages, bundles, loose media).
struct SourceRules: Sendable, Hashable {
    var when: Condition?
    var gallery: EntityRule
    var scene: EntityRule
    var image: EntityRule
}
