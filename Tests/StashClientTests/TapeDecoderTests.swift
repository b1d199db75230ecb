import Foundation
import StashTestServer
import XCTest

@testable import StashClient

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The find pages of the plan are read by `TapeDecoder`; whatever it reads must be what
/// `JSONDecoder` reads, and whatever it cannot read alike goes to `JSONDecoder`, errors included.
final class TapeDecoderTests: ServerTestCase {
    /// A type with every shape the finds' items have, and some they do not (fractions, dates).
    private struct Sample: Decodable, Hashable {
        var id: String
        var title: String?
        var count: Int
        var big: Int64?
        var flag: Bool
        var urls: [String]
        var studio: NamedRef?
        var galleries: [TitledRef]?
        var custom: CustomFieldValues?
        var rating: Double?
        var nested: [[Int]]?
        var byName: [String: Int]?

        enum CodingKeys: String, CodingKey {
            case id, title, count, big, flag, urls, studio, galleries, custom = "custom_fields", rating, nested
            case byName = "by_name"
        }
    }

    /// Decodes `json` both ways: the same value, or the same error.
    private func assertAlike<T: Decodable & Hashable>(
        _ type: T.Type, _ json: String, tapeReadsIt: Bool? = nil, file: StaticString = #filePath, line: UInt = #line
    ) {
        let data = Data(json.utf8)
        let expected = Result { try JSONDecoder().decode(T.self, from: data) }
        let actual = Result { try TapeDecoder.decode(T.self, from: data, fallback: JSONDecoder()) }
        switch (expected, actual) {
        case (.success(let a), .success(let b)): XCTAssertEqual(a, b, json, file: file, line: line)
        case (.failure(let a), .failure(let b)):
            XCTAssertEqual(String(describing: a), String(describing: b), json, file: file, line: line)
        default: XCTFail("JSONDecoder: \(expected); tape: \(actual) for \(json)", file: file, line: line)
        }
        if let tapeReadsIt {
            XCTAssertEqual(
                TapeDecoder.decodeWithoutFallback(T.self, from: data) != nil, tapeReadsIt, json, file: file, line: line)
        }
    }

    func testOrdinaryValuesAreReadByTheTapeAsJSONDecoderReadsThem() {
        let base = #""id": "7", "count": 3, "flag": true, "urls": []"#
        let readable = [
            "{\(base)}",
            #"{"title": null, "studio": null, "galleries": null, "custom_fields": null, "big": null, \#(base)}"#,
            #"{"id": "caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n\t\r\b\f", "count": -0, "flag": false, "urls": ["ü", "日本", ""]}"#,
            #"{"id": "x", "count": 9223372036854775807, "big": -9223372036854775808, "flag": true, "urls": []}"#,
            #" { "id" : "x" ,"count":1,"flag":true,"urls":[ "a" , "b" ] , "unknown": {"deep": [1, 2.5, {"x": null}]}} "#,
            #"{\#(base), "studio": {"id": "2", "name": "Ström"}, "galleries": [{"id": "3", "title": null}, {"id": "4"}]}"#,
            #"{\#(base), "custom_fields": {"a": "x", "b": 12, "c": true, "d": null, "e": [1]}}"#,
            #"{\#(base), "nested": [[1, 2], [], [3]], "by_name": {"a": 1, "ä": 2}}"#,
            "{\"id\": \"raw \u{00E9}\u{1F600}\", \"count\": 0, \"flag\": true, \"urls\": []}",
        ]
        for json in readable { assertAlike(Sample.self, json, tapeReadsIt: true) }
    }

