import Foundation
public import SampleData
public import StashTestServer

/// Whether each scanned file's scene or image carries its media's code, its owner's studio and the
/// date in its file name (the item's `account_media.createdAt`).
public enum SampleAttribution {
    public static func problems(
        files: [SampleFile], state: StashState, usernames: [Int64: String], root: String = "/data/fansly/"
    ) -> [String] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        var problems: [String] = []
        for sample in files {
            let path = root + sample.path
            let found: (code: String, date: String?, studioId: Int?)?
            if let scene = state.scenes.values.first(where: { $0.path == path }) {
                found = (scene.code, scene.date, scene.studioId)
            } else if let image = state.images.values.first(where: { $0.path == path }) {
                found = (image.code, image.date, image.studioId)
            } else {
                found = nil
            }
            guard let found else { problems.append("\(sample.path): not in Stash"); continue }
            let studio = found.studioId.flatMap { state.studios[$0]?.name }
            let owner = usernames[sample.ownerId] ?? "?"
            if found.code.isEmpty { problems.append("\(sample.path): no code") }
            if studio != "\(owner) (Fansly)" {
                problems.append("\(sample.path): studio \(studio ?? "none"), expected \(owner) (Fansly)")
            }
            let date = formatter.string(from: sample.createdAt)
            if found.date != date { problems.append("\(sample.path): date \(found.date ?? "none"), expected \(date)") }
        }
        return problems
    }
}
