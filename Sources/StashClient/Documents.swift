// The GraphQL documents the client sends. Values never go into these texts: they travel in
// `variables`. Aliased batches are assembled from a field name and an input type only.

/// Every GraphQL document the client sends, for tests that validate them against Stash's schema.
enum StashDocuments {
    static let performerFields = """
        fragment PerformerFields on Performer { id name disambiguation alias_list urls gender birthdate country \
        details favorite tags { id name } stash_ids { endpoint stash_id } }
        """
    static let studioFields = """
        fragment StudioFields on Studio { id name aliases urls parent_studio { id name } details favorite \
        tags { id name } stash_ids { endpoint stash_id } }
        """
    static let tagFields = """
        fragment TagFields on Tag { id name sort_name description aliases favorite ignore_auto_tag \
        parents { id name } children { id name } }
        """
    static let galleryFields = """
        fragment GalleryFields on Gallery { id title code details photographer date urls organized \
        studio { id name } performers { id name } tags { id name } scenes { id title } image_count \
        chapters { id title image_index } files { id path basename size } folder { id path } }
        """
    static let sceneFields = """
        fragment SceneFields on Scene { id title code details director date urls organized studio { id name } \
        performers { id name } tags { id name } galleries { id title } \
        files { id path basename size width height duration } }
        """
    static let imageFields = """
        fragment ImageFields on Image { id title code details photographer date urls organized studio { id name } \
        performers { id name } tags { id name } galleries { id title } \
        visual_files { ... on ImageFile { id path basename size width height } \
        ... on VideoFile { id path basename size width height duration } } }
        """

    static let findPerformers = """
        query FindPerformers($filter: FindFilterType, $performer_filter: PerformerFilterType, $ids: [ID!]) {
          findPerformers(filter: $filter, performer_filter: $performer_filter, ids: $ids) { count performers { ...PerformerFields } }
        }
        """ + "\n" + performerFields
    static let findStudios = """
        query FindStudios($filter: FindFilterType, $studio_filter: StudioFilterType, $ids: [ID!]) {
          findStudios(filter: $filter, studio_filter: $studio_filter, ids: $ids) { count studios { ...StudioFields } }
        }
        """ + "\n" + studioFields
    static let findTags = """
        query FindTags($filter: FindFilterType, $tag_filter: TagFilterType, $ids: [ID!]) {
          findTags(filter: $filter, tag_filter: $tag_filter, ids: $ids) { count tags { ...TagFields } }
        }
        """ + "\n" + tagFields
    static let findGalleries = """
        query FindGalleries($filter: FindFilterType, $gallery_filter: GalleryFilterType, $ids: [ID!]) {
          findGalleries(filter: $filter, gallery_filter: $gallery_filter, ids: $ids) { count galleries { ...GalleryFields } }
        }
        """ + "\n" + galleryFields
    static let findScenes = """
        query FindScenes($filter: FindFilterType, $scene_filter: SceneFilterType, $ids: [ID!]) {
          findScenes(filter: $filter, scene_filter: $scene_filter, ids: $ids) { count scenes { ...SceneFields } }
        }
        """ + "\n" + sceneFields
    static let findImages = """
        query FindImages($filter: FindFilterType, $image_filter: ImageFilterType, $ids: [ID!]) {
          findImages(filter: $filter, image_filter: $image_filter, ids: $ids) { count images { ...ImageFields } }
        }
        """ + "\n" + imageFields
    static let serverInfo =
        "query ServerInfo { version { version hash build_time } systemStatus { appSchema databaseSchema status } "
        + capabilityProbe + " }"

    /// `mutation Batch($i0: T!, …) { u0: field(input: $i0) sel … }` for `count` items.
    static func batch(field: String, inputType: String, selection: String, count: Int) -> String {
        var text = "mutation Batch_\(field)("
        text.reserveCapacity(64 + count * (inputType.count + field.count + selection.count + 30))
        for index in 0..<count {
            if index > 0 { text += ", " }
            text += "$i\(index): \(inputType)!"
        }
        text += ") {"
        for index in 0..<count {
            text += " u\(index): \(field)(input: $i\(index))"
            if !selection.isEmpty { text += " " + selection }
        }
        text += " }"
        return text
    }

