import Foundation

/// A gzip encoder using deflate's "stored" blocks: valid gzip any client must decode, without a
/// compression library. The test server uses it so that clients are tested against compressed
/// answers, as a real Stash sends them when asked; it does not make answers smaller.
enum Gzip {
    static func encode(_ data: Data) -> Data {
        var out = Data([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff])
        let bytes = [UInt8](data)
        var offset = 0
        repeat {
            let count = min(65_535, bytes.count - offset)
            let isLast = offset + count >= bytes.count
            out.append(isLast ? 0x01 : 0x00)
            out.append(UInt8(count & 0xff)); out.append(UInt8(count >> 8))
            out.append(UInt8(~count & 0xff)); out.append(UInt8((~count >> 8) & 0xff))
            out.append(contentsOf: bytes[offset..<offset + count])
            offset += count
        } while offset < bytes.count
        appendLittleEndian(crc32(bytes), to: &out)
        appendLittleEndian(UInt32(truncatingIfNeeded: bytes.count), to: &out)
        return out
    }

    private static func appendLittleEndian(_ value: UInt32, to data: inout Data) {
        for shift in stride(from: 0, to: 32, by: 8) { data.append(UInt8((value >> UInt32(shift)) & 0xff)) }
    }

    /// Eight tables of 256 (slicing by 8: eight bytes a step), the first the classic byte table.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
            tables[index] = value
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(slice - 1) * 256 + index]
                tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xff)]
            }
        }
        return tables
    }()

    /// CRC-32 (IEEE), eight bytes a step: the byte-at-a-time loop was a twentieth of the test
    /// server's time writing the large plan's find pages.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        tables.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { input in
                var crc: UInt32 = 0xFFFF_FFFF
                var index = 0
                while index + 8 <= input.count {
                    let low =
                        crc
                        ^ (UInt32(input[index]) | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2]) << 16
                            | UInt32(input[index + 3]) << 24)
                    let high =
                        UInt32(input[index + 4]) | UInt32(input[index + 5]) << 8 | UInt32(input[index + 6]) << 16
                        | UInt32(input[index + 7]) << 24
                    crc =
                        table[7 * 256 + Int(low & 0xff)] ^ table[6 * 256 + Int((low >> 8) & 0xff)]
                        ^ table[5 * 256 + Int((low >> 16) & 0xff)] ^ table[4 * 256 + Int(low >> 24)]
                        ^ table[3 * 256 + Int(high & 0xff)] ^ table[2 * 256 + Int((high >> 8) & 0xff)]
                        ^ table[256 + Int((high >> 16) & 0xff)] ^ table[Int(high >> 24)]
                    index += 8
                }
                while index < input.count {
                    crc = table[Int((crc ^ UInt32(input[index])) & 0xff)] ^ (crc >> 8)
                    index += 1
                }
                return crc ^ 0xFFFF_FFFF
            }
        }
    }
}
