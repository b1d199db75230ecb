import Foundation

/// Waits out another program's lock on the database, and says so once: the downloader rewrites
/// its database every 60 seconds, and a run that silently stalls looks like a hang.
final class LockWait: @unchecked Sendable {
    /// Where the notice goes (standard error unless a test captures it).
    nonisolated(unsafe) static var notice: @Sendable (String) -> Void = { text in
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    private let path: String
    private let deadline: TimeInterval
    private let lock = NSLock()
    private var waitingSince: Date?

    init(path: String, timeout: TimeInterval) {
        self.path = path
        self.deadline = timeout
    }

    /// SQLite's busy handler: `attempts` is 0 on the first call of each wait. Sleeps a little and
    /// retries until the timeout, then gives up (SQLite reports the lock, translated to a clear error).
    func retry(_ attempts: Int) -> Bool {
        lock.lock()
        if attempts == 0 || waitingSince == nil {
            waitingSince = Date()
            Self.notice(
                "The database \(path) is locked by another program (the downloader saves it every 60 seconds); "
                    + "waiting up to \(Int(deadline)) s…")
        }
        let waited = Date().timeIntervalSince(waitingSince ?? Date())
        lock.unlock()
        guard waited < deadline else { return false }
        Thread.sleep(forTimeInterval: 0.05)
        return true
    }
}