    /// The fixed documents, by name.
    static var all: [(name: String, text: String)] {
        var documents: [(String, String)] = [
            ("FindPerformers", findPerformers), ("FindStudios", findStudios), ("FindTags", findTags),
            ("FindGalleries", findGalleries), ("FindScenes", findScenes), ("FindImages", findImages),
            ("FindSceneSummaries", findSceneSummaries), ("FindImageSummaries", findImageSummaries),
            ("ServerInfo", serverInfo), ("LibraryPaths", libraryPaths), ("PluginSettings", pluginSettings),
        ]
        for mutation in MutationKind.all {
            documents.append(
                (
                    "Batch_\(mutation.field) x1",
                    batch(field: mutation.field, inputType: mutation.inputType, selection: mutation.selection, count: 1)
                ))
            documents.append(
                (
                    "Batch_\(mutation.field) x3",
                    batch(field: mutation.field, inputType: mutation.inputType, selection: mutation.selection, count: 3)
                ))
        }
        return documents
    }
}

/// What the batching code needs to know about one kind of mutation.
struct MutationKind: Sendable, Hashable {
    /// The Mutation field, e.g. `sceneUpdate`.
    let field: String
    /// Its input type, without `!`.
    let inputType: String
    /// The selection set sent, `{ id }`, or empty for scalar results.
    let selection: String
    /// True when sending it twice has the same effect as once: it may be retried after a lost answer.
    let isIdempotent: Bool

    static let performerCreate = MutationKind(
        field: "performerCreate", inputType: "PerformerCreateInput", selection: "{ id }", isIdempotent: false)
    static let performerUpdate = MutationKind(
        field: "performerUpdate", inputType: "PerformerUpdateInput", selection: "{ id }", isIdempotent: true)
    static let studioCreate = MutationKind(
        field: "studioCreate", inputType: "StudioCreateInput", selection: "{ id }", isIdempotent: false)
    static let studioUpdate = MutationKind(
        field: "studioUpdate", inputType: "StudioUpdateInput", selection: "{ id }", isIdempotent: true)
    static let tagCreate = MutationKind(
        field: "tagCreate", inputType: "TagCreateInput", selection: "{ id }", isIdempotent: false)
    static let tagUpdate = MutationKind(
        field: "tagUpdate", inputType: "TagUpdateInput", selection: "{ id }", isIdempotent: true)
    static let galleryCreate = MutationKind(
        field: "galleryCreate", inputType: "GalleryCreateInput", selection: "{ id }", isIdempotent: false)
    static let galleryUpdate = MutationKind(
        field: "galleryUpdate", inputType: "GalleryUpdateInput", selection: "{ id }", isIdempotent: true)
    static let addGalleryImages = MutationKind(
        field: "addGalleryImages", inputType: "GalleryAddInput", selection: "", isIdempotent: true)
    static let galleryChapterCreate = MutationKind(
        field: "galleryChapterCreate", inputType: "GalleryChapterCreateInput", selection: "{ id }", isIdempotent: false)
    static let galleryChapterUpdate = MutationKind(
        field: "galleryChapterUpdate", inputType: "GalleryChapterUpdateInput", selection: "{ id }", isIdempotent: true)
    static let sceneUpdate = MutationKind(
        field: "sceneUpdate", inputType: "SceneUpdateInput", selection: "{ id }", isIdempotent: true)
    static let imageUpdate = MutationKind(
        field: "imageUpdate", inputType: "ImageUpdateInput", selection: "{ id }", isIdempotent: true)

    static let all: [MutationKind] = [
        performerCreate, performerUpdate, studioCreate, studioUpdate, tagCreate, tagUpdate, galleryCreate,
        galleryUpdate,
        addGalleryImages, galleryChapterCreate, galleryChapterUpdate, sceneUpdate, imageUpdate,
    ]
}
