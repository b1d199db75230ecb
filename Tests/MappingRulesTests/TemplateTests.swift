import FanslyMetadata
import XCTest

@testable import MappingRules

/// The template language: every filter, literals, fallbacks, and typed values.
final class TemplateTests: XCTestCase {
    let roots: Roots = [.account, .post, .item, .media, .position, .hashtag]

    func context(content: String? = "Hello world", hashtags: [String] = []) -> RecordContext {
        var context = RecordContext(urls: URLTemplates())
        context.account = Fixtures.ember
        let post = Post(
            id: 42, accountId: 100, content: content, createdAt: Fixtures.date("2024-03-09T17:05:09Z"),
            hashtags: hashtags.enumerated().map { Hashtag(id: FanslyID($0.offset), value: $0.element) })
        context.post = post
        context.item = ItemInfo(
            kind: .post, id: 42, content: content, createdAt: post.createdAt, mediaCount: 3, imageCount: 2,
            videoCount: 1)
        context.position = 2
        context.total = 3
        return context
    }

    func render(
        _ source: String, vocabulary: [String] = [], _ context: RecordContext? = nil, file: StaticString = #filePath,
        line: UInt = #line
    ) -> String {
        let sink = DiagnosticSink()
        let compiler = TemplateCompiler(roots: roots, usage: "tests", vocabulary: Vocabulary(vocabulary))
        guard let template = compiler.compile(source, at: SourceLocation(file: "t", line: 1, column: 1), sink: sink)
        else {
            XCTFail("does not compile: \(sink.diagnostics.map(\.description))", file: file, line: line)
            return ""
        }
        return template.render(context ?? self.context())
    }

    func value(_ source: String, _ context: RecordContext? = nil) -> TemplateValue {
        let sink = DiagnosticSink()
        let template = TemplateCompiler(roots: roots, usage: "tests", vocabulary: .empty)
            .compile(source, at: SourceLocation(file: "t", line: 1, column: 1), sink: sink)!
        return template.evaluate(context ?? self.context())
    }

    func errors(_ source: String) -> [String] {
        let sink = DiagnosticSink()
        _ = TemplateCompiler(roots: [.account, .post], usage: "post galleries", vocabulary: .empty)
            .compile(source, at: SourceLocation(file: "t", line: 3, column: 10), sink: sink)
        return sink.diagnostics.map(\.description)
    }

    func testLiteralTextAndVariables() {
        XCTAssertEqual(render("plain text"), "plain text")
        XCTAssertEqual(render("{{ account.username }} / {{post.id}}"), "EmberWilde42 / 42")
        XCTAssertEqual(render("{{ account.name }}"), "Ember Wilde")
        XCTAssertEqual(render("{{ position }}/{{ total }}"), "2/3")
        XCTAssertEqual(render("{{ '{{' }} literal {{ \"}}\" }}"), "{{ literal }}")
        XCTAssertEqual(render("{{ 42 }} {{ true }} {{ null }}|"), "42 true |")
    }

    func testDatesRenderAsCalendarDatesByDefault() {
        XCTAssertEqual(render("{{ post.createdAt }}"), "2024-03-09")
        XCTAssertEqual(value("{{ post.createdAt }}"), .date(Fixtures.date("2024-03-09T17:05:09Z")))
    }

    func testDateFilter() {
        XCTAssertEqual(render("{{ post.createdAt | date }}"), "2024-03-09")
        XCTAssertEqual(render("{{ post.createdAt | date:'yyyy/MM/dd HH:mm:ss' }}"), "2024/03/09 17:05:09")
        XCTAssertEqual(
            render("{{ post.createdAt | date:\"d MMMM yyyy\" }}"), "9 March 2024",
            "other patterns go through DateFormatter in en_US_POSIX")
        XCTAssertEqual(
            render("{{ '2023-01-02 10:48:28.000000' | date:'dd.MM.yyyy' }}"), "02.01.2023",
            "text dates are parsed first")
        XCTAssertEqual(render("{{ 'not a date' | date }}"), "")
    }

    func testTruncateOnWordBoundary() {
        XCTAssertEqual(render("{{ 'The quick brown fox jumps' | truncate:12 }}"), "The quick")
        XCTAssertEqual(render("{{ 'The quick brown fox jumps' | truncate:15:'…' }}"), "The quick…")
        XCTAssertEqual(render("{{ 'short' | truncate:64 }}"), "short")
        XCTAssertEqual(render("{{ 'Supercalifragilistic' | truncate:5 }}"), "Super", "a single long word is cut")
    }

    func testCutIsExact() {
        XCTAssertEqual(render("{{ 'abcdefghij' | cut:8:'...' }}"), "abcde...")
        XCTAssertEqual(render("{{ 'abcdefgh' | cut:8:'...' }}"), "abcdefgh")
        XCTAssertEqual(render("{{ 'abcdefghij' | cut:4 }}"), "abcd")
    }

