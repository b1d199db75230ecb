import MappingRules
import XCTest

@testable import SyncEngine

/// `AddressIndex` finds what `[EntityAddress: Int]` finds: every address, the first of repeated
/// ones, nothing for others, and keys Swift holds equal by canonical equivalence.
final class AddressIndexTests: XCTestCase {
    private func entity(_ kind: EntityKind, _ key: String) -> DesiredEntity {
        DesiredEntity(address: EntityAddress(kind: kind, key: key), fields: [])
    }

    private func dictionary(_ entities: [DesiredEntity]) -> [EntityAddress: Int] {
        var positions: [EntityAddress: Int] = [:]
        for index in entities.indices where positions[entities[index].address] == nil {
            positions[entities[index].address] = index
        }
        return positions
    }

    func testFindsWhatADictionaryFinds() {
        var entities: [DesiredEntity] = []
        for index in 0..<5_000 {
            let kind = EntityKind.allCases[index % EntityKind.allCases.count]
            // Short keys (stored inline) and long ones, the lengths around eight bytes.
            entities.append(entity(kind, index % 3 == 0 ? "k\(index)" : "media.48427214202470\(index)"))
        }
        entities += entities.prefix(50) // repeated: the first keeps its position
        entities += [
            entity(.tag, "café"), entity(.tag, "cafe\u{301}"), entity(.tag, "日本"), entity(.tag, ""),
            entity(.studio, "\u{212A}elvin"), entity(.studio, "Kelvin"), entity(.tag, "a\u{37E}"), entity(.tag, "a;"),
            entity(.performer, "\u{1FEF}x"),
        ]
        let index = AddressIndex(entities)
        let expected = dictionary(entities)
        var queries = entities.map(\.address)
        queries += [
            EntityAddress(kind: .tag, key: "cafe\u{301}"), EntityAddress(kind: .tag, key: "café"),
            EntityAddress(kind: .studio, key: "Kelvin"), EntityAddress(kind: .studio, key: "\u{212A}elvin"),
            EntityAddress(kind: .performer, key: "`x"), EntityAddress(kind: .tag, key: "a;"),
            EntityAddress(kind: .gallery, key: "k0"), EntityAddress(kind: .tag, key: "missing"),
            EntityAddress(kind: .tag, key: "media.484272142024709999"), EntityAddress(kind: .image, key: ""),
        ]
        for query in queries {
            XCTAssertEqual(index[query], expected[query], "\(query)")
        }
        XCTAssertEqual(
            index[EntityAddress(kind: .studio, key: "Kelvin")], entities.count - 5,
            "the Kelvin sign's entity comes first")
    }

    func testAnEmptyIndexFindsNothing() {
        XCTAssertNil(AddressIndex([])[EntityAddress(kind: .tag, key: "a")])
    }
}
