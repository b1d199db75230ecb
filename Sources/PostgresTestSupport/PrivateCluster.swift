import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A second, private PostgreSQL cluster that a test class starts itself with `scripts/test-postgres`
/// (e.g. one that takes TLS connections only) and stops when it is done: start it once per class,
/// it takes seconds.
///
/// It is started only where a test server is configured (`TestPostgres.server()` is not nil), so a
/// machine without PostgreSQL skips as the other PostgreSQL tests do, and with `CI=true` a failure
/// to start is a test failure.
public final class PrivateCluster: @unchecked Sendable {
    /// The cluster's superuser view (its URL is in `folder/url`).
    public let server: TestPostgres
    private let folder: URL
    private static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/test-postgres").path

    private init(server: TestPostgres, folder: URL) { self.server = server; self.folder = folder }

    /// Starts a cluster accepting TLS connections only (`test-postgres start --ssl-only`).
    public static func startSSLOnly() throws -> PrivateCluster {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fs-pg-ssl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            try run(["start", "--ssl-only", folder.path])
            let url = try String(contentsOf: folder.appendingPathComponent("url"), encoding: .utf8)
            return PrivateCluster(
                server: try TestPostgres.server(url: url.trimmingCharacters(in: .whitespacesAndNewlines)),
                folder: folder)
        } catch {
            try? run(["stop", folder.path])
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// Stops the server and removes its folder.
    public func stop() {
        try? Self.run(["stop", folder.path])
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs the script, at most two minutes (initdb and a start on a loaded machine take seconds).
    /// Spawned and reaped here rather than with `Process`, whose exit notification did not arrive
    /// when called from a test class's `setUp` (the child stayed a zombie). Its error output goes to
    /// a file, not a pipe: the server it starts inherits the descriptor and would hold a pipe open.
    private static func run(_ arguments: [String]) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(
            "test-postgres-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ["/bin/bash", script] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw TestPostgresError("cannot run \(script): error \(spawned)") }
        var status: Int32 = 0
        let deadline = Date(timeIntervalSinceNow: 120)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw TestPostgresError("test-postgres \(arguments.joined(separator: " ")) did not finish within 120 s")
            }
            usleep(20_000)
        }
        // Exited normally with status 0 (the wait status's low 7 bits are the signal, the next 8 the code).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let message = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestPostgresError("test-postgres \(arguments.joined(separator: " ")) failed: \(message)")
        }
    }
}