    func testMinLengthEmptiesShortTextForFallbacks() {
        XCTAssertEqual(render("{{ 'short' | minLength:10 ?? 'fallback' }}"), "fallback")
        XCTAssertEqual(render("{{ 'long enough text' | minLength:10 ?? 'fallback' }}"), "long enough text")
    }

    func testFirstLineStripHtmlAndCase() {
        XCTAssertEqual(
            render("{{ item.content | firstLine }}", context(content: "\n  \n  First line  \nSecond")), "First line")
        XCTAssertEqual(render("{{ '<p>Hi <b>there</b></p><br/>x &amp; y' | stripHtml }}"), "Hi there\n\nx & y")
        XCTAssertEqual(render("{{ 'MiXeD' | lower }} {{ 'MiXeD' | upper }}"), "mixed MIXED")
        XCTAssertEqual(render("{{ 'latex model, o\\'brien' | title }}"), "Latex Model, O'brien")
        XCTAssertEqual(render("[{{ '  padded \n' | trim }}]"), "[padded]")
        XCTAssertEqual(
            render("{{ item.content | firstSentence }}", context(content: "New set is up! Go see it.\nSecond")),
            "New set is up!")
        XCTAssertEqual(render("{{ 'Version 1.2 is out... finally' | firstSentence }}"), "Version 1.2 is out...")
        XCTAssertEqual(render("{{ 'no end mark here' | firstSentence }}"), "no end mark here")
        XCTAssertEqual(render("{{ ' a \n\n b   c ' | squish }}"), "a b c")
    }

    func testReplaceWithGroups() {
        XCTAssertEqual(render("{{ 'Set 12 of 40' | replace:'(\\\\d+) of (\\\\d+)':'$1/$2' }}"), "Set 12/40")
        XCTAssertEqual(render("{{ 'a-b-c' | replace:'-':' ' }}"), "a b c")
    }

    func testDefaultSlugJoinSplitFirstLastCount() {
        XCTAssertEqual(render("{{ account.displayName | default:'anonymous' }}"), "Ember Wilde")
        XCTAssertEqual(render("{{ item.content | default:'anonymous' }}", context(content: nil)), "anonymous")
        XCTAssertEqual(render("{{ 'Crème Brûlée: Part 2!' | slug }}"), "creme-brulee-part-2")
        XCTAssertEqual(render("{{ post.hashtags | join:' + ' }}", context(hashtags: ["latex", "gym"])), "latex + gym")
        XCTAssertEqual(render("{{ post.hashtags }}", context(hashtags: ["latex", "gym"])), "latex, gym")
        XCTAssertEqual(value("{{ 'a, b,, c' | split }}"), .list(["a", "b", "c"]))
        XCTAssertEqual(value("{{ 'a|b' | split:'|' | last }}"), .string("b"))
        XCTAssertEqual(render("{{ post.hashtags | first }}", context(hashtags: ["latex", "gym"])), "latex")
        XCTAssertEqual(
            render("{{ post.hashtags | count }} {{ 'abc' | count }}", context(hashtags: ["latex", "gym"])), "2 3")
    }

    func testSplitWords() {
        XCTAssertEqual(render("{{ 'LatexModel' | splitWords }}"), "Latex Model")
        XCTAssertEqual(render("{{ 'behind_the-scenes' | splitWords | title }}"), "Behind The Scenes")
        XCTAssertEqual(render("{{ 'bbw2024' | splitWords }}"), "bbw 2024")
        XCTAssertEqual(
            render("{{ 'latexmodel' | splitWords }}"), "latexmodel", "without a vocabulary lower-case runs stay whole")
        XCTAssertEqual(
            render("{{ 'latexmodel' | splitWords | title }}", vocabulary: ["latex", "model", "mode", "l"]),
            "Latex Model")
        XCTAssertEqual(render("{{ 'latexzzz' | splitWords }}", vocabulary: ["latex"]), "latexzzz", "no partial splits")
    }

    func testPrefixSuffixAndStripHashtagsMentions() {
        XCTAssertEqual(render("{{ 'x' | prefix:'<' | suffix:'>' }}"), "<x>")
        XCTAssertEqual(render("[{{ '' | prefix:'<' }}]"), "[]")
        XCTAssertEqual(
            render("{{ 'New set #latex #LatexModel with @NovaQuinn!' | stripHashtags | stripMentions }}"),
            "New set with!", "no space is left before the punctuation")
    }

    func testFallbackOperatorAndParentheses() {
        XCTAssertEqual(render("{{ account.displayName ?? account.username }}"), "Ember Wilde")
        var context = self.context()
        context.account = Fixtures.nova
        XCTAssertEqual(render("{{ account.displayName ?? account.username }}", context), "NovaQuinn")
        XCTAssertEqual(render("{{ (account.displayName ?? account.username) | upper }}", context), "NOVAQUINN")
        XCTAssertEqual(render("{{ account.displayName ?? account.location ?? 'nobody' }}", context), "nobody")
    }

