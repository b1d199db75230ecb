import XCTest

@testable import MappingRules

/// Template and filter problems: unclosed holes, unknown names, variables used where they do not
/// exist, bad patterns and arguments.
extension RuleErrorTests {
    func testUnclosedTemplate() {
        XCTAssertEqual(
            problems("post:\n  gallery:\n    fields:\n      title: \"{{ post.content | firstLine\"\n"),
            ["r.yaml:4:15: unclosed '{{' in template '{{ post.content | firstLine': add '}}'"])
    }

    func testUnknownVariableAndFilterWithSuggestions() {
        let found = problems(
            """
            post:
              gallery:
                fields:
                  title: "{{ post.contnet }}"
                  details: "Text: {{ post.content | trunc:10 }}"
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:4:18: unknown variable 'post.contnet'; did you mean 'post.content'?",
                "r.yaml:5:41: unknown filter 'trunc'; did you mean 'truncate'?",
            ])
    }

    func testVariableNotAvailableWhereUsed() {
        XCTAssertEqual(
            problems("post:\n  gallery:\n    fields:\n      code: '{{ media.id }}'\n"),
            ["r.yaml:4:17: 'media.id' is not available in post galleries (available here: account, post, item, url)"])
    }

    func testBadRegexInFilterConditionAndPostProcess() {
        let found = problems(
            """
            post:
              scene:
                when:
                  post.content: { matches: "([a-z]" }
                fields:
                  title:
                    value: "{{ post.content | replace:'(x':'y' }}"
                    postProcess:
                      - replace:
                          - regex: "[unclosed"
                            with: ""
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:4:33: when.post.content.matches: invalid regular expression '([a-z]': unbalanced '(' (missing ')')",
                "r.yaml:7:43: filter 'replace': invalid regular expression '(x': unbalanced '(' (missing ')')",
                "r.yaml:10:25: invalid regular expression '[unclosed': unclosed '[' character class",
            ])
    }

    func testFilterArgumentProblems() {
        let found = problems(
            """
            post:
              gallery:
                fields:
                  title: "{{ post.content | truncate }}"
                  details: "{{ post.content | truncate:'ten' }}"
                  code: "{{ post.id | lower:1 }}"
            """)
        XCTAssertEqual(
            found,
            [
                "r.yaml:4:33: filter 'truncate' takes 1 to 2 arguments (truncate:N or truncate:N:\"…\"), got 0",
                "r.yaml:5:44: filter 'truncate': argument 1 must be a whole number, got 'ten'",
                "r.yaml:6:27: filter 'lower' takes no arguments (lower), got 1",
            ])
    }
}
