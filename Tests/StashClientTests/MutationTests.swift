import Foundation
import StashClient
import StashTestServer
import XCTest

final class MutationTests: ServerTestCase {
    func testPerformersCreateAndUpdate() async throws {
        let client = client()
        let tags = await client.createTags([TagCreateInput(name: "Fansly"), TagCreateInput(name: "Latex")])
        let fansly = try tags[0].get()
        let latex = try tags[1].get()
        let created = await client.createPerformers([
            PerformerCreateInput(
                name: "Ember Wilde", urls: ["https://fansly.com/EmberWilde42"], gender: .female,
                aliasList: ["emberwilde42"], tagIds: [fansly]),
            PerformerCreateInput(name: "Ember Wilde", disambiguation: "Fansly"),
        ])
        let ember = try created[0].get()
        let other = try created[1].get()

        var performers = try await client.findPerformers(ids: [ember, other])
        XCTAssertEqual(performers.map(\.name), ["Ember Wilde", "Ember Wilde"])
        XCTAssertEqual(performers[0].disambiguation, "", "unset Go-string fields come back as \"\"")
        XCTAssertEqual(performers[0].gender, .female)
        XCTAssertEqual(performers[0].aliasList, ["emberwilde42"])
        XCTAssertEqual(performers[0].tags, [NamedRef(id: fansly, name: "Fansly")])

        // Only the fields set are sent: the update leaves aliases and tags alone, and `urls` replaces the list.
        let updated = await client.updatePerformers([
            PerformerUpdateInput(id: ember, urls: ["https://fansly.com/ember"], details: "  bio  ")
        ])
        XCTAssertEqual(try updated[0].get(), ember)
        let tagged = await client.updatePerformers([PerformerUpdateInput(id: other, tagIds: [latex])])
        XCTAssertEqual(try tagged[0].get(), other)

        performers = try await client.findPerformers(ids: [ember, other])
        XCTAssertEqual(performers[0].urls, ["https://fansly.com/ember"])
        XCTAssertEqual(performers[0].details, "bio", "Stash trims strings")
        XCTAssertEqual(performers[0].aliasList, ["emberwilde42"])
        XCTAssertEqual(performers[0].tags.map(\.id), [fansly])
        XCTAssertEqual(performers[1].tags.map(\.id), [latex])

        let byName = try await client.findPerformers(
            filter: NameFilter(name: .equals("ember wilde"), disambiguation: StringCriterion("", .isNull)))
        XCTAssertEqual(byName.map(\.id), [ember], "EQUALS is a case-insensitive LIKE; empty disambiguation is null")
    }

    func testPerformerUniquenessMessages() async throws {
        let client = client()
        _ = await client.createPerformers([PerformerCreateInput(name: "Ember_Wilde")])
        let results = await client.createPerformers([
            PerformerCreateInput(name: "EMBER_WILDE"),
            PerformerCreateInput(name: "Nova", aliasList: ["nova"]),
            PerformerCreateInput(name: "   "),
            PerformerCreateInput(name: "Ember_Wilde", disambiguation: "Fansly"),
        ])
        XCTAssertEqual(
            results[0].failure?.underlying,
            .resolver(
                operation: "performerCreate (item 1)", path: ["performerCreate"],
                message: "performer with name 'EMBER_WILDE' already exists"))
        XCTAssertEqual(
            results[1].failure?.description,
            "Stash refused performerCreate (item 2) at performerCreate: performer contains duplicate alias 'nova'")
        XCTAssertTrue(results[2].failure?.description.contains("performer name must not be blank") ?? false)
        XCTAssertNotNil(results[3].success, "a disambiguation makes the name unique")
        XCTAssertEqual(server.state.performers.count, 2)
    }