    func testListsKeepTheirTypeThroughTextFilters() {
        XCTAssertEqual(
            value("{{ post.hashtags | upper }}", context(hashtags: ["latex", "gym"])), .list(["LATEX", "GYM"]))
    }

    func testCompileErrorsHavePositions() {
        XCTAssertEqual(errors("Hi {{ post.content | nope }}"), ["t:3:31: unknown filter 'nope'"])
        // Every unknown filter is reported, each with its suggestion, not only the first.
        XCTAssertEqual(
            errors("{{ post.content | firstLien | uper | trim }}"),
            [
                "t:3:28: unknown filter 'firstLien'; did you mean 'firstLine'?",
                "t:3:40: unknown filter 'uper'; did you mean 'upper'?",
            ])
        XCTAssertEqual(
            errors("{{ }}"), ["t:3:10: empty '{{ }}' in template '{{ }}': put a variable inside, e.g. {{ post.id }}"])
        XCTAssertEqual(
            errors("a }} b"),
            ["t:3:12: '}}' without an opening '{{' in template 'a }} b'; write {{ '}}' }} for a literal"])
        XCTAssertEqual(
            errors("{{ post.id post.content }}"),
            ["t:3:21: unexpected 'post.content ' in template; expected '|', '??' or '}}'"])
        XCTAssertEqual(errors("{{ 'open }}"), ["t:3:10: unclosed '{{' in template '{{ 'open }}': add '}}'"])
        XCTAssertEqual(errors("{{ post.id | date:yyyy }}"), ["t:3:28: expected a number or a quoted string, found 'y'"])
        XCTAssertEqual(
            errors("{{ media.kind }}"),
            ["t:3:13: 'media.kind' is not available in post galleries (available here: account, post, url)"])
        XCTAssertEqual(errors("line one\n{{ post.nope }}"), ["t:4:4: unknown variable 'post.nope'"])
        XCTAssertEqual(
            errors("{{ post.id | truncate:0 }}"), ["t:3:32: filter 'truncate': argument 1 must be at least 1, got 0"])
        XCTAssertEqual(
            errors("{{ post.id | truncate:3:'...' }}"),
            ["t:3:34: filter 'truncate': the suffix must be shorter than 3 characters"])
        XCTAssertEqual(errors("{{ post.id | split:'' }}"), ["t:3:29: filter 'split': the separator is empty"])
        XCTAssertEqual(errors("{{ post.id | date:'' }}"), ["t:3:28: filter 'date': the date pattern is empty"])
        XCTAssertEqual(
            errors("{{ post.id | replace:'x' }}"),
            ["t:3:23: filter 'replace' takes 2 arguments (replace:\"regex\":\"with\"), got 1"])
        XCTAssertEqual(
            errors("{{ post.id | default:1 | join:2 }}"),
            ["t:3:40: filter 'join': argument 1 must be a quoted string, got 2"])
    }

    func testEveryFilterIsDocumentedAndTested() throws {
        // Docs/rules.md documents every filter by name; this test file uses each one.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("Docs/rules.md"), encoding: .utf8)
        let tests = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        for name in FilterSpec.names {
            XCTAssertTrue(docs.contains("`\(name)"), "Docs/rules.md does not document the filter \(name)")
            XCTAssertTrue(tests.contains("| \(name)"), "no test uses the filter \(name)")
        }
        for variable in Variable.names {
            XCTAssertTrue(docs.contains("`\(variable)`"), "Docs/rules.md does not document the variable \(variable)")
        }
    }

    func testTrimmingKeepsInnerTextAndDropsUnicodeWhitespace() {
        func reference(_ text: String) -> String {
            let scalars = text.unicodeScalars
            guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
                let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
            else { return "" }
            return String(scalars[start...end])
        }
        let cases = [
            "", " ", "a", "abc", " abc", "abc ", "\tabc\n", "\u{0B}x\u{0C}", "a b", "\u{00A0}abc\u{2003}",
            "\u{85}x", "é", " é ", "日本 ", "\r\n", "x\u{3000}", "\u{1F600}",
        ]
        for text in cases { XCTAssertEqual(TextOps.trimmed(text), reference(text), text.debugDescription) }
    }

    /// `squish` reads ASCII text byte by byte: every string of white space, control characters that
    /// are not white space (0x1C–0x1F, 0x7F) and letters gives what splitting on
    /// `Character.isWhitespace` gives.
    func testSquishOfASCIITextIsTheCharacterSplit() {
        func reference(_ text: String) -> String {
            text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        }
        let pieces = [
            "a", "bc", " ", "  ", "\t", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1F}", "\u{7F}", "#x",
        ]
        var cases = ["", " ", "a", "a b", " a", "a ", "é  x", " 日本\n語 ", "\u{00A0}a\u{2003} b\u{85}"]
        for first in pieces {
            for second in pieces {
                for third in pieces { cases.append(first + second + third) }
            }
        }
        for text in cases { XCTAssertEqual(TextOps.squish(text), reference(text), text.debugDescription) }
    }
}
