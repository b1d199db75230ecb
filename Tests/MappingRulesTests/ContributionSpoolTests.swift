import FanslyMetadata
import Foundation
import XCTest

@testable import MappingRules

/// The grouped evaluation's spool gives back exactly what was written, in order: every kind of
/// value and match key, absent and present optionals, text that is not ASCII, strings written
/// once and then by number, and records that straddle (or exceed) the file's read chunks.
final class ContributionSpoolTests: XCTestCase {
    private func entity(_ number: Int, details: String = "") -> DesiredEntity {
        DesiredEntity(
            address: Addresses.scene(FanslyID(1_000 + number)),
            fields: [
                DesiredField(name: "title", value: .string("Ünïcode title \(number) – 🎬"), strategy: .overwrite),
                DesiredField(name: "details", value: .string(details)),
                DesiredField(name: "date", value: .date("2024-01-\(10 + number % 20)")),
                DesiredField(name: "rating100", value: .int(-number)),
                DesiredField(name: "organized", value: .bool(number % 2 == 0), strategy: .ignore),
                DesiredField(name: "urls", value: .strings(["https://fansly.com/post/\(number)", ""])),
                DesiredField(name: "studio_id", value: .reference(Addresses.studio("creator\(number % 3)"))),
                DesiredField(
                    name: "tag_ids",
                    value: .refs([
                        StashRef(address: Addresses.tag("latex")), StashRef(id: "42", label: "Existing"),
                        StashRef(address: Addresses.gallery("post", FanslyID(number)), label: "a gallery"),
                    ])),
                DesiredField(name: "gallery_ids", value: .references([Addresses.gallery("post", FanslyID(number))])),
                DesiredField(name: "cleared", value: .null),
                DesiredField(name: "image", value: .ref(StashRef())),
            ],
            match: [
                .fileMediaId(FanslyID.max - FanslyID(number)), .name("Luna", disambiguation: nil),
                .name("Luna", disambiguation: "luna2"), .url("https://x"), .code("C\(number)"), .stashIdHint("77"),
            ],
            createMissing: number % 2 == 1, respectOrganized: number % 3 == 0,
            creator: number % 4 == 0 ? nil : "creator\(number % 3)",
            files: [
                ExpectedFile(
                    fileMediaId: FanslyID(number), isPreview: number % 2 == 0,
                    basename: number % 5 == 0 ? nil : "2024-01-01_id_\(number).mp4",
                    folders: ["/data/creator\(number % 3)_fansly", "/data/creator\(number % 3)"])
            ],
            source: "post \(number), media 1/3")
    }

    func testWhatIsWrittenIsReadBackInOrder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let spool = try ContributionSpool(directory: folder)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder.path), [],
            "the file is removed once open: nothing is left behind, whatever happens to the run")
        var written: [(DesiredEntity, Rank)] = []
        for number in 0..<3_000 {
            // A few records larger than the chunk the spool reads at a time.
            let details = number % 1_000 == 7 ? String(repeating: "é", count: 1_500_000) : "text \(number)"
            let rank = Rank(tier: number % 7 == 0 ? Int.max : number - 3, time: Double(number) / 3, id: -Int64(number))
            written.append((entity(number, details: details), rank))
            spool.append(written[number].0, rank: rank)
            if number % 100 == 99 { spool.finish(creator: number / 100) }
        }
        spool.append(entity(1, details: ""), rank: Rank(tier: 1, time: .infinity, id: .min))
        written.append((entity(1, details: ""), Rank(tier: 1, time: .infinity, id: .min)))
        try spool.check()

        var read: [(DesiredEntity, Rank)] = []
        var finished: [Int] = []
        try spool.replay { event in
            switch event {
            case .contribution(let entity, let rank):
                read.append((entity, rank))
            case .finished(let creator):
                finished.append(creator)
                XCTAssertEqual(
                    read.count, (creator + 1) * 100, "the end of creator \(creator) comes after its entities")
            }
        }
        XCTAssertEqual(finished, Array(0..<30))
        XCTAssertEqual(read.count, written.count)
        for (index, (entity, rank)) in read.enumerated() {
            XCTAssertEqual(entity, written[index].0, "entity \(index)")
            XCTAssertEqual(rank, written[index].1, "rank \(index)")
        }
    }

    func testAnEmptySpoolReplaysNothing() throws {
        let spool = try ContributionSpool()
        try spool.replay { _ in XCTFail("nothing was written") }
    }

    /// The spool's file is nameless, but the process can still reach it through /proc: a record
    /// changed there after it was written is refused with what happened, not decoded as garbage.
    func testASpoolChangedUnderTheRunIsRefused() throws {
        let spool = try ContributionSpool()
        // Past the first write chunk (1 MB), so that the first records are in the file.
        for creator in 0..<300_000 { spool.finish(creator: creator) }
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        let spoolFile = try XCTUnwrap(
            descriptors.lazy.map { "/proc/self/fd/\($0)" }.first { link in
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) ?? ""
                return target.contains("/fansly-stash-groups-") && target.hasSuffix(" (deleted)")
            }, "the spool holds a nameless file")
        let writer = try XCTUnwrap(FileHandle(forWritingAtPath: spoolFile))
        try writer.seek(toOffset: 4) // the first record's kind, after its length
        try writer.write(contentsOf: Data([9]))
        try writer.close()
        XCTAssertThrowsError(try spool.replay { _ in }) { error in
            XCTAssertEqual("\(error)", "the grouped evaluation's temporary file was changed while it was read")
        }
    }

    func testASpoolInAFolderThatCannotBeWrittenSaysWhere() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString)")
        XCTAssertThrowsError(try ContributionSpool(directory: folder)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(folder.path), text)
            XCTAssertTrue(text.contains("TMPDIR"), text)
        }
    }
}