    func testStudiosAndTagsKeepNamesAndAliasesUnique() async throws {
        let client = client()
        let network = try await client.createStudios([StudioCreateInput(name: "Fansly", aliases: ["fansly.com"])])[0]
            .get()
        let creator = try await client.createStudios([
            StudioCreateInput(
                name: "emberwilde42 (Fansly)", urls: ["https://fansly.com/EmberWilde42"], parentId: network)
        ])[0].get()
        let clashes = await client.createStudios([
            StudioCreateInput(name: "FANSLY"), StudioCreateInput(name: "Fansly.com"),
            StudioCreateInput(name: "Other", aliases: ["fansly.com"]),
        ])
        XCTAssertEqual(clashes[0].failure?.underlying.resolverMessage, "studio with name 'FANSLY' already exists")
        XCTAssertEqual(
            clashes[1].failure?.underlying.resolverMessage, "name 'Fansly.com' is used as alias for 'Fansly'")
        XCTAssertEqual(
            clashes[2].failure?.underlying.resolverMessage, "name 'fansly.com' is used as alias for 'Fansly'")

        let loop = await client.updateStudios([StudioUpdateInput(id: network, parentId: .value(creator))])
        XCTAssertNotNil(loop[0].failure, "a studio cannot be its own ancestor")
        let detach = await client.updateStudios([StudioUpdateInput(id: creator, parentId: .null, details: "creator")])
        XCTAssertNotNil(detach[0].success)
        _ = await client.updateStudios([
            StudioUpdateInput(id: creator, urls: ["https://fansly.com/EmberWilde42", "https://x.test/e"])
        ])
        let studios = try await client.findStudios(ids: [creator])
        XCTAssertNil(studios[0].parentStudio, "an explicit null clears the parent")
        XCTAssertEqual(studios[0].urls, ["https://fansly.com/EmberWilde42", "https://x.test/e"])
        XCTAssertEqual(studios[0].details, "creator")

        let parent = try await client.createTags([TagCreateInput(name: "Clothing", aliases: ["Outfits"])])[0].get()
        let child = try await client.createTags([TagCreateInput(name: "Latex", parentIds: [parent])])[0].get()
        let tagClash = await client.createTags([TagCreateInput(name: "outfits")])
        XCTAssertEqual(
            tagClash[0].failure?.underlying.resolverMessage, "name 'outfits' is used as alias for 'Clothing'")
        let cycle = await client.updateTags([TagUpdateInput(id: parent, parentIds: [child])])
        XCTAssertEqual(
            cycle[0].failure?.underlying.resolverMessage,
            "cannot apply tag \"Latex\" as a parent of \"Clothing\" as it is already a descendant (Clothing > Latex)")
        let aliasIsName = await client.createTags([TagCreateInput(name: "Rubberwear", aliases: ["LATEX"])])
        XCTAssertEqual(aliasIsName[0].failure?.underlying.resolverMessage, "tag with name 'LATEX' already exists")
        _ = await client.updateTags([TagUpdateInput(id: child, aliases: ["Rubber"])])
        let tags = try await client.findTags(ids: [parent, child])
        XCTAssertEqual(tags[0].children.map(\.id), [child])
        XCTAssertEqual(tags[1].parents.map(\.id), [parent])
        XCTAssertEqual(tags[1].aliases, ["Rubber"])
        XCTAssertEqual(tags[1].description, "")
    }

