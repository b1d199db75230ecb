import FanslyMetadata
import Foundation
import MappingRules

@testable import SyncEngine

/// A small desired state built by hand, shaped like the default rules' output for one creator.
enum PlanFixtures {
    static let folder = "/data/EmberWilde42_fansly"

    static func address(_ text: String) -> EntityAddress { EntityAddress(text)! }

    static var desired: DesiredState {
        let network = DesiredEntity(
            address: address("studio.fansly-network"),
            fields: [DesiredField(name: "name", value: .string("Fansly (network)"))],
            match: [.name("Fansly (network)", disambiguation: nil)])
        let studio = DesiredEntity(
            address: address("studio.account.emberwilde42"),
            fields: [
                DesiredField(name: "name", value: .string("emberwilde42 (Fansly)")),
                DesiredField(name: "parent_id", value: .reference(address("studio.fansly-network"))),
                DesiredField(name: "urls", value: .strings(["https://fansly.com/emberwilde42"])),
            ],
            match: [.name("emberwilde42 (Fansly)", disambiguation: nil), .url("https://fansly.com/emberwilde42")],
            creator: "emberwilde42")
        let performer = DesiredEntity(
            address: address("performer.account.emberwilde42"),
            fields: [
                DesiredField(name: "name", value: .string("Ember Wilde")),
                DesiredField(name: "alias_list", value: .strings(["emberwilde42"])),
                DesiredField(name: "details", value: .string("Latex and more")),
                DesiredField(name: "urls", value: .strings(["https://fansly.com/emberwilde42/posts"])),
            ],
            match: [
                .name("Ember Wilde", disambiguation: nil), .name("emberwilde42", disambiguation: nil),
                .url("https://fansly.com/emberwilde42/posts"),
            ],
            creator: "emberwilde42")
        let tag = DesiredEntity(
            address: address("tag.latex"), fields: [DesiredField(name: "name", value: .string("latex"))],
            match: [.name("latex", disambiguation: nil)])
        let gallery = DesiredEntity(
            address: address("gallery.post.537124881301504299"),
            fields: [
                DesiredField(name: "title", value: .string("Shiny new outfit")),
                DesiredField(name: "code", value: .string("537124881301504299")),
                DesiredField(name: "date", value: .date("2023-07-17")),
                DesiredField(name: "studio_id", value: .reference(address("studio.account.emberwilde42"))),
                DesiredField(name: "performer_ids", value: .references([address("performer.account.emberwilde42")])),
                DesiredField(name: "tag_ids", value: .references([address("tag.latex")])),
                DesiredField(name: "organized", value: .bool(true), strategy: .overwrite),
            ],
            match: [.code("537124881301504299"), .url("https://fansly.com/post/537124881301504299")],
            creator: "emberwilde42", source: "post 537124881301504299")
        func media(
            _ kind: EntityKind, _ id: FanslyID, fileId: FanslyID, basename: String, preview: Bool = false, title: String
        ) -> DesiredEntity {
            DesiredEntity(
                address: EntityAddress(kind: kind, key: "media.\(id)"),
                fields: [
                    DesiredField(name: "title", value: .string(title)),
                    DesiredField(name: "code", value: .string(String(id))),
                    DesiredField(name: "date", value: .date("2023-07-17")),
                    DesiredField(name: "studio_id", value: .reference(address("studio.account.emberwilde42"))),
                    DesiredField(
                        name: "performer_ids", value: .references([address("performer.account.emberwilde42")])),
                    DesiredField(name: "tag_ids", value: .references([address("tag.latex")])),
                ]
                    + (kind == .image
                        ? [
                            DesiredField(
                                name: "gallery_ids",
                                value: .references([address("gallery.post.537124881301504299")]))
                        ] : []),
                match: [.fileMediaId(fileId)], createMissing: false, creator: "emberwilde42",
                files: [
                    ExpectedFile(
                        fileMediaId: fileId, isPreview: preview, basename: basename,
                        folders: [folder + (kind == .image ? "/Timeline/Pictures" : "/Timeline/Videos")])
                ],
                source: "post 537124881301504299")
        }
        return DesiredState(
            entities: [
                tag, network, studio, performer, gallery,
                media(
                    .scene, 100, fileId: 101, basename: "2023-07-17_at_00-48_UTC_id_101.mp4",
                    title: "Shiny new outfit - 1/3"),
                media(
                    .image, 200, fileId: 200, basename: "2023-07-17_at_00-48_UTC_id_200.jpeg",
                    title: "Shiny new outfit - 2/3"),
                media(
                    .image, 300, fileId: 301, basename: "2023-07-17_at_00-48_UTC_preview_id_301.None", preview: true,
                    title: "Shiny new outfit - 3/3"),
            ].sorted { $0.address < $1.address }, creatorFolders: ["emberwilde42": [folder]])
    }

