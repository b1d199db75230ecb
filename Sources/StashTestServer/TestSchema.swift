// The part of Stash v0.30.1's GraphQL API the test server implements, written for this project
// from the API reference (types, fields and argument names match Stash so that documents valid
// here are valid against Stash, and vice versa for the subset).

enum TestSchema {
    static let sdl = """
        scalar Time
        scalar Int64
        scalar Map

        enum GenderEnum { MALE FEMALE TRANSGENDER_MALE TRANSGENDER_FEMALE INTERSEX NON_BINARY }
        enum CircumisedEnum { CUT UNCUT }
        enum SortDirectionEnum { ASC DESC }
        enum SystemStatusEnum { SETUP NEEDS_MIGRATION OK }
        enum CriterionModifier {
          EQUALS NOT_EQUALS GREATER_THAN LESS_THAN IS_NULL NOT_NULL INCLUDES_ALL INCLUDES EXCLUDES
          MATCHES_REGEX NOT_MATCHES_REGEX BETWEEN NOT_BETWEEN
        }

        input FindFilterType { q: String, page: Int, per_page: Int, sort: String, direction: SortDirectionEnum }
        input StringCriterionInput { value: String!, modifier: CriterionModifier! }
        input IntCriterionInput { value: Int!, value2: Int, modifier: CriterionModifier! }
        input MultiCriterionInput { value: [ID!], modifier: CriterionModifier!, excludes: [ID!] }
        input StashIDInput { endpoint: String!, stash_id: String!, updated_at: Time }

        input SceneFilterType {
          AND: SceneFilterType, OR: SceneFilterType, NOT: SceneFilterType
          id: IntCriterionInput, title: StringCriterionInput, code: StringCriterionInput, details: StringCriterionInput
          path: StringCriterionInput, url: StringCriterionInput, organized: Boolean
        }
        input ImageFilterType {
          AND: ImageFilterType, OR: ImageFilterType, NOT: ImageFilterType
          id: IntCriterionInput, title: StringCriterionInput, code: StringCriterionInput, details: StringCriterionInput
          path: StringCriterionInput, url: StringCriterionInput, organized: Boolean
        }
        input GalleryFilterType {
          AND: GalleryFilterType, OR: GalleryFilterType, NOT: GalleryFilterType
          id: IntCriterionInput, title: StringCriterionInput, code: StringCriterionInput, details: StringCriterionInput
          path: StringCriterionInput, url: StringCriterionInput, organized: Boolean, is_zip: Boolean
        }
        input PerformerFilterType {
          AND: PerformerFilterType, OR: PerformerFilterType, NOT: PerformerFilterType
          name: StringCriterionInput, disambiguation: StringCriterionInput, aliases: StringCriterionInput
          url: StringCriterionInput, details: StringCriterionInput
        }
        input StudioFilterType {
          AND: StudioFilterType, OR: StudioFilterType, NOT: StudioFilterType
          name: StringCriterionInput, aliases: StringCriterionInput, url: StringCriterionInput
          details: StringCriterionInput, parents: MultiCriterionInput
        }
        input TagFilterType {
          AND: TagFilterType, OR: TagFilterType, NOT: TagFilterType
          name: StringCriterionInput, aliases: StringCriterionInput, description: StringCriterionInput
        }

        type StashID { endpoint: String!, stash_id: String!, updated_at: Time! }
        type Folder { id: ID!, path: String! }
        interface BaseFile { id: ID!, path: String!, basename: String!, size: Int64! }
        type VideoFile implements BaseFile {
          id: ID!, path: String!, basename: String!, size: Int64!
          format: String!, width: Int!, height: Int!, duration: Float!, frame_rate: Float!, bit_rate: Int!
          video_codec: String!, audio_codec: String!
        }
        type ImageFile implements BaseFile {
          id: ID!, path: String!, basename: String!, size: Int64!, format: String!, width: Int!, height: Int!
        }
        type GalleryFile implements BaseFile { id: ID!, path: String!, basename: String!, size: Int64! }
        union VisualFile = VideoFile | ImageFile

        type Tag {
          id: ID!, name: String!, sort_name: String, description: String, aliases: [String!]!
          ignore_auto_tag: Boolean!, favorite: Boolean!, stash_ids: [StashID!]!
          parents: [Tag!]!, children: [Tag!]!, parent_count: Int!, child_count: Int!
        }
        type Studio {
          id: ID!, name: String!, url: String, urls: [String!]!, parent_studio: Studio, child_studios: [Studio!]!
          aliases: [String!]!, tags: [Tag!]!, ignore_auto_tag: Boolean!, stash_ids: [StashID!]!
          rating100: Int, favorite: Boolean!, details: String
        }
        type Performer {
          id: ID!, name: String!, disambiguation: String, url: String, urls: [String!], gender: GenderEnum
          birthdate: String, ethnicity: String, country: String, details: String, alias_list: [String!]!
          favorite: Boolean!, tags: [Tag!]!, ignore_auto_tag: Boolean!, stash_ids: [StashID!]!, rating100: Int
          death_date: String, hair_color: String, weight: Int, height_cm: Int, image_path: String
          scene_count: Int!, image_count: Int!, gallery_count: Int!
        }
        type GalleryChapter { id: ID!, gallery: Gallery!, title: String!, image_index: Int! }
        type Gallery {
          id: ID!, title: String, code: String, url: String, urls: [String!]!, date: String, details: String
          photographer: String, rating100: Int, organized: Boolean!, files: [GalleryFile!]!, folder: Folder
          chapters: [GalleryChapter!]!, scenes: [Scene!]!, studio: Studio, image_count: Int!, tags: [Tag!]!
          performers: [Performer!]!
        }
        type Scene {
          id: ID!, title: String, code: String, details: String, director: String, url: String, urls: [String!]!
          date: String, rating100: Int, organized: Boolean!, files: [VideoFile!]!, galleries: [Gallery!]!
          studio: Studio, tags: [Tag!]!, performers: [Performer!]!, stash_ids: [StashID!]!
        }
        type Image {
          id: ID!, title: String, code: String, rating100: Int, url: String, urls: [String!]!, date: String
          details: String, photographer: String, organized: Boolean!, files: [ImageFile!]!
          visual_files: [VisualFile!]!, galleries: [Gallery!]!, studio: Studio, tags: [Tag!]!, performers: [Performer!]!
        }

        type FindScenesResultType { count: Int!, duration: Float!, filesize: Float!, scenes: [Scene!]! }
        type FindImagesResultType { count: Int!, megapixels: Float!, filesize: Float!, images: [Image!]! }
        type FindGalleriesResultType { count: Int!, galleries: [Gallery!]! }
        type FindPerformersResultType { count: Int!, performers: [Performer!]! }
        type FindStudiosResultType { count: Int!, studios: [Studio!]! }
        type FindTagsResultType { count: Int!, tags: [Tag!]! }
        type Version { version: String, hash: String!, build_time: String! }
        type SystemStatus {
          databaseSchema: Int, databasePath: String, configPath: String, appSchema: Int!, status: SystemStatusEnum!
          os: String!, workingDir: String!, homeDir: String!
        }

        scalar PluginConfigMap
        type StashConfig { path: String!, excludeVideo: Boolean!, excludeImage: Boolean! }
        type ConfigGeneralResult { stashes: [StashConfig!]! }
        type ConfigResult { general: ConfigGeneralResult!, plugins(include: [ID!]): PluginConfigMap! }

        type Query {
          findScenes(scene_filter: SceneFilterType, scene_ids: [Int!], ids: [ID!], filter: FindFilterType): FindScenesResultType!
          findImages(image_filter: ImageFilterType, image_ids: [Int!], ids: [ID!], filter: FindFilterType): FindImagesResultType!
          findGalleries(gallery_filter: GalleryFilterType, filter: FindFilterType, ids: [ID!]): FindGalleriesResultType!
          findPerformers(performer_filter: PerformerFilterType, filter: FindFilterType, performer_ids: [Int!], ids: [ID!]): FindPerformersResultType!
          findStudios(studio_filter: StudioFilterType, filter: FindFilterType, ids: [ID!]): FindStudiosResultType!
          findTags(tag_filter: TagFilterType, filter: FindFilterType, ids: [ID!]): FindTagsResultType!
          findScene(id: ID): Scene
          findImage(id: ID): Image
          findGallery(id: ID!): Gallery
          findPerformer(id: ID!): Performer
          findStudio(id: ID!): Studio
          findTag(id: ID!): Tag
          version: Version!
          systemStatus: SystemStatus!
          configuration: ConfigResult!
        }

        input PerformerCreateInput {
          name: String!, disambiguation: String, url: String, urls: [String!], gender: GenderEnum, birthdate: String
          ethnicity: String, country: String, details: String, alias_list: [String!], twitter: String, instagram: String
          favorite: Boolean, tag_ids: [ID!], image: String, stash_ids: [StashIDInput!], rating100: Int
          death_date: String, hair_color: String, weight: Int, height_cm: Int, ignore_auto_tag: Boolean, custom_fields: Map
        }
        input PerformerUpdateInput {
          id: ID!, name: String, disambiguation: String, url: String, urls: [String!], gender: GenderEnum
          birthdate: String, ethnicity: String, country: String, details: String, alias_list: [String!]
          twitter: String, instagram: String, favorite: Boolean, tag_ids: [ID!], image: String
          stash_ids: [StashIDInput!], rating100: Int, death_date: String, hair_color: String, weight: Int
          height_cm: Int, ignore_auto_tag: Boolean
        }
        input StudioCreateInput {
          name: String!, url: String, urls: [String!], parent_id: ID, image: String, stash_ids: [StashIDInput!]
          rating100: Int, favorite: Boolean, details: String, aliases: [String!], tag_ids: [ID!], ignore_auto_tag: Boolean
        }
        input StudioUpdateInput {
          id: ID!, name: String, url: String, urls: [String!], parent_id: ID, image: String
          stash_ids: [StashIDInput!], rating100: Int, favorite: Boolean, details: String, aliases: [String!]
          tag_ids: [ID!], ignore_auto_tag: Boolean
        }
        input TagCreateInput {
          name: String!, sort_name: String, description: String, aliases: [String!], ignore_auto_tag: Boolean
          favorite: Boolean, image: String, stash_ids: [StashIDInput!], parent_ids: [ID!], child_ids: [ID!]
        }
        input TagUpdateInput {
          id: ID!, name: String, sort_name: String, description: String, aliases: [String!]
          ignore_auto_tag: Boolean, favorite: Boolean, image: String, stash_ids: [StashIDInput!]
          parent_ids: [ID!], child_ids: [ID!]
        }
        input GalleryCreateInput {
          title: String!, code: String, url: String, urls: [String!], date: String, details: String
          photographer: String, rating100: Int, organized: Boolean, scene_ids: [ID!], studio_id: ID
          tag_ids: [ID!], performer_ids: [ID!]
        }
        input GalleryUpdateInput {
          clientMutationId: String, id: ID!, title: String, code: String, url: String, urls: [String!]
          date: String, details: String, photographer: String, rating100: Int, organized: Boolean
          scene_ids: [ID!], studio_id: ID, tag_ids: [ID!], performer_ids: [ID!], primary_file_id: ID
        }
        input GalleryAddInput { gallery_id: ID!, image_ids: [ID!]! }
        input GalleryChapterCreateInput { gallery_id: ID!, title: String!, image_index: Int! }
        input GalleryChapterUpdateInput { id: ID!, gallery_id: ID, title: String, image_index: Int }
        input SceneUpdateInput {
          clientMutationId: String, id: ID!, title: String, code: String, details: String, director: String
          url: String, urls: [String!], date: String, rating100: Int, organized: Boolean, studio_id: ID
          gallery_ids: [ID!], performer_ids: [ID!], tag_ids: [ID!], cover_image: String
          stash_ids: [StashIDInput!], primary_file_id: ID
        }
        input ImageUpdateInput {
          clientMutationId: String, id: ID!, title: String, code: String, rating100: Int, organized: Boolean
          url: String, urls: [String!], date: String, details: String, photographer: String, studio_id: ID
          performer_ids: [ID!], tag_ids: [ID!], gallery_ids: [ID!], primary_file_id: ID
        }

        type Mutation {
          performerCreate(input: PerformerCreateInput!): Performer
          performerUpdate(input: PerformerUpdateInput!): Performer
          studioCreate(input: StudioCreateInput!): Studio
          studioUpdate(input: StudioUpdateInput!): Studio
          tagCreate(input: TagCreateInput!): Tag
          tagUpdate(input: TagUpdateInput!): Tag
          galleryCreate(input: GalleryCreateInput!): Gallery
          galleryUpdate(input: GalleryUpdateInput!): Gallery
          addGalleryImages(input: GalleryAddInput!): Boolean!
          galleryChapterCreate(input: GalleryChapterCreateInput!): GalleryChapter
          galleryChapterUpdate(input: GalleryChapterUpdateInput!): GalleryChapter
          sceneUpdate(input: SceneUpdateInput!): Scene
          imageUpdate(input: ImageUpdateInput!): Image
        }
        """
}

/// The SDL the test server implements, for tests that check documents against it.
public enum StashTestServerSDL {
    public static var text: String { TestSchema.sdl(for: .v0_30) }
}