    func testGalleriesImagesAndChapters() async throws {
        let ids = server.seed(paths: Fixture.images + Fixture.videos)
        let zipGallery = server.addZipGallery(
            path: "\(Fixture.root)/Timeline/pack.zip",
            imagePaths: ["\(Fixture.root)/Timeline/pack.zip/1.jpg"])
        let client = client()
        let studio = try await client.createStudios([StudioCreateInput(name: "Fansly")])[0].get()
        let gallery = try await client.createGalleries([
            GalleryCreateInput(
                title: "Post 537124881301504299", urls: ["https://fansly.com/post/537124881301504299"],
                date: "2024-01-02", studioId: studio)
        ])[0].get()
        let imageIds = Fixture.images.prefix(3).map { String(ids[$0]!) }
        let added = await client.addGalleryImages([
            GalleryImagesInput(galleryId: gallery, imageIds: imageIds),
            GalleryImagesInput(galleryId: String(zipGallery), imageIds: imageIds),
        ])
        XCTAssertEqual(added[0].success, true)
        XCTAssertEqual(
            added[1].failure?.underlying.resolverMessage,
            "cannot change contents of zip-based gallery \"\(Fixture.root)/Timeline/pack.zip\"")

        // A failing non-null mutation (Boolean!) nulls `data` but, as in Stash, the others still run.
        let second = try await client.createGalleries([GalleryCreateInput(title: "Second")])[0].get()
        let mixed = await client.addGalleryImages([
            GalleryImagesInput(galleryId: String(zipGallery), imageIds: imageIds),
            GalleryImagesInput(galleryId: second, imageIds: [imageIds[0]]),
        ])
        XCTAssertNotNil(mixed[0].failure)
        XCTAssertEqual(mixed[1].success, true)
        XCTAssertEqual(server.state.imageIds(inGallery: Int(second)!), [Int(imageIds[0])!])

        let chapters = await client.createGalleryChapters([
            GalleryChapterCreateInput(galleryId: gallery, title: "Part 1", imageIndex: 1),
            GalleryChapterCreateInput(galleryId: gallery, title: "Too far", imageIndex: 4),
        ])
        XCTAssertNotNil(chapters[0].success)
        XCTAssertNotNil(chapters[1].failure, "image_index is 1-based and at most the image count")
        // The count the server checks against follows the gallery's images after a chapter was made.
        let beforeSecondImage = await client.createGalleryChapters([
            GalleryChapterCreateInput(galleryId: second, title: "One", imageIndex: 1),
            GalleryChapterCreateInput(galleryId: second, title: "Two", imageIndex: 2),
        ])
        XCTAssertNotNil(beforeSecondImage[0].success)
        XCTAssertNotNil(beforeSecondImage[1].failure, "one image")
        _ = await client.addGalleryImages([GalleryImagesInput(galleryId: second, imageIds: [imageIds[1]])])
        let afterSecondImage = await client.createGalleryChapters([
            GalleryChapterCreateInput(galleryId: second, title: "Two", imageIndex: 2)
        ])
        XCTAssertNotNil(afterSecondImage[0].success, "the second image added")
        _ = await client.updateGalleryChapters([GalleryChapterUpdateInput(id: try chapters[0].get(), title: "Part one")]
        )

        let noTitle = await client.createGalleries([GalleryCreateInput(title: " ")])
        XCTAssertNotNil(noTitle[0].failure)
        _ = await client.updateGalleries([GalleryUpdateInput(id: gallery, details: "from Fansly", studioId: .null)])
        let organized = await client.updateGalleries([GalleryUpdateInput(id: gallery, organized: true)])
        XCTAssertEqual(organized[0].success, gallery)

        let found = try await client.findGalleries(ids: [gallery, String(zipGallery)])
        XCTAssertEqual(found.map(\.id), [String(zipGallery), gallery], "sorted by id")
        let galleries = [found[1], found[0]]
        XCTAssertEqual(galleries[0].imageCount, 3)
        XCTAssertEqual(galleries[0].chapters.map(\.title), ["Part one"])
        XCTAssertEqual(galleries[0].chapters.map(\.imageIndex), [1])
        XCTAssertNil(galleries[0].studio)
        XCTAssertEqual(galleries[0].date, "2024-01-02")
        XCTAssertTrue(galleries[0].organized)
        XCTAssertTrue(galleries[0].isUserCreated)
        XCTAssertFalse(galleries[1].isUserCreated)
        XCTAssertEqual(galleries[1].files.map(\.path), ["\(Fixture.root)/Timeline/pack.zip"])
        XCTAssertEqual(galleries[1].title, "")
    }

