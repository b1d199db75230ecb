import Foundation
import XCTest

/// `fansly-stash rules …` end to end: the built binary on real files.
final class RulesCLITests: XCTestCase {
    private var sample: String { CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path }

    private func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rules-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    func testCheckBuiltInRulesFromAnyDirectory() throws {
        // The default rules are compiled in: no rules/ folder is needed beside the binary or in the working directory.
        let result = try CLI.run(["rules", "check"], currentDirectory: try temporaryFolder())
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertEqual(result.stdout, "OK: <built-in default> — the rules are valid\n")
    }

    func testShowAndPlanUseTheBuiltInRulesFromAnyDirectory() throws {
        // Run from an empty folder: what the default rules produce must not depend on a rules/ folder nearby.
        let folder = try temporaryFolder()
        let shown = try CLI.run(["rules", "show"], currentDirectory: folder)
        XCTAssertEqual(shown.exitCode, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("respectOrganized: true"), shown.stdout)
        let environment = [
            "STASH_URL": "", "STASH_API_KEY": "", "XDG_STATE_HOME": folder.appendingPathComponent("state").path,
        ]
        let plan = try CLI.run(["plan", "--db", sample, "--json"], environment: environment, currentDirectory: folder)
        XCTAssertEqual(plan.exitCode, 0, plan.stderr)
        let document = try XCTUnwrap(PlanDocument.parse(plan.stdout))
        XCTAssertEqual((document["inputs"] as? [String: Any])?["rules_files"] as? [String], [], "the built-in rules")
        XCTAssertFalse((document["changes"] as? [Any] ?? []).isEmpty, "the default rules make changes for the sample")
    }

    func testCheckExamples() throws {
        for name in ["rules-fansdb", "rules-couple", "rules-minimal"] {
            let result = try CLI.run(["rules", "check", "--rules", "examples/\(name)/rules.yaml"])
            XCTAssertEqual(result.exitCode, 0, "\(name): \(result.stderr)")
        }
    }

