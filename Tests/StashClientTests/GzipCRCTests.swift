import Foundation
import XCTest

@testable import StashTestServer

/// The test server's gzip trailer: its CRC-32 (eight bytes a step) is the byte-at-a-time one.
final class GzipCRCTests: XCTestCase {
    /// CRC-32 one bit at a time, straight from the polynomial.
    private static func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    func testTheCRCIsTheStandardOneForEveryLengthAndTail() {
        XCTAssertEqual(Gzip.crc32(Array("123456789".utf8)), 0xCBF4_3926, "the CRC-32 check value")
        XCTAssertEqual(Gzip.crc32([]), 0)
        var generator = SystemRandomNumberGenerator()
        for length in Array(0..<40) + [1_000, 65_536, 65_541] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            XCTAssertEqual(Gzip.crc32(bytes), Self.bitwise(bytes), "\(length) bytes")
        }
    }
}
