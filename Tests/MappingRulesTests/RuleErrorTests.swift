import XCTest

@testable import MappingRules

/// Malformed rule files: every problem is reported, each with file:line:column and a precise message.
final class RuleErrorTests: XCTestCase {
    /// The diagnostics of loading `yaml` as `r.yaml`, as printed.
    func problems(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            _ = try RuleSet.load(yaml: yaml, name: "r.yaml")
            XCTFail("expected the rules to be rejected", file: file, line: line)
            return []
        } catch let error as RulesError {
            return error.diagnostics.map(\.description)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return []
        }
    }

    func testTabIndentation() {
        XCTAssertEqual(
            problems("post:\n\tgallery: true\n"),
            ["r.yaml:2:1: tab character used for indentation; YAML only allows spaces"])
    }

    func testUnknownTopLevelKeyWithSuggestion() {
        XCTAssertEqual(
            problems("version: 1\npots:\n  gallery: true\n"),
            [
                "r.yaml:2:1: unknown key 'pots' at the top level; did you mean 'post'? (keys here: version, extends, settings, urls, network, account, post, message, bundle, media, wall, mention, tags)"
            ])
    }

    func testUnknownFieldWithSuggestionAndStashNameHint() {
        let found = problems(
            """
            post:
              gallery:
                fields:
                  titel: x
                  performer_ids: [creator]
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:4:7: unknown field 'titel' in post.gallery.fields; did you mean 'title'? (fields here: title, code, details, date, urls, studio, performers, tags, organized, photographer)",
                "r.yaml:5:7: unknown field 'performer_ids' in post.gallery.fields; in rule files write 'performers' (it becomes Stash's performer_ids) (fields here: title, code, details, date, urls, studio, performers, tags, organized, photographer)",
            ])
    }

    func testWrongTypes() {
        let found = problems(
            """
            settings:
              respectOrganized: maybe
              creatorFolders: "{{ account.username }}"
            post:
              gallery:
                enabled: 3
                match: name
            wall:
              as: pages
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:2:21: settings.respectOrganized must be true or false, got 'maybe'",
                "r.yaml:3:19: settings.creatorFolders must be a list (lines starting with '- '), got '{{ account.username }}'",
                "r.yaml:6:14: post.gallery.enabled must be true or false, got '3'",
                "r.yaml:7:12: post.gallery.match: 'name' is not a way to match galleries; use code, url, stashId",
                "r.yaml:9:7: wall.as must be one of chapters, galleries, none; got 'pages'",
            ])
    }

    func testMappingExpectedButListGiven() {
        XCTAssertEqual(
            problems("post:\n  - gallery\n"), ["r.yaml:2:3: post must be a mapping (key: value lines), got a list"])
    }

    func testScenesCannotBeCreated() {
        XCTAssertEqual(
            problems("post:\n  scene:\n    createMissing: true\n"),
            [
                "r.yaml:3:20: post.scene.createMissing cannot be true: Stash creates scenes and images by scanning files; the rules only update them"
            ])
    }

    func testUnknownConditionVariableAndTest() {
        let found = problems(
            """
            post:
              when:
                post.createdAt: { afterr: 2024-01-01 }
                media.kind: video
                post.pinnd: true
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:3:23: unknown test 'afterr' in when.post.createdAt; did you mean 'after'? (tests: equals, not, in, notIn, matches, notMatches, min, max, after, before, empty, contains)",
                "r.yaml:4:5: 'media.kind' is not available in posts conditions (available here: account, post, item, url)",
                "r.yaml:5:5: unknown variable 'post.pinnd' in when:; did you mean 'post.pinned'?",
            ])
    }

    func testBadDatesAndNumbersInConditions() {
        let found = problems(
            """
            post:
              when:
                post.createdAt: { after: yesterday }
                post.mediaCount: { min: many }
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:3:30: when.post.createdAt.after must be a date such as 2024-01-31, got 'yesterday'",
                "r.yaml:4:29: when.post.mediaCount.min must be a number, got 'many'",
            ])
    }

    func testReferenceSources() {
        let found = problems(
            """
            post:
              gallery:
                fields:
                  studio: [creator, network]
                  performers: [creator, mentionz]
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:4:15: post.gallery.fields.studio takes one source (creator or network), not a list",
                "r.yaml:5:29: post.gallery.fields.performers: 'mentionz' is not a source here; use creator, mentions or none; did you mean 'mentions'?",
            ])
    }

    func testSingleValueFieldGivenAList() {
        XCTAssertEqual(
            problems("post:\n  gallery:\n    fields:\n      title: [a, b]\n"),
            [
                "r.yaml:4:14: post.gallery.fields.title takes a single value, got a list; write firstOf: [...] for a fallback chain"
            ])
    }

    func testPostProcessProblems() {
        let found = problems(
            """
            post:
              gallery:
                fields:
                  title:
                    value: x
                    postProcess:
                      - lowercase: true
                      - replace: []
                        map: {}
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:7:13: unknown postProcess step 'lowercase' (steps: replace, map, parseDate, formatDate, append, prepend)",
                "r.yaml:8:13: each post.gallery.fields.title.postProcess step has exactly one of replace, map, parseDate, formatDate, append, prepend (plus an optional when:); split it into several steps",
            ])
    }

    func testInvalidYAMLSyntax() {
        let found = problems("post:\n  gallery: {fields: [\n")
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("r.yaml:3:1: invalid YAML:"), found[0])
    }

    func testUnquotedColonInValue() {
        let found = problems("post:\n  gallery:\n    fields:\n      title: Note: this breaks\n")
        XCTAssertEqual(
            found,
            [
                "r.yaml:4:18: invalid YAML: mapping values are not allowed in this context; a value containing ': ' must be quoted"
            ])
    }

    func testDuplicateKeys() {
        XCTAssertEqual(
            problems("post: {}\npost: {}\n"), ["r.yaml:1:1: duplicate key 'post' in the same mapping; keep one"])
    }

    func testTagLoopsAndSelfParents() {
        let found = problems(
            """
            tags:
              parents:
                Latex: [Rubber]
                Rubber: [Latex]
                Solo: [solo]
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:3:5: tags.parents: 'Latex' is its own ancestor (a loop); Stash refuses tag loops",
                "r.yaml:4:5: tags.parents: 'Rubber' is its own ancestor (a loop); Stash refuses tag loops",
                "r.yaml:5:5: tags.parents: 'Solo' cannot be its own parent",
            ])
    }

    func testVersionAndExtends() {
        XCTAssertEqual(
            problems("version: 2\nextends: mine\n"),
            [
                "r.yaml:1:10: version must be 1 (the only rule format this build reads), got '2'",
                "r.yaml:2:10: extends must be 'default' (the built-in rules), got 'mine'",
            ])
    }

    func testURLTemplatesCannotUseURLs() {
        XCTAssertEqual(
            problems("urls:\n  post: \"{{ url.account }}/{{ post.id }}\"\n"),
            ["r.yaml:2:13: 'url.account' cannot be used inside urls: (a URL template cannot refer to a URL)"])
    }

    func testMoreStructuralProblems() {
        let found = problems(
            """
            settings:
              pathMap:
                - from: downloads
                  to: /data
                - to: /data
            account:
              performer:
                shared:
                  couple: []
                  trio:
                    - disambiguation: x
            post:
              gallery:
                fields:
                  title: { strategy: merge }
                  details: { value: a, firstOf: [b] }
                  organized: maybe
              image:
                fields:
                  tags: hashtags
                  date: { value: x, strategy: sometimes }
            tags:
              match: [url]
              aliases:
                A: [x]
                B: [X]
              extra:
                - name: T
                  for: [movie]
                - for: [scene]
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:3:13: pathMap.from must be an absolute path, got 'downloads'",
                "r.yaml:5:7: settings.pathMap entry needs 'from:'",
                "r.yaml:9:15: account.performer.shared.couple lists the performers this account stands for; it is empty",
                "r.yaml:11:11: each performer of account.performer.shared.trio needs a name",
                "r.yaml:15:14: post.gallery.fields.title needs a value: (a template) or firstOf: (a fallback chain)",
                "r.yaml:16:16: post.gallery.fields.details: give either value or firstOf, not both",
                "r.yaml:17:18: post.gallery.fields.organized must be true, false or a template, got 'maybe'",
                "r.yaml:21:35: post.image.fields.date.strategy must be merge, overwrite or ignore, got 'sometimes'",
                "r.yaml:23:11: tags.match: tags are matched by name (or alias) only, got 'url'",
                "r.yaml:26:8: tags.aliases: 'X' is already an alias of 'A'; an alias can name one tag only",
                "r.yaml:29:13: tags.extra.for: 'movie' is not gallery, scene or image",
                "r.yaml:30:7: tags.extra entry needs 'name:'",
            ])
    }

    func testNonTextKeysAndWrongScalars() {
        XCTAssertEqual(
            problems("? [a, b]\n: 1\n"), ["r.yaml:1:3: mapping keys must be plain words, not lists or mappings"])
        XCTAssertEqual(problems("urls:\n  post: [a]\n"), ["r.yaml:2:9: urls.post must be text, got a list"])
        XCTAssertEqual(
            problems("wall:\n  chapter:\n    fields:\n      image_index: first\n"),
            ["r.yaml:4:20: wall.chapter.fields.image_index must be a whole number or a template, got 'first'"])
        XCTAssertEqual(
            problems("post:\n  when: [a]\n"),
            ["r.yaml:2:9: when: is a mapping of variable: test (e.g. media.kind: video), got a list"])
        XCTAssertEqual(
            problems("post:\n  when:\n    post.pinned: maybe\n"),
            ["r.yaml:3:18: when.post.pinned is true or false, got 'maybe'"])
    }

    func testNotUTF8() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("latin1-\(UUID().uuidString).yaml")
        try Data([0x74, 0x69, 0x74, 0x6C, 0x65, 0x3A, 0x20, 0xE9, 0xFF]).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertThrowsError(try RuleSet.load(files: [file])) { error in
            XCTAssertEqual(
                (error as? RulesError)?.diagnostics.map(\.description), ["\(file.path):1:1: the file is not UTF-8 text"]
            )
        }
    }

    func testEveryProblemOfSeveralFilesIsReported() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rules-errors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a.yaml")
        let second = folder.appendingPathComponent("b.yaml")
        try "post:\n  gallery:\n    fields:\n      title: '{{ post.x }}'\n".write(
            to: first, atomically: true, encoding: .utf8)
        try "tagz: {}\n".write(to: second, atomically: true, encoding: .utf8)
        let missing = folder.appendingPathComponent("missing.yaml")
        XCTAssertThrowsError(try RuleSet.load(files: [first, second, missing])) { error in
            let lines = (error as? RulesError)?.diagnostics.map(\.description) ?? []
            XCTAssertEqual(
                lines,
                [
                    "\(first.path):4:18: unknown variable 'post.x'; did you mean 'post.id'?",
                    "\(second.path):1:1: unknown key 'tagz' at the top level; did you mean 'tags'? (keys here: version, extends, settings, urls, network, account, post, message, bundle, media, wall, mention, tags)",
                    "\(missing.path):1:1: the rule file does not exist",
                ], "a missing file does not hide the problems of the others")
        }
        XCTAssertThrowsError(try RuleSet.load(files: [first, second])) { error in
            let lines = (error as? RulesError)?.diagnostics.map(\.description) ?? []
            XCTAssertEqual(
                lines,
                [
                    "\(first.path):4:18: unknown variable 'post.x'; did you mean 'post.id'?",
                    "\(second.path):1:1: unknown key 'tagz' at the top level; did you mean 'tags'? (keys here: version, extends, settings, urls, network, account, post, message, bundle, media, wall, mention, tags)",
                ])
            XCTAssertTrue((error as? RulesError)?.description.hasSuffix("2 problems in the rules") ?? false)
        }
    }
}
