import GRDB
import XCTest

@testable import FanslyMetadata

final class TimestampTests: XCTestCase {
    private func date(_ value: DatabaseValueConvertible?) throws -> TimeInterval? {
        try Timestamp.date(value?.databaseValue ?? .null, table: "posts", rowId: "1", column: "createdAt")?
            .timeIntervalSince1970
    }

    func testStoredFormatAndToleratedVariants() throws {
        // The reference's example: API seconds 1735814908 are stored as '2025-01-02 10:48:28.000000'.
        XCTAssertEqual(try date("2025-01-02 10:48:28.000000"), 1_735_814_908)
        XCTAssertEqual(try date("2025-01-02 10:48:28"), 1_735_814_908)
        XCTAssertEqual(try date("2025-01-02T10:48:28Z"), 1_735_814_908)
        XCTAssertEqual(try date("2025-01-02 10:48"), 1_735_814_880)
        XCTAssertEqual(try date("2025-01-02"), 1_735_776_000)
        XCTAssertEqual(try XCTUnwrap(date("2025-01-02 10:48:28.250000")), 1_735_814_908.25, accuracy: 1e-6)
        XCTAssertEqual(try date("2025-01-02 11:48:28+01:00"), 1_735_814_908)
        XCTAssertEqual(try date("2025-01-02 09:48:28-0100"), 1_735_814_908)
        XCTAssertEqual(try date(1_735_814_908), 1_735_814_908)
        XCTAssertEqual(try date(Int64(1_735_814_908_000)), 1_735_814_908, "above 1e10: milliseconds")
        XCTAssertEqual(try date(1_735_814_908.5), 1_735_814_908.5)
        XCTAssertEqual(try date("1735814908"), 1_735_814_908)
        XCTAssertEqual(try date("1970-01-01 00:00:00"), 0)
        XCTAssertEqual(try date("1969-12-31 23:59:59"), -1)
        XCTAssertEqual(try date("2024-02-29 00:00:00"), 1_709_164_800)
        XCTAssertNil(try date(nil))
    }

    func testMalformedValuesAreReported() {
        for text in [
            "yesterday", "2025-13-01 00:00:00", "2025-01-02 25:00:00", "2025-01-02 10:48:28.",
            "2025-01-02 10:48:28 UTC", "", "2025/01/02",
        ] {
            XCTAssertThrowsError(try date(text), text) { error in
                XCTAssertEqual(
                    error as? MetadataError,
                    .malformedValue(
                        table: "posts", rowId: "1", column: "createdAt",
                        value: "'\(text)'", expected: Timestamp.expected))
            }
        }
        XCTAssertThrowsError(try date(Data([0xFF])))
    }
}
