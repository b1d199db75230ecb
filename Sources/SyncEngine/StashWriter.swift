import FanslyMetadata
import Foundation
import MappingRules

/// The writes `Applier` needs from Stash, in batches. `StashClientWriter` implements it over
/// `StashClient`; fields are keyed by Stash input field name and hold `after` values whose refs
/// are already resolved to ids.
protocol StashWriter: Sendable {
    /// Creates one object of `kind` per input, in as few requests as the client's batch size allows.
    /// Returns one result per input, in order; throws when the whole request failed.
    func create(_ kind: EntityKind, inputs: [[String: FieldValue]]) async throws -> [WriteResult]
    /// Updates objects by id; only the given fields change.
    func update(_ kind: EntityKind, inputs: [ObjectFields]) async throws -> [WriteResult]
    /// Adds images to galleries (`addGalleryImages`), one result per gallery.
    func addGalleryImages(_ additions: [GalleryImages]) async throws -> [WriteResult]
    /// How many images each gallery holds (unknown ids are left out), in one request.
    func galleryImageCounts(ids: [String]) async throws -> [String: Int]
    /// Ids of the existing objects of `kind` that the match keys find (used to recover a create whose
    /// reply was lost). `fields` are the create's fields, for kinds without match keys (chapters).
    func findExisting(_ kind: EntityKind, match: [MatchKey], fields: [String: FieldValue]) async throws -> [String]
}

/// Fields for one existing object.
struct ObjectFields: Sendable, Hashable {
    /// The Stash object.
    public var id: String
    /// Stash input field name → value (refs resolved).
    var fields: [String: FieldValue]
    /// `fields` for object `id`.
    init(id: String, fields: [String: FieldValue]) { self.id = id; self.fields = fields }
}

/// Images to add to one gallery.
struct GalleryImages: Sendable, Hashable {
    /// The user-created gallery.
    var galleryId: String
    /// The images to add.
    var imageIds: [String]
    /// `imageIds` to add to `galleryId`.
    init(galleryId: String, imageIds: [String]) { self.galleryId = galleryId; self.imageIds = imageIds }
}

/// One item's answer from Stash.
enum WriteResult: Sendable, Hashable {
    /// Done; the id of the object written.
    case success(id: String)
    case failure(WriteFailure)
}

/// Why a write failed, and what that means for trying again.
struct WriteFailure: Error, Sendable, Hashable, LocalizedError {
    /// What is known about the write's effect.
    enum Kind: Sendable, Hashable {
        /// Stash refused it; nothing changed. Trying again gives the same answer.
        case rejected
        /// It may or may not have been applied (lost reply, server error mid-request). Safe to try again
        /// only after checking (creates are looked up first).
        case outcomeUnknown
        /// Certainly not applied (never sent); safe to send again as is.
        case notApplied
        /// Stash cannot be used at all (unreachable, wrong key, incompatible): stop the run.
        case stopsRun
    }

    /// What is known about the write's effect.
    var kind: Kind
    /// What went wrong, for people.
    public var message: String
    /// A failure of `kind`.
    init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var errorDescription: String? { message }
}
