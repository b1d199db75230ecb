import FanslyMetadata
import Foundation
import MappingRules

/// Chapters: whether Stash will take a chapter where its gallery's images put it.
extension PlanBuilder {
    /// Why a chapter cannot be written, as apply would find it (Stash refuses a chapter whose
    /// `image_index` lies beyond its gallery's images); nil when it can.
    func chapterOutOfRange(_ entity: DesiredEntity, _ fields: [FieldChange]) -> String? {
        guard fields.contains(where: { $0.field == "gallery_id" }),
            case .int(let imageIndex)? = fields.first(where: { $0.field == "image_index" })?.after,
            case .ref(let galleryRef)? = Self.value(of: "gallery_id", in: entity.fields),
            let galleryAddress = galleryRef.address, let gallery = position[galleryAddress]
        else { return nil }
        let (count, onlyNonePreviews) = expectedImageCount(gallery: gallery)
        guard imageIndex > count else { return nil }
        if count == 0 && onlyNonePreviews {
            return "its gallery has no images in Stash: its only files are unscanned .None previews"
        }
        return
            "its gallery would hold \(count) image\(count == 1 ? "" : "s") in Stash, so a chapter cannot start at image \(imageIndex); "
            + "scan the missing files, then plan again"
    }

    /// How many images the gallery at `gallery` holds once applied: those Stash has, plus the
    /// desired ones Stash holds (offline: every one whose file Stash could scan); and whether every
    /// desired image is a `.None` preview Stash never scans.
    private func expectedImageCount(gallery: Int) -> (count: Int, onlyNonePreviews: Bool) {
        if let known = imageCounts[gallery] { return known }
        var ids = Set<String>()
        if case .existing(let id)? = resolutions[gallery],
            case .refs(let refs)? = snapshot.object(.gallery, id: id)?.fields["image_ids"]
        {
            for ref in refs { if let id = ref.id { ids.insert(id) } }
        }
        var images: [Int] = []
        if case .refs(let refs)? = Self.value(of: "image_ids", in: at(gallery).pointee.fields) {
            images = refs.compactMap { $0.address.flatMap { position[$0] } }
        }
        // The same image is usually named by both sides (the gallery's image_ids, its own gallery_ids).
        let members = members(ofGallery: gallery)
        if images.isEmpty {
            images = members
        } else if !members.isEmpty {
            var seen = Set(images)
            for image in members where seen.insert(image).inserted { images.append(image) }
        }
        var possible = 0
        var onlyNonePreviews = !images.isEmpty
        for image in images {
            if case .existing(let id)? = resolutions[image] { ids.insert(id) }
            if mediaStates[image] == .unmatchedOffline { possible += 1 }
            if mediaStates[image] != .unmatchedNonePreview { onlyNonePreviews = false }
        }
        let result = (ids.count + possible, onlyNonePreviews)
        imageCounts[gallery] = result
        return result
    }

    func members(ofGallery gallery: Int) -> [Int] {
        if galleryMembers == nil {
            var members: [Int: [Int]] = [:]
            for index in items.indices where at(index).pointee.address.kind == .image {
                guard case .refs(let galleries)? = Self.value(of: "gallery_ids", in: at(index).pointee.fields) else {
                    continue
                }
                for case let address? in galleries.lazy.map(\.address) {
                    if let owner = position[address] { members[owner, default: []].append(index) }
                }
            }
            galleryMembers = members
        }
        return galleryMembers?[gallery] ?? []
    }
}
