import GraphQL
import OrderedCollections

extension StashTestServer {
    /// The schema, built once: resolvers find their server through the request context.
    static let sharedSchema: GraphQLSchema = makeSchema(sdl: TestSchema.sdl(for: .v0_30))

    /// Builds the schema from the SDL subset and attaches the resolvers of Query and Mutation.
    static func makeSchema(sdl: String) -> GraphQLSchema {
        do {
            let schema = try buildSchema(source: Source(body: sdl, name: "stash-test-schema"))
            try attachQueryResolvers(schema.queryType!)
            try attachMutationResolvers(schema.mutationType!)
            try attachVisualFileResolution(schema)
            try attachConfigurationResolvers(schema)
            return schema
        } catch {
            fatalError("the test server's schema is invalid: \(error)")
        }
    }

    private static func attachQueryResolvers(_ query: GraphQLObjectType) throws {
        let fields = try query.fields()
        let finds: [String: @Sendable (StashState, Map, FindReuse?) throws -> FindResultNode] = [
            "findScenes": { try $0.findScenes($1, reuse: $2) }, "findImages": { try $0.findImages($1, reuse: $2) },
            "findGalleries": { try $0.findGalleries($1, reuse: $2) },
            "findPerformers": { try $0.findPerformers($1, reuse: $2) },
            "findStudios": { try $0.findStudios($1, reuse: $2) }, "findTags": { try $0.findTags($1, reuse: $2) },
        ]
        for (name, field) in fields {
            if let find = finds[name] {
                field.resolve = { _, args, context, info in
                    let server = try RequestContext.server(context)
                    let (state, reuse) = server.stateForFind()
                    return RequestContext.handOver(try find(state, args, reuse), context: context, info: info)
                }
                continue
            }
            field.resolve = { _, args, context, _ in
                let server = try RequestContext.server(context)
                let state = server.state
                let id = args["id"].string.flatMap { Int($0) } ?? -1
                switch name {
                case "findScene": return state.scenes[id].map { SceneNode(state: state, record: $0) }
                case "findImage": return state.images[id].map { ImageNode(state: state, record: $0) }
                case "findGallery": return state.galleries[id].map { GalleryNode(state: state, record: $0) }
                case "findPerformer": return state.performers[id].map { PerformerNode(state: state, record: $0) }
                case "findStudio": return state.studios[id].map { StudioNode(state: state, record: $0) }
                case "findTag": return state.tags[id].map { TagNode(state: state, record: $0) }
                case "version":
                    return PlainNode(values: [
                        "version": server.version as (any Sendable)?, "hash": "b23b0267",
                        "build_time": "2025-12-01 00:00:00",
                    ])
                case "systemStatus":
                    return PlainNode(values: [
                        "databaseSchema": server.line.appSchema, "appSchema": server.line.appSchema,
                        "status": server.status, "os": "linux",
                        "workingDir": "/root", "homeDir": "/root", "databasePath": "/root/.stash/stash-go.sqlite",
                        "configPath": "/root/.stash/config.yml",
                    ])
                case "configuration": return server.configurationNode()
                default: return nil
                }
            }
        }
        query.fields = { fields }
    }

    /// True when the field's selection asks for nothing but `id` (and `__typename`), as apply's does.
    static func selectsOnlyId(_ info: GraphQLResolveInfo) -> Bool {
        info.fieldASTs.allSatisfy { field in
            (field.selectionSet?.selections ?? []).allSatisfy { selection in
                guard let field = selection as? Field, field.directives.isEmpty else { return false }
                return field.name.value == "id" || field.name.value == "__typename"
            }
        }
    }