    static let inputs = PlanInputs(
        rulesHash: "sha256:abc", rulesFiles: [],
        database: DatabaseIdentity(path: "/tmp/metadata_db.sqlite3", alembicVersion: "06658bf47c03", fingerprint: "f1"),
        stashURL: "http://127.0.0.1:9999")

    /// The plan of `desired` against `scannedOnly`, made at a fixed time (a saved plan's bytes do not
    /// depend on when the test runs).
    static func scannedPlan() throws -> Plan {
        try Planner(desired: desired, snapshot: scannedOnly)
            .plan(inputs: inputs, tool: "fansly-stash 0.1.0", now: Date(timeIntervalSince1970: 1_700_000_000))
    }

    /// Stash after a scan only: the scene and the image files exist, nothing else.
    static var scannedOnly: StashSnapshot {
        StashSnapshot(
            objects: [
                StashObject(
                    kind: .scene, id: "11",
                    fields: ["title": .string(""), "code": .string(""), "organized": .bool(false)],
                    paths: [folder + "/Timeline/Videos/2023-07-17_at_00-48_UTC_id_101.mp4"]),
                StashObject(
                    kind: .image, id: "21", fields: ["title": .string(""), "organized": .bool(false)],
                    paths: [folder + "/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_200.jpeg"]),
            ], searchedFolders: ["emberwilde42": [folder]])
    }

    /// Stash after a full apply of `desired`: every field as the rules want it.
    static var applied: StashSnapshot {
        let studioRef = StashRef(id: "2", label: "emberwilde42 (Fansly)")
        let performerRef = StashRef(id: "3", label: "Ember Wilde")
        let tagRef = StashRef(id: "4", label: "latex")
        func mediaFields(_ title: String, code: String) -> [String: FieldValue] {
            [
                "title": .string(title), "code": .string(code), "date": .string("2023-07-17"),
                "studio_id": .ref(studioRef),
                "performer_ids": .refs([performerRef]), "tag_ids": .refs([tagRef]), "organized": .bool(false),
            ]
        }
        var image = mediaFields("Shiny new outfit - 2/3", code: "200")
        image["gallery_ids"] = .refs([StashRef(id: "5", label: "Shiny new outfit")])
        return StashSnapshot(
            objects: [
                StashObject(
                    kind: .studio, id: "1", fields: ["name": .string("Fansly (network)"), "aliases": .strings([])]),
                StashObject(
                    kind: .studio, id: "2",
                    fields: [
                        "name": .string("emberwilde42 (Fansly)"), "aliases": .strings([]),
                        "parent_id": .ref(StashRef(id: "1")), "urls": .strings(["https://fansly.com/emberwilde42"]),
                    ]),
                StashObject(
                    kind: .performer, id: "3",
                    fields: [
                        "name": .string("Ember Wilde"), "disambiguation": .string(""),
                        "alias_list": .strings(["emberwilde42"]), "details": .string("Latex and more"),
                        "urls": .strings(["https://fansly.com/emberwilde42/posts"]),
                    ]),
                StashObject(kind: .tag, id: "4", fields: ["name": .string("latex"), "aliases": .strings([])]),
                StashObject(
                    kind: .gallery, id: "5",
                    fields: [
                        "title": .string("Shiny new outfit"), "code": .string("537124881301504299"),
                        "date": .string("2023-07-17"), "studio_id": .ref(studioRef),
                        "performer_ids": .refs([performerRef]), "tag_ids": .refs([tagRef]),
                        "organized": .bool(true), "urls": .strings([]),
                    ], organized: true),
                StashObject(
                    kind: .scene, id: "11", fields: mediaFields("Shiny new outfit - 1/3", code: "100"),
                    paths: [folder + "/Timeline/Videos/2023-07-17_at_00-48_UTC_id_101.mp4"]),
                StashObject(
                    kind: .image, id: "21", fields: image,
                    paths: [folder + "/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_200.jpeg"]),
            ], searchedFolders: ["emberwilde42": [folder]])
    }
}

/// Links kept in a dictionary, as SyncState would keep them.
struct DictionaryLinks: SyncLinkReader {
    var links: [EntityAddress: SyncLink]
    func link(for address: EntityAddress) throws -> SyncLink? { links[address] }
    func allLinks() throws -> [EntityAddress: SyncLink] { links }
}