    func testScenesAndImagesUpdate() async throws {
        let ids = server.seed(paths: Fixture.videos + Fixture.images)
        let client = client()
        let performer = try await client.createPerformers([PerformerCreateInput(name: "Ember Wilde")])[0].get()
        let tag = try await client.createTags([TagCreateInput(name: "Fansly")])[0].get()
        let sceneIds = Fixture.videos.map { String(ids[$0]!) }
        let imageIds = Fixture.images.map { String(ids[$0]!) }

        let updates = await client.updateScenes(
            sceneIds.map {
                SceneUpdateInput(id: $0, title: "Video \($0)", date: .value("2024-02-03"), performerIds: [performer])
            }
                + [
                    SceneUpdateInput(id: "99999", title: "missing"),
                    SceneUpdateInput(id: sceneIds[0], date: .value("2024-13-45")),
                ])
        XCTAssertEqual(updates.prefix(sceneIds.count).compactMap(\.success), sceneIds)
        XCTAssertEqual(updates[sceneIds.count].failure?.underlying.resolverMessage, "scene with id 99999 not found")
        XCTAssertNotNil(updates[sceneIds.count + 1].failure, "a bad date fails that item only")

        let tagged = await client.updateScenes(sceneIds.map { SceneUpdateInput(id: $0, tagIds: [tag]) })
        XCTAssertEqual(tagged.compactMap(\.success), sceneIds, "lists not sent are left alone")
        // An absent field is left alone; an explicit null clears it.
        _ = await client.updateScenes([SceneUpdateInput(id: sceneIds[1], date: .null)])
        let scenes = try await client.findScenes(ids: sceneIds)
        XCTAssertEqual(scenes[0].title, "Video \(sceneIds[0])")
        XCTAssertEqual(scenes[0].date, "2024-02-03", "the failed item changed nothing")
        XCTAssertNil(scenes[1].date)
        XCTAssertEqual(scenes[1].title, "Video \(sceneIds[1])")
        XCTAssertEqual(scenes[0].performers.map(\.id), [performer])
        XCTAssertEqual(scenes[0].tags.map(\.id), [tag])
        XCTAssertEqual(scenes[0].files.first?.basename, (Fixture.videos[0] as NSString).lastPathComponent)

        let imageUpdates = await client.updateImages([
            ImageUpdateInput(id: imageIds[0], title: "Pic", urls: ["https://fansly.com/post/1"])
        ])
        XCTAssertNotNil(imageUpdates[0].success)
        _ = await client.updateImages(
            imageIds.map { ImageUpdateInput(id: $0, organized: true, performerIds: [performer]) })
        let images = try await client.findImages(pathUnder: "\(Fixture.root)/Timeline/Images")
        XCTAssertEqual(images.count, Fixture.images.count)
        XCTAssertEqual(images[0].title, "Pic")
        XCTAssertEqual(images[0].urls, ["https://fansly.com/post/1"])
        XCTAssertTrue(images.allSatisfy { $0.organized && $0.performers.map(\.id) == [performer] })
        XCTAssertEqual(images[0].visualFiles.first?.path, Fixture.images[0])
    }

    func testAliasedBatchFailsOneItemAloneInOneRequest() async throws {
        let client = client(batchSize: 100)
        server.resetCounters()
        let inputs = (0..<5).map { PerformerCreateInput(name: $0 == 3 ? "Performer 1" : "Performer \($0)") }
        let results = await client.createPerformers(inputs)
        XCTAssertEqual(server.requestCount, 1, "five creates travel as aliased fields of one request")
        XCTAssertEqual(results.map { $0.success != nil }, [true, true, true, false, true])
        XCTAssertEqual(
            results[3].failure?.underlying,
            .resolver(
                operation: "performerCreate (item 4)", path: ["performerCreate"],
                message: "performer with name 'Performer 1' already exists"))
        XCTAssertEqual(
            Set(server.state.performers.values.map(\.name)),
            ["Performer 0", "Performer 1", "Performer 2", "Performer 4"])
        // Mutations run in order: ids follow the input order.
        XCTAssertEqual(results.compactMap(\.success), ["1", "2", "3", "4"], "a failed create consumes no id")
    }

    func testAFailedCreateKeepsNothing() async throws {
        let client = client()
        let results = await client.createPerformers([
            PerformerCreateInput(name: "A", tagIds: ["999"]),
            PerformerCreateInput(name: "B", birthdate: "2024-02-30x"),
            PerformerCreateInput(name: "C"),
        ])
        XCTAssertEqual(results[0].failure?.underlying.resolverMessage, "FOREIGN KEY constraint failed")
        XCTAssertNotNil(results[1].failure)
        XCTAssertEqual(results[2].success, "1", "failed creates consume no id")
        XCTAssertEqual(server.state.performers.values.map(\.name), ["C"])
        let gallery = await client.createGalleries([GalleryCreateInput(title: "G", performerIds: ["42"])])
        XCTAssertNotNil(gallery[0].failure)
        XCTAssertTrue(server.state.galleries.isEmpty)
    }

    func testLargeInputsAreSplitIntoBatches() async throws {
        let client = client(batchSize: 100)
        server.resetCounters()
        let results = await client.createTags((0..<250).map { TagCreateInput(name: "tag \($0)") })
        XCTAssertEqual(results.compactMap(\.success).count, 250)
        XCTAssertEqual(server.requestCount(for: "tagCreate"), 3)
        let all = try await client.findTags()
        XCTAssertEqual(all.count, 250)
    }
}

extension StashError {
    /// The resolver message, for assertions.
    var resolverMessage: String? {
        if case .resolver(_, _, let message) = self { return message }
        return nil
    }
}
