import XCTest

@testable import MappingRules

/// The state lists entities in address order; its sort key must order exactly like `EntityAddress`.
final class StateOrderTests: XCTestCase {
    func testSortKeyOrdersLikeAddresses() {
        let keys = [
            "media.484272142024704403", "media.48427214202470440", "media.4842721420247044030", "media.5",
            "media.484272142024704403.extra", "media.484272142024704402.extra", "post.1", "post.10", "post.9",
            "latex-model", "latex", "latex-model-2", "日本", "日本語", "zebra", "Zebra", "émile", "e\u{301}mile",
            "account.emberwilde42", "account.emberwilde42.alice", "account.emberwilde4", "", "a\u{0}b", "a",
            "wall.1.post.123456789012345678901234567890", "wall.1.post.123456789012345678901234567891",
        ]
        var addresses: [EntityAddress] = []
        for kind in EntityKind.allCases { for key in keys { addresses.append(EntityAddress(kind: kind, key: key)) } }
        // Several shuffles: the order must not depend on the input order.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let shuffled = addresses.shuffled(using: &generator)
            XCTAssertEqual(shuffled.map { StateBuilder.SortKey($0) }.sorted().map(\.address), shuffled.sorted())
        }
    }

    func testStateListsEntitiesInAddressOrder() {
        let builder = StateBuilder(tracing: false)
        let addresses = (0..<300).map {
            EntityAddress(kind: [.scene, .tag, .image][$0 % 3], key: "media.\(($0 * 7919) % 1000)")
        }
        for address in addresses { builder.add(DesiredEntity(address: address, fields: []), rank: .account) }
        XCTAssertEqual(builder.state().entities.map(\.address), Array(Set(addresses)).sorted())
    }
}
