import Foundation
import SyncEngine

/// What `apply` prints on standard output when it is done: the report as JSON with `--json`,
/// otherwise the summary for people.
enum ApplyReportOutput {
    static func render(_ report: SyncReport, json: Bool) throws -> String {
        guard json else { return SyncMonitor.summary(of: report) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}