    func testWhatTheTapeCannotVouchForGoesToJSONDecoder() {
        let base = #""id": "7", "flag": true, "urls": []"#
        let leftToJSONDecoder = [
            #"{"count": 1.0, \#(base)}"#, // a fraction where a whole number is wanted
            #"{"count": 1e2, \#(base)}"#,
            #"{"count": 9223372036854775808, \#(base)}"#, // does not fit
            #"{"count": 1, "rating": 4.5, \#(base)}"#, // floating point is JSONDecoder's
            #"{"count": 1, \#(base), "custom_fields": {"f": 1.5}}"#, // caught by `try?` inside the type
            #"{"count": 1, "count": 2, \#(base)}"#, // a repeated key
            #"{"count": 1, \#(base), "title": "\ud800"}"#, // a lone surrogate
            #"{"count": "1", \#(base)}"#, // wrong types, missing keys, nulls where values are needed
            #"{\#(base)}"#,
            #"{"count": null, \#(base)}"#,
            #"{"count": 1, "id": 7, "flag": true, "urls": []}"#,
            #"{"count": 1, "id": "7", "flag": 1, "urls": []}"#,
            #"{"count": 1, "id": "7", "flag": true, "urls": [null]}"#,
            #"{"count": 1, \#(base), "studio": {"id": "2"}}"#,
            #"{"count": 1, \#(base)} trailing"#, // not JSON
            #"{"count": 01, \#(base)}"#,
            #"{"count": 1, \#(base),}"#,
            #"[1, 2]"#,
            "",
        ]
        for json in leftToJSONDecoder { assertAlike(Sample.self, json, tapeReadsIt: false) }
        // Bytes that are not UTF-8.
        var invalid = Data(#"{"count": 1, "flag": true, "urls": [], "id": ""#.utf8)
        invalid.append(contentsOf: [0xC3, 0x28])
        invalid.append(contentsOf: Data(#""}"#.utf8))
        XCTAssertNil(TapeDecoder.decodeWithoutFallback(Sample.self, from: invalid))
        XCTAssertEqual(
            String(describing: Result { try JSONDecoder().decode(Sample.self, from: invalid) }),
            String(describing: Result { try TapeDecoder.decode(Sample.self, from: invalid, fallback: JSONDecoder()) }))
    }

    /// The summary finds' real answers (nulls, escapes, non-ASCII text, custom fields) are read by
    /// the tape, and give what JSONDecoder gives.
    func testTheServersFindPagesAreReadAlike() async throws {
        let ids = server.seed(paths: Fixture.all + ["/data/fansly/Ström ☃/Timeline/Videos/ü \"q\".mp4"])
        server.modify { state in
            state.performers[1] = TestPerformer(id: 1, name: "Ember \"E\" Wilde")
            state.studios[1] = TestStudio(id: 1, name: "Stüdio\\1")
            for (index, id) in ids.values.sorted().enumerated() {
                state.scenes[id]?.title = ["", "Line\nbreak\ttab", "日本語 😀", "\u{0001}ctrl"][index % 4]
                state.scenes[id]?.date = index.isMultiple(of: 2) ? "2024-01-0\(index % 9 + 1)" : nil
                state.scenes[id]?.studioId = index.isMultiple(of: 3) ? 1 : nil
                state.scenes[id]?.performerIds = index.isMultiple(of: 2) ? [1] : []
                state.scenes[id]?.urls = index.isMultiple(of: 2) ? ["https://fansly.com/post/\(index)?a=1&b=\\"] : []
                state.scenes[id]?.customFields = ["n": "\(index)", "ä": "ö"]
                state.images[id]?.code = index.isMultiple(of: 2) ? "c\(id)" : ""
                state.images[id]?.organized = index.isMultiple(of: 3)
            }
        }
        for document in [StashDocuments.findSceneSummaries, StashDocuments.findImageSummaries] {
            let answer = try await post(document, ["filter": ["per_page": -1, "sort": "id"]])
            let expected = try JSONDecoder().decode(Answer<MediaSummary>.self, from: answer)
            let read = try XCTUnwrap(TapeDecoder.decodeWithoutFallback(Answer<MediaSummary>.self, from: answer))
            XCTAssertEqual(read, expected)
            XCTAssertGreaterThan(read.items.count, 3)
        }
        // Through the client: the same summaries as the full models.
        let summaries = try await client().findSummaries(.scenes, filter: nil, page: 1, perPage: 100)
        let scenes = try await client().findScenes(filter: nil, page: 1, perPage: 100, sort: "path")
        XCTAssertEqual(
            Set(summaries.items.map { [$0.id, $0.title ?? "", $0.paths.joined()] }),
            Set(scenes.items.map { [$0.id, $0.title ?? "", $0.files.map(\.path).joined()] }))
    }

    private func post(_ query: String, _ variables: [String: Any]) async throws -> Data {
        var request = URLRequest(url: server.baseURL.appendingPathComponent("graphql"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(Self.key, forHTTPHeaderField: "ApiKey")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["query": query, "variables": variables])
        let (data, _) = try await URLSession.shared.data(for: request)
        return data
    }
}

/// `{"data": {"<find>": {"count": …, "<list>": […]}}}` with one find.
struct Answer<Item: Decodable & Hashable>: Decodable, Hashable {
    var count: Int
    var items: [Item]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let data = try decoder.container(keyedBy: Key.self).nestedContainer(
            keyedBy: Key.self, forKey: Key(stringValue: "data"))
        guard let find = data.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no find"))
        }
        let page = try data.nestedContainer(keyedBy: Key.self, forKey: find)
        count = try page.decode(Int.self, forKey: Key(stringValue: "count"))
        guard let list = page.allKeys.first(where: { $0.stringValue != "count" }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no list"))
        }
        items = try page.decode([Item].self, forKey: list)
    }
}
