import Foundation
import GraphQL
import OrderedCollections

/// Writes GraphQL results as JSON directly from `Map`, without the Encodable/JSONSerialization
/// round trip that dominated the server's time on large finds.
struct JSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    mutating func write(_ map: Map) {
        switch map {
        case .undefined, .null: append("null")
        case .bool(let value): append(value ? "true" : "false")
        case .number(let number):
            switch number.storageType {
            case .bool: append(number.boolValue ? "true" : "false")
            case .int: append(String(number.intValue))
            default:
                let value = number.doubleValue
                append(
                    value.isFinite
                        ? (value == value.rounded() && abs(value) < 1e15
                            ? String(format: "%.1f", value) : String(value)) : "null")
            }
        case .string(let text): write(text)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let entries):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in entries where !value.isUndefined {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                write(key)
                bytes.append(UInt8(ascii: ":"))
                write(value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    mutating func write(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings (paths, names) need no escape: copied whole, not byte by byte.
        let plain = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
        if plain == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20: append(String(format: "\\u%04x", byte))
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func append(_ raw: String) { bytes.append(contentsOf: raw.utf8) }
}
