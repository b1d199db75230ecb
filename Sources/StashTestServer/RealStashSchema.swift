public import Foundation
public import GraphQL

/// Stash's real GraphQL schema of a release, read from `<package root>/../shared/stash-schema`
/// (v0.30.1) or `stash-schema-v0.31` (not shipped with the project: it is AGPL), for tests that
/// check what the client sends against it.
public enum RealStashSchema {
    /// The folder of `line`'s schema, looked for beside the package root and, for a git worktree
    /// nested deeper, beside its ancestors.
    public static func folder(_ line: StashSchemaLine) -> URL {
        let name = line == .v0_30 ? "shared/stash-schema" : "shared/stash-schema-v0.31"
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var directory = packageRoot.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// `line`'s schema; nil when its files are not there (the caller skips its check).
    public static func load(_ line: StashSchemaLine) throws -> GraphQLSchema? {
        let folder = folder(line)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("schema.graphql").path) else {
            return nil
        }
        var sdl = try String(contentsOf: folder.appendingPathComponent("schema.graphql"), encoding: .utf8)
        let types = folder.appendingPathComponent("types")
        for file in try FileManager.default.contentsOfDirectory(atPath: types.path).sorted()
        where file.hasSuffix(".graphql") {
            sdl += "\n" + (try String(contentsOf: types.appendingPathComponent(file), encoding: .utf8))
        }
        let name = line == .v0_30 ? "stash-schema" : "stash-schema-v0.31"
        return try buildASTSchema(documentAST: parse(source: Source(body: sdl, name: name)))
    }
}
