import XCTest

@testable import SyncEngine

/// The allocator setting reaches glibc through the C target (a wrong binding would be refused or not link).
final class GlibcMallocTests: XCTestCase {
    func testGlibcTakesTheOneArenaSetting() throws {
        #if canImport(Glibc)
        XCTAssertTrue(GlibcMalloc.limitToOneArena(), "mallopt(M_ARENA_MAX, 1) refused")
        GlibcMalloc.returnFreedMemory()
        #else
        XCTAssertFalse(GlibcMalloc.limitToOneArena(), "no glibc, nothing to tune")
        #endif
    }
}