    private static func attachMutationResolvers(_ mutation: GraphQLObjectType) throws {
        let fields = try mutation.fields()
        typealias Single = @Sendable (inout StashState, InputObject) throws -> Int
        typealias Node = @Sendable (StashState, Int) -> (any Sendable)?
        let performer: Node = { s, id in s.performers[id].map { PerformerNode(state: s, record: $0) } }
        let studio: Node = { s, id in s.studios[id].map { StudioNode(state: s, record: $0) } }
        let tag: Node = { s, id in s.tags[id].map { TagNode(state: s, record: $0) } }
        let gallery: Node = { s, id in s.galleries[id].map { GalleryNode(state: s, record: $0) } }
        let chapter: Node = { s, id in s.chapters[id].map { ChapterNode(state: s, record: $0) } }
        let scene: Node = { s, id in s.scenes[id].map { SceneNode(state: s, record: $0) } }
        let image: Node = { s, id in s.images[id].map { ImageNode(state: s, record: $0) } }
        let singles: [String: (Single, Node)] = [
            "performerCreate": ({ try $0.performerCreate($1) }, performer),
            "performerUpdate": ({ try $0.performerUpdate($1) }, performer),
            "studioCreate": ({ try $0.studioCreate($1) }, studio),
            "studioUpdate": ({ try $0.studioUpdate($1) }, studio),
            "tagCreate": ({ try $0.tagCreate($1) }, tag), "tagUpdate": ({ try $0.tagUpdate($1) }, tag),
            "galleryCreate": ({ try $0.galleryCreate($1) }, gallery),
            "galleryUpdate": ({ try $0.galleryUpdate($1) }, gallery),
            "galleryChapterCreate": ({ try $0.galleryChapterCreate($1) }, chapter),
            "galleryChapterUpdate": ({ try $0.galleryChapterUpdate($1) }, chapter),
            "sceneUpdate": ({ try $0.sceneUpdate($1) }, scene), "imageUpdate": ({ try $0.imageUpdate($1) }, image),
        ]
        let flags: [String: @Sendable (inout StashState, InputObject) throws -> Bool] = [
            "addGalleryImages": { try $0.addGalleryImages($1) }
        ]
        for (name, field) in fields {
            if let (run, node) = singles[name] {
                field.resolve = { _, args, context, info in
                    let server = try RequestContext.server(context)
                    let (id, state) = try server.transact(inPlace: !name.hasPrefix("tag")) {
                        try run(&$0, InputObject(args["input"]))
                    }
                    // A node answers lazily from the state it holds; while GraphQL completes it,
                    // the other request in flight may mutate, and would copy every table the node
                    // still shares (a whole-library copy per update). `{ id }` needs no state.
                    guard Self.selectsOnlyId(info) else { return node(state, id) }
                    return node(state, id).map { _ in IdNode(id: id) }
                }
            } else if let run = flags[name] {
                field.resolve = { _, args, context, _ in
                    let server = try RequestContext.server(context)
                    return try server.transact(inPlace: true) { try run(&$0, InputObject(args["input"])) }.0
                }
            }
        }
        // GraphQLSwift stops a serial mutation at the first error in a non-null field; Stash
        // (gqlgen) runs every field and then nulls `data`. Execute such fields as nullable and
        // null `data` afterwards (see `nonNullMutationFields`).
        var executable = fields
        for name in nonNullMutationFields {
            guard let original = fields[name], let nonNull = original.type as? GraphQLNonNull,
                let nullable = nonNull.ofType as? GraphQLOutputType
            else { continue }
            executable[name] = GraphQLField(type: nullable, args: original.args, resolve: original.resolve)
        }
        let patched = executable
        mutation.fields = { patched }
    }

    /// Mutation fields whose result type is non-null in Stash's schema.
    static let nonNullMutationFields: Set<String> = ["addGalleryImages"]

    /// Unions built from SDL have no way to tell their members apart; give `Image.visual_files` a
    /// `VisualFile` union that resolves by the file's kind.
    private static func attachVisualFileResolution(_ schema: GraphQLSchema) throws {
        guard let imageType = schema.getType(name: "Image") as? GraphQLObjectType,
            let videoFile = schema.getType(name: "VideoFile") as? GraphQLObjectType,
            let imageFile = schema.getType(name: "ImageFile") as? GraphQLObjectType
        else { return }
        let union = try GraphQLUnionType(
            name: "VisualFile",
            resolveType: { value, _ in
                (value as? FileNode)?.kind == .video ? videoFile : imageFile
            }, types: [videoFile, imageFile])
        var fields = try imageType.fields()
        if let original = fields["visual_files"] {
            fields["visual_files"] = GraphQLField(
                type: GraphQLNonNull(GraphQLList(GraphQLNonNull(union))),
                args: original.args, resolve: original.resolve)
        }
        let patched = fields
        imageType.fields = { patched }
    }
}
