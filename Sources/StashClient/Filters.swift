/// `CriterionModifier`.
public enum CriterionModifier: String, Sendable, Hashable, Codable, CaseIterable {
    case equals = "EQUALS", notEquals = "NOT_EQUALS", greaterThan = "GREATER_THAN", lessThan = "LESS_THAN"
    case isNull = "IS_NULL", notNull = "NOT_NULL", includesAll = "INCLUDES_ALL", includes = "INCLUDES"
    case excludes = "EXCLUDES", matchesRegex = "MATCHES_REGEX", notMatchesRegex = "NOT_MATCHES_REGEX"
    case between = "BETWEEN", notBetween = "NOT_BETWEEN"
}

/// `StringCriterionInput`. Stash's semantics (pkg/sqlite): `EQUALS` is a case-insensitive SQL
/// `LIKE` (so `_` and `%` in the value are wildcards); `INCLUDES` splits an unquoted value on
/// whitespace and matches any word as a substring (`"…"` quotes keep it whole); `MATCHES_REGEX`
/// is a case-sensitive, unanchored Go (RE2) regex. For `path`, the text matched is the full file
/// path (folder + `/` + basename).
public struct StringCriterion: Sendable, Hashable, Codable {
    var value: String
    var modifier: CriterionModifier
    public init(_ value: String, _ modifier: CriterionModifier) { self.value = value; self.modifier = modifier }

    /// `EQUALS value` (case-insensitive LIKE).
    public static func equals(_ value: String) -> StringCriterion { .init(value, .equals) }
    /// `INCLUDES value`, kept as one phrase (quoted), not split into words.
    public static func includesPhrase(_ value: String) -> StringCriterion { .init("\"\(value)\"", .includes) }
    /// `MATCHES_REGEX pattern`.
    public static func matchesRegex(_ pattern: String) -> StringCriterion { .init(pattern, .matchesRegex) }
    /// Paths inside `folder` (at any depth): an anchored, escaped regex, exact and case-sensitive,
    /// unlike `INCLUDES` which splits on spaces and treats `_` as a wildcard.
    public static func pathUnder(_ folder: String) -> StringCriterion {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return .init("^" + escapeRegex(prefix), .matchesRegex)
    }
    /// Exactly this path: an anchored, escaped regex (exact and case-sensitive).
    public static func path(_ path: String) -> StringCriterion { .init("^" + escapeRegex(path) + "$", .matchesRegex) }

    /// Escapes RE2 metacharacters so `text` matches literally.
    static func escapeRegex(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            if "\\.+*?()|[]{}^$".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

/// `IntCriterionInput`.
public struct IntCriterion: Sendable, Hashable, Codable {
    var value: Int
    var value2: Int?
    var modifier: CriterionModifier
    init(_ value: Int, _ modifier: CriterionModifier, value2: Int? = nil) {
        self.value = value; self.value2 = value2; self.modifier = modifier
    }
}

/// A filter on scenes, images or galleries (`SceneFilterType`, `ImageFilterType`,
/// `GalleryFilterType`): the keys a mapper uses. Criteria combine with AND; `and`/`or`/`not`
/// nest another filter as Stash does.
public struct MediaFilter: Sendable, Hashable, Encodable {
    public var id: IntCriterion?
    public var path: StringCriterion?
    public var title: StringCriterion?
    public var code: StringCriterion?
    public var url: StringCriterion?
    public var organized: Bool?
    private var nested: [String: [MediaFilter]] = [:]

    public init(
        id: IntCriterion? = nil, path: StringCriterion? = nil, title: StringCriterion? = nil,
        code: StringCriterion? = nil, url: StringCriterion? = nil, organized: Bool? = nil
    ) {
        self.id = id; self.path = path; self.title = title; self.code = code; self.url = url; self.organized = organized
    }

    /// Also requires `other`.
    public var and: MediaFilter? {
        get { nested["AND"]?.first }
        set { nested["AND"] = newValue.map { [$0] } }
    }
    /// Matches this filter or `other`.
    public var or: MediaFilter? {
        get { nested["OR"]?.first }
        set { nested["OR"] = newValue.map { [$0] } }
    }
    /// Excludes what `other` matches.
    public var not: MediaFilter? {
        get { nested["NOT"]?.first }
        set { nested["NOT"] = newValue.map { [$0] } }
    }

    enum CodingKeys: String, CodingKey { case id, path, title, code, url, organized, AND, OR, NOT }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(path, forKey: .path)
        try container.encodeIfPresent(title, forKey: .title)
        try container.encodeIfPresent(code, forKey: .code)
        try container.encodeIfPresent(url, forKey: .url)
        try container.encodeIfPresent(organized, forKey: .organized)
        try container.encodeIfPresent(and, forKey: .AND)
        try container.encodeIfPresent(or, forKey: .OR)
        try container.encodeIfPresent(not, forKey: .NOT)
    }
}

/// A filter on performers, studios or tags (`PerformerFilterType`, `StudioFilterType`,
/// `TagFilterType`). `disambiguation` exists for performers only, `url` for performers and studios.
public struct NameFilter: Sendable, Hashable, Encodable {
    public var name: StringCriterion?
    public var aliases: StringCriterion?
    public var disambiguation: StringCriterion?
    public var url: StringCriterion?
    private var nested: [String: [NameFilter]] = [:]

    public init(
        name: StringCriterion? = nil, aliases: StringCriterion? = nil, disambiguation: StringCriterion? = nil,
        url: StringCriterion? = nil
    ) {
        self.name = name; self.aliases = aliases; self.disambiguation = disambiguation; self.url = url
    }

    /// Also requires `other`.
    public var and: NameFilter? {
        get { nested["AND"]?.first }
        set { nested["AND"] = newValue.map { [$0] } }
    }
    /// Matches this filter or `other`.
    public var or: NameFilter? {
        get { nested["OR"]?.first }
        set { nested["OR"] = newValue.map { [$0] } }
    }
    /// Excludes what `other` matches.
    public var not: NameFilter? {
        get { nested["NOT"]?.first }
        set { nested["NOT"] = newValue.map { [$0] } }
    }

    enum CodingKeys: String, CodingKey { case name, aliases, disambiguation, url, AND, OR, NOT }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(aliases, forKey: .aliases)
        try container.encodeIfPresent(disambiguation, forKey: .disambiguation)
        try container.encodeIfPresent(url, forKey: .url)
        try container.encodeIfPresent(and, forKey: .AND)
        try container.encodeIfPresent(or, forKey: .OR)
        try container.encodeIfPresent(not, forKey: .NOT)
    }
}

/// `SortDirectionEnum`.
enum SortDirection: String, Sendable, Hashable, Codable { case ascending = "ASC", descending = "DESC" }

/// `FindFilterType`: paging, free-text `q` and sort. Stash's default page size is 25; -1 means all.
struct FindFilter: Sendable, Hashable, Codable {
    var q: String?
    /// 1-based.
    var page: Int?
    var perPage: Int?
    var sort: String?
    var direction: SortDirection?
    init(
        q: String? = nil, page: Int? = nil, perPage: Int? = nil, sort: String? = nil, direction: SortDirection? = nil
    ) {
        self.q = q; self.page = page; self.perPage = perPage; self.sort = sort; self.direction = direction
    }
}
