import MappingRules
import StashClient

/// What the plan reads of one kind of Stash object, derived from `StashFieldCatalog`: every field
/// with an `output` is selected and read back under its catalog name. Built once per kind; the
/// decoder walks `slots` in order, so reading an object costs no look-up by field name.
struct SnapshotSelection: Sendable {
    /// One catalog field as it is read.
    struct Slot: Sendable {
        /// The catalog's (Stash input) name, under which the snapshot keeps the value.
        let name: String
        let type: StashValueType
        /// Stash's output field.
        let key: SnapshotKey
        /// References to galleries and scenes are labelled by their title, others by their name.
        let titled: Bool
    }

    /// What besides the catalog's fields an object's read needs: the paths its files are matched by.
    enum Extra: Sendable {
        case none
        /// A scene's `files`.
        case files
        /// An image's `visual_files` (image and video files).
        case visualFiles
        /// A gallery's zip `files`, its `folder`, and its chapters (with the chapter selection).
        case galleryPathsAndChapters
    }

    let kind: EntityKind
    let slots: [Slot]
    let extra: Extra
    /// The GraphQL selection after `id`. Fields a later Stash added (`since`) are left to the client,
    /// which selects them where the connected server has them (`StashCapabilities`), as it does
    /// `custom_fields`.
    let selection: String
    /// The slot of `organized`, which is also the object's organized flag (`respectOrganized`).
    let organizedSlot: Int?
    /// For chapters: the field naming the gallery they are read with.
    let parentField: String?
    /// The keys `SnapshotPageReader` reads.
    let keys: Keys

    init(kind: EntityKind, extra: Extra) {
        self.kind = kind
        self.extra = extra
        var slots: [Slot] = []
        var selected: [String] = []
        for field in StashFieldCatalog.fields(of: kind) {
            guard let output = field.output else { continue }
            let titled: Bool
            switch field.type {
            case .reference(let target), .references(let target):
                titled = [.gallery, .scene, .image, .chapter].contains(target)
                if field.since == nil { selected.append("\(output) { id \(titled ? "title" : "name") }") }
            default:
                titled = false
                if field.since == nil { selected.append(output) }
            }
            slots.append(Slot(name: field.name, type: field.type, key: SnapshotKey(output), titled: titled))
        }
        switch extra {
        case .none: break
        case .files: selected.append("files { path }")
        case .visualFiles: selected.append("visual_files { ... on ImageFile { path } ... on VideoFile { path } }")
        case .galleryPathsAndChapters:
            selected.append("files { path } folder { path }")
            selected.append("chapters { id \(SnapshotSelection.chapter.selection) }")
        }
        self.slots = slots
        keys = Keys(slots, extra: extra)
        selection = selected.joined(separator: " ")
        organizedSlot = slots.firstIndex { $0.name == "organized" }
        parentField =
            kind == .chapter
            ? StashFieldCatalog.fields(of: kind).first { $0.type == .reference(.gallery) }?.name : nil
    }

    static let performer = SnapshotSelection(kind: .performer, extra: .none)
    static let studio = SnapshotSelection(kind: .studio, extra: .none)
    static let tag = SnapshotSelection(kind: .tag, extra: .none)
    static let gallery = SnapshotSelection(kind: .gallery, extra: .galleryPathsAndChapters)
    static let chapter = SnapshotSelection(kind: .chapter, extra: .none)
    static let scene = SnapshotSelection(kind: .scene, extra: .files)
    static let image = SnapshotSelection(kind: .image, extra: .visualFiles)
}

/// A key of Stash's JSON, made once per catalog field rather than per object.
struct SnapshotKey: CodingKey, Sendable {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    static let id = SnapshotKey("id")
    static let customFields = SnapshotKey("custom_fields")
    static let files = SnapshotKey("files")
    static let visualFiles = SnapshotKey("visual_files")
    static let folder = SnapshotKey("folder")
    static let chapters = SnapshotKey("chapters")
}

/// A kind of Stash object as the plan reads it (the type `SnapshotRecord` decodes by).
protocol SnapshotKind: Sendable, Hashable {
    static var selection: SnapshotSelection { get }
}

enum PerformerSnapshot: SnapshotKind { static let selection = SnapshotSelection.performer }
enum StudioSnapshot: SnapshotKind { static let selection = SnapshotSelection.studio }
enum TagSnapshot: SnapshotKind { static let selection = SnapshotSelection.tag }
enum GallerySnapshot: SnapshotKind { static let selection = SnapshotSelection.gallery }
/// Read within its gallery.
enum ChapterSnapshot: SnapshotKind { static let selection = SnapshotSelection.chapter }
enum SceneSnapshot: SnapshotKind { static let selection = SnapshotSelection.scene }
enum ImageSnapshot: SnapshotKind { static let selection = SnapshotSelection.image }

/// The finds the plan reads Stash with, built once.
enum SnapshotFinds {
    static let performers = find(PerformerSnapshot.self, .performer)
    static let studios = find(StudioSnapshot.self, .studio)
    static let tags = find(TagSnapshot.self, .tag)
    static let galleries = find(GallerySnapshot.self, .gallery)
    static let scenes = find(SceneSnapshot.self, .scene)
    static let images = find(ImageSnapshot.self, .image)

    /// Every find, for checks of their documents against Stash's schemas.
    static var all: [(name: String, document: String)] {
        [
            ("performers", performers.document), ("studios", studios.document), ("tags", tags.document),
            ("galleries", galleries.document), ("scenes", scenes.document), ("images", images.document),
        ]
    }

    private static func find<Kind: SnapshotKind>(_ kind: Kind.Type, _ type: StashObjectType)
        -> SelectedFind<SnapshotRecord<Kind>>
    {
        SelectedFind(type, selection: Kind.selection.selection) { response, field, listKey in
            SnapshotPageReader.page(response, field: field, listKey: listKey)
        }
    }
}