    func testCheckReportsEveryProblemOfEveryFileAndExits1() throws {
        let folder = try temporaryFolder()
        let first = folder.appendingPathComponent("one.yaml")
        let second = folder.appendingPathComponent("two.yaml")
        try "post:\n  gallery:\n    fields:\n      titel: x\n      code: \"{{ post.idd }}\"\n".write(
            to: first, atomically: true, encoding: .utf8)
        try "tags:\n\textra: []\n".write(to: second, atomically: true, encoding: .utf8)
        let result = try CLI.run(["rules", "check", "--rules", first.path, "--rules", second.path])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, "")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(
            lines,
            [
                "\(first.path):4:7: unknown field 'titel' in post.gallery.fields; did you mean 'title'? (fields here: title, code, details, date, urls, studio, performers, tags, organized, photographer)",
                "\(first.path):5:17: unknown variable 'post.idd'; did you mean 'post.id'?",
                "\(second.path):2:1: tab character used for indentation; YAML only allows spaces",
                "3 problems in the rules",
            ])
    }

    func testCheckMissingFile() throws {
        let result = try CLI.run(["rules", "check", "--rules", "/nonexistent/rules.yaml"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(
            result.stderr, "/nonexistent/rules.yaml:1:1: the rule file does not exist\n1 problem in the rules\n")
    }

    func testSchemaIsTheShippedFile() throws {
        let result = try CLI.run(["rules", "schema"], currentDirectory: try temporaryFolder())
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let file = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("rules/fansly-stash-rules.schema.json"), encoding: .utf8)
        XCTAssertEqual(result.stdout, file)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["$schema"] as? String, "https://json-schema.org/draft/2020-12/schema")
    }

    func testShowPrintsTheMergedRules() throws {
        let folder = try temporaryFolder()
        let override = folder.appendingPathComponent("o.yaml")
        try "post:\n  scene:\n    fields:\n      title: \"{{ post.id }}\"\n".write(
            to: override, atomically: true, encoding: .utf8)
        let result = try CLI.run([
            "rules", "show", "--rules", "examples/rules-minimal/rules.yaml", "--rules", override.path,
        ])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("title: \"{{ post.id }}\""), result.stdout)
        XCTAssertTrue(
            result.stdout.contains("date: \"{{ post.createdAt }}\""),
            "keys the override does not touch stay: \(result.stdout)")
        XCTAssertFalse(result.stdout.contains("1e+0"), result.stdout)

        // Fed back, the shown rules mean the same: the same plan.
        let shown = folder.appendingPathComponent("shown.yaml")
        try result.stdout.write(to: shown, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CLI.run(["rules", "check", "--rules", shown.path]).exitCode, 0)
        let direct = try CLI.run([
            "plan", "--db", sample, "--json", "--rules", "examples/rules-minimal/rules.yaml", "--rules", override.path,
        ])
        let again = try CLI.run(["plan", "--db", sample, "--json", "--rules", shown.path])
        func changes(_ text: String) throws -> String {
            let object = try XCTUnwrap(PlanDocument.parse(text))
            return String(
                data: try JSONSerialization.data(withJSONObject: object["changes"] ?? [], options: [.sortedKeys]),
                encoding: .utf8) ?? ""
        }
        XCTAssertEqual(try changes(again.stdout), try changes(direct.stdout))
        XCTAssertEqual(
            result.stdout.components(separatedBy: "{{ account.username }} {{ post.createdAt | date }} #{{ position }}")
                .count, 2,
            "only post.image keeps the minimal title")
    }

    func testExplainMediaShowsVariablesFieldsAndTheirRules() throws {
        let result = try CLI.run(["rules", "explain", "--db", sample, "--media", "400000000016849015"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "media 400000000016849015 (creator LunaVesper, rules: <built-in default>)")
        XCTAssertTrue(
            lines.contains { $0.hasPrefix("  media.fileId") && $0.hasSuffix("= 400000000016849015") },
            "looked up by its HLS file id")
        XCTAssertTrue(
            lines.contains(
                "scene.media.400000000015505210  (never created, left alone when organized; from post 400000000013382049, media 2/2)"
            ))
        let title = try XCTUnwrap(lines.first { $0.hasPrefix("  title") })
        XCTAssertTrue(title.contains("= \"Shoot day with and - 2/2\""), "no #hashtags or @handles in titles: \(title)")
        XCTAssertTrue(title.hasSuffix("← post.scene.fields.title (<built-in default>:81:11)"), title)
        XCTAssertTrue(lines.contains("  match: file id 400000000016849015"))
        XCTAssertTrue(
            lines.contains {
                $0.hasPrefix("      then post.scene.fields.title.postProcess[0] append (<built-in default>:")
            },
            "the step behind ' - 2/2':\n\(result.stdout)")
    }

    func testExplainSaysWhyNothingIsProduced() throws {
        let folder = try temporaryFolder()
        let rules = folder.appendingPathComponent("no-scenes.yaml")
        try "extends: default\npost:\n  scene: false\n".write(to: rules, atomically: true, encoding: .utf8)
        let result = try CLI.run([
            "rules", "explain", "--db", sample, "--media", "400000000016849015", "--rules", rules.path,
        ])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(
            result.stdout.contains(
                "\nwhy:\n  post.scene is disabled (absent, false or enabled: false): the scene is not mapped"),
            result.stdout)
    }

    func testExplainAccountWithRuleFile() throws {
        let result = try CLI.run([
            "rules", "explain", "--db", sample, "--rules", "examples/rules-couple/rules.yaml", "--account",
            "mirakestrel",
        ])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("performer.account.mirakestrel.jonah-reed"), result.stdout)
        XCTAssertTrue(result.stdout.contains("examples/rules-couple/rules.yaml:14:17)"), result.stdout)
    }

    func testExplainUnknownPostAndBadArguments() throws {
        let missing = try CLI.run(["rules", "explain", "--db", sample, "--post", "1"])
        XCTAssertEqual(missing.exitCode, 1)
        XCTAssertTrue(missing.stderr.contains("Error: no post 1 in \(sample)"), missing.stderr)
        let twoTargets = try CLI.run(["rules", "explain", "--db", sample, "--post", "1", "--media", "2"])
        XCTAssertNotEqual(twoTargets.exitCode, 0)
        XCTAssertTrue(
            twoTargets.stderr.contains("give exactly one of --post, --message, --media, --account"), twoTargets.stderr)
        let badRules = try CLI.run(["rules", "explain", "--db", sample, "--post", "1", "--rules", "/nonexistent.yaml"])
        XCTAssertEqual(badRules.exitCode, 1)
        XCTAssertTrue(badRules.stderr.contains("/nonexistent.yaml:1:1: the rule file does not exist"), badRules.stderr)
    }
}
