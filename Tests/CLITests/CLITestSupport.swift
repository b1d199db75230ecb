import Foundation
import XCTest

/// What a finished command printed and returned.
struct CLIResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
    /// stdout then stderr, for assertions that do not care which stream a line went to.
    var output: String { stdout + stderr }
}

/// Runs the package's built executables (they sit in the build products directory next to the
/// test bundle) and captures their output. Shared by every CLI test file.
enum CLI {
    /// The package root, found from this file's location.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The build products directory holding the executables.
    static let productsDirectory: URL? = {
        var candidates: [URL] = []
        for bundle in Foundation.Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
        candidates.append(Foundation.Bundle.main.bundleURL)
        if let argument = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: argument).deletingLastPathComponent())
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        return candidates.first {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("fansly-stash").path)
        }
    }()

    /// Path of the executable `name`, or a skip-free failure explaining how to build it.
    static func executable(_ name: String) throws -> URL {
        guard let directory = productsDirectory else {
            throw XCTSkip(
                "the built executables were not found beside the test bundle; run `swift build --build-tests` first")
        }
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw XCTSkip("\(name) is not built in \(directory.path); run `swift build --build-tests` first")
        }
        return url
    }

    /// Runs `executable` with `arguments` and waits for it (at most `timeout` seconds, then kills it).
    /// - Parameters:
    ///   - environment: added to (and overriding) the test process's environment.
    ///   - input: written to the command's standard input, which is then closed.
    @discardableResult
    static func run(
        _ arguments: [String], executable name: String = "fansly-stash", environment: [String: String] = [:],
        currentDirectory: URL? = nil, input: String? = nil, timeout: TimeInterval = 120
    ) throws -> CLIResult {
        let process = Process()
        process.executableURL = try executable(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = currentDirectory ?? packageRoot
        // Files rather than pipes: a chatty command cannot fill a pipe buffer and deadlock.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? outHandle.close(); try? errHandle.close() }
        process.standardOutput = outHandle
        process.standardError = errHandle
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inputPipe.fileHandleForWriting.close()
        }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            finished.wait()
            XCTFail("\(name) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        return CLIResult(
            exitCode: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fansly-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

/// A plan file's lines (`plan --json`, `show --json`, `plan --out FILE`) as one object, as the
/// tests read plans: the header's keys at the top, `changes` and `unmatched` as lists, and the end
/// line's `summary` and `notices`. Nil when the text is not a plan file.
enum PlanDocument {
    static func parse(_ data: Data) -> [String: Any]? {
        let lines = data.split(separator: UInt8(ascii: "\n"))
        guard let header = lines.first.flatMap({ try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }),
            header["format_version"] != nil
        else { return nil }
        var document = header
        var changes: [[String: Any]] = []
        var unmatched: [[String: Any]] = []
        for line in lines.dropFirst() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { return nil }
            if let change = object["change"] as? [String: Any] { changes.append(change) }
            if let item = object["unmatched"] as? [String: Any] { unmatched.append(item) }
            if let end = object["end"] as? [String: Any] {
                document["summary"] = end["summary"]
                document["notices"] = end["notices"]
            }
        }
        document["changes"] = changes
        document["unmatched"] = unmatched
        return document
    }

    static func parse(_ text: String) -> [String: Any]? { parse(Data(text.utf8)) }

    /// The plan saved at `url` (gzip-compressed or not).
    static func read(_ url: URL) throws -> [String: Any]? { parse(try Data(contentsOf: url)) }
}
