import Foundation
import GraphQL

/// The server a request runs against, and whether any resolver ran (to tell variable errors,
/// where nothing ran, from resolver errors).
final class RequestContext: @unchecked Sendable {
    unowned let server: StashTestServer
    private let lock = NSLock()
    private var ran = false
    /// When true, find resolvers hand their items over (see `DirectFind.swift`) and answer empty lists.
    let collectsFindItems: Bool
    private var items: [String: [any Sendable]] = [:]
    init(server: StashTestServer, collectsFindItems: Bool = false) {
        self.server = server; self.collectsFindItems = collectsFindItems
    }
    var resolverRan: Bool { lock.lock(); defer { lock.unlock() }; return ran }
    /// The items each find handed over, by root response key.
    var findItems: [String: [any Sendable]] { lock.lock(); defer { lock.unlock() }; return items }

    /// Keeps `result`'s items for direct writing when collecting; returns what GraphQL should complete.
    static func handOver(_ result: FindResultNode, context: any Sendable, info: GraphQLResolveInfo) -> FindResultNode {
        guard let context = context as? RequestContext, context.collectsFindItems,
            case .key(let rootKey)? = info.path.elements.last
        else { return result }
        context.lock.lock(); context.items[rootKey] = result.items; context.lock.unlock()
        return FindResultNode(listKey: result.listKey, count: result.count, items: [])
    }

    /// The server of the request, marking that a resolver ran.
    static func server(_ context: any Sendable) throws -> StashTestServer {
        guard let context = context as? RequestContext else { throw ResolverError("no request context") }
        context.lock.lock(); context.ran = true; context.lock.unlock()
        return context.server
    }
}
