import FlyingFox
import FlyingSocks
public import Foundation
import GraphQL

/// An in-memory Stash speaking v0.30.1's GraphQL over HTTP on 127.0.0.1, for tests and benchmarks.
///
/// It checks the `ApiKey` header (401 with an empty body), answers parse and validation errors
/// with 422 or 400 depending on `Accept`, runs each aliased mutation as its own transaction, in
/// order, with Stash's validation messages at HTTP 200, and can inject latency and failures.
public final class StashTestServer: @unchecked Sendable {
    private struct Injection {
        let fault: Fault
        /// A root field name (`galleryCreate`), or nil for any request.
        let field: String?
        var remaining: Int
    }

    /// The API key requests must carry, or nil for a Stash without authentication.
    public let apiKey: String?
    /// What `version` answers.
    public var version: String? {
        get { locked { _version } }
        set { locked { _version = newValue } }
    }
    /// What `systemStatus.status` answers (`OK`, `NEEDS_MIGRATION`, `SETUP`).
    public var status: String {
        get { locked { _status } }
        set { locked { _status = newValue } }
    }
    /// Answer with `Content-Encoding: gzip` when the request accepts it, as Stash does.
    var compressResponses: Bool {
        get { locked { _compress } }
        set { locked { _compress = newValue } }
    }
    /// Answers sent gzip-compressed.
    public var gzipResponseCount: Int { locked { _gzipResponseCount } }
    /// When false, requests are parsed and validated but not run: every root field answers a stub
    /// (`{"id":"1"}`, `true` for gallery image changes). Benchmarks
    /// use it to measure the client without the server's GraphQL execution.
    public var executesRequests: Bool {
        get { locked { _executes } }
        set { locked { _executes = newValue } }
    }
    /// Write the items of finds straight to JSON (the fast path) instead of completing them field by
    /// field through GraphQL execution. Both give the same answer; tests turn it off to compare.
    public var writesFindsDirectly: Bool {
        get { locked { _direct } }
        set { locked { _direct = newValue } }
    }
    /// Remember the results of finds (and index the paths) while the state is unchanged (see
    /// `FindMemo`). Both give the same answers; tests turn it off to compare.
    public var reusesFinds: Bool {
        get { locked { _reusesFinds } }
        set { locked { _reusesFinds = newValue } }
    }
    /// Added to every request.
    public var latency: Duration {
        get { locked { _latency } }
        set { locked { _latency = newValue } }
    }

    private let lock = NSLock()
    private var _state = StashState()
    /// Counts every change of `_state` (`modify`, each mutation): finds remember their results per version.
    private var stateVersion = 0
    private let findMemo = FindMemo()
    private var _reusesFinds = true
    private var _version: String? = "v0.30.1"
    private var _status = "OK"
    private var _latency: Duration = .zero
    private var _compress = true
    private var _executes = true
    private var _direct = true
    private var directPlans: [String: DirectFindPlan?] = [:]
    private var _gzipResponseCount = 0
    private var injections: [Injection] = []
    private var schedule: (@Sendable (ScheduledRequest) -> Fault?)?
    private var _graphQLRequestCount = 0
    private var _undecodableRequestCount = 0
    private var _faultsApplied = 0
    private var _requestCount = 0
    private var _directFindCount = 0
    private var _fieldCounts: [String: Int] = [:]
    private var server: HTTPServer?
    private var serverTask: Task<Void, Error>?
    private var documentCache: [String: Result<Document, GraphQLErrorList>] = [:]
    private var _port: UInt16 = 0
    var sessions = SessionCookieJar()
    private var schema: GraphQLSchema { line == .v0_31 ? Self.sharedSchemaV031 : Self.sharedSchema }
    /// The Stash release whose API the server speaks.
    public let line: StashSchemaLine

    /// A server requiring `apiKey` (nil: no authentication), speaking `line`'s API.
    public init(apiKey: String? = nil, line: StashSchemaLine = .v0_30) {
        self.apiKey = apiKey
        self.line = line
        _version = line.rawValue
    }

    deinit { serverTask?.cancel() }

    // MARK: Lifecycle

    /// Starts listening on a free port of 127.0.0.1.
    public func start() async throws {
        _ = schema
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: 0)
        let handler = ClosureHTTPHandler { [weak self] request in
            guard let self else { return HTTPResponse(statusCode: .serviceUnavailable) }
            return self.refreshingSession(of: request, await self.handle(request))
        }
        let server = HTTPServer(address: address, timeout: 60, logger: .disabled, handler: handler)
        locked { self.server = server }
        let task = Task { try await server.run() }
        locked { serverTask = task }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            throw StashTestServerError.notListening
        }
        locked { _port = port }
        SocketTuning.disableNagle(onListenerAt: port)
    }

    /// Stops listening and closes open connections.
    public func stop() async {
        let (server, task) = locked { (self.server, self.serverTask) }
        await server?.stop(timeout: 0)
        task?.cancel()
        _ = try? await task?.value
        locked {
            self.server = nil; self.serverTask = nil
        }
    }

    /// True between `start()` and `stop()`.
    var isRunning: Bool { locked { server != nil } }

    /// The port bound by `start()`.
    public var port: UInt16 { locked { _port } }
    /// `http://127.0.0.1:<port>`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    // MARK: State for tests

    /// A snapshot of everything the server holds.
    public var state: StashState { locked { _state } }

    /// Changes the state directly (seeding, simulating a user's edits in Stash).
    @discardableResult
    public func modify<T>(_ body: (inout StashState) throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        stateVersion += 1
        return try body(&_state)
    }

    /// The state a find reads, and what it may reuse of earlier finds on the same state.
    func stateForFind() -> (StashState, FindReuse?) {
        locked { (_state, _reusesFinds ? FindReuse(memo: findMemo, version: stateVersion) : nil) }
    }

    // MARK: Faults and counters

    /// Makes the next `times` requests touching root field `field` (any request when nil) fail with `fault`.
    public func inject(_ fault: Fault, on field: String? = nil, times: Int = 1) {
        locked { injections.append(Injection(fault: fault, field: field, remaining: times)) }
    }

    /// Decides a fault for every request from now on (after the `inject` ones, which go first):
    /// e.g. `{ $0.number % 4 == 0 ? .dropConnectionAfterApplying : nil }`. nil removes the schedule.
    public func scheduleFaults(_ schedule: (@Sendable (ScheduledRequest) -> Fault?)?) {
        locked { self.schedule = schedule }
    }

    /// Removes every pending injection and the schedule.
    public func clearInjections() {
        locked {
            injections.removeAll(); schedule = nil
        }
    }

    /// Requests whose body was not a GraphQL request (empty or truncated JSON), answered 422/400.
    public var undecodableRequestCount: Int { locked { _undecodableRequestCount } }

    /// Faults injected so far (by `inject` or the schedule).
    public var faultsApplied: Int { locked { _faultsApplied } }

    /// HTTP requests received (including rejected ones).
    public var requestCount: Int { locked { _requestCount } }

    /// Requests that selected root field `field` (once per request, however many aliases).
    public func requestCount(for field: String) -> Int { locked { _fieldCounts[field] ?? 0 } }

    /// Resets the counters.
    public func resetCounters() {
        locked {
            _requestCount = 0; _fieldCounts = [:]; _directFindCount = 0; _graphQLRequestCount = 0; _faultsApplied = 0
        }
        findMemo.resetHits()
    }
    /// Forgets the finds' results remembered so far (`reusesFinds`): the next client is answered
    /// as the first one was, with nothing remembered (a benchmark's repeated runs).
    public func forgetFinds() { findMemo.forgetAll() }

    /// Finds answered from a result remembered on the same state (see `reusesFinds`), since the
    /// last `resetCounters()`.
    public var reusedFindCount: Int { findMemo.hits }

    /// Requests whose finds were answered on the fast path (items written straight to JSON, see
    /// `writesFindsDirectly`), as opposed to GraphQL's field-by-field completion.
    public var directFindCount: Int { locked { _directFindCount } }

    // MARK: HTTP

    private func handle(_ request: HTTPRequest) async -> HTTPResponse {
        locked { _requestCount += 1 }
        let latency = self.latency
        if latency > .zero { try? await Task.sleep(for: latency) }

        // Auth first, as Stash's middleware does: 401 with an empty body.
        let sentKey = request.headers[HTTPHeader("ApiKey")] ?? request.query.first { $0.name == "apikey" }?.value
        if let apiKey {
            guard sentKey == apiKey || hasValidSession(request) else { return Self.unauthorized() }
        } else if let sentKey, !sentKey.isEmpty {
            return Self.unauthorized()
        }
        guard request.method == .POST, request.path == "/graphql" else {
            return HTTPResponse(statusCode: .notFound)
        }

        let accept = request.headers[HTTPHeader("Accept")] ?? ""
        let body: Data
        do { body = try await request.bodyData } catch { return HTTPResponse(statusCode: .badRequest) }
        let payload: GraphQLRequestBody
        do { payload = try JSONDecoder().decode(GraphQLRequestBody.self, from: body) } catch {
            // What a client that loses its request bodies after a dropped connection sends.
            locked { _undecodableRequestCount += 1 }
            return Self.requestError(["json request body could not be decoded: \(error)"], code: nil, accept: accept)
        }

        let document: Document
        switch parsedDocument(payload.query) {
        case .success(let parsed): document = parsed
        case .failure(let list):
            let code = list.isParseError ? "GRAPHQL_PARSE_FAILED" : "GRAPHQL_VALIDATION_FAILED"
            return Self.errorResponse(list.errors, code: code, accept: accept)
        }

        let selections = Self.rootSelections(of: document, operationName: payload.operationName)
        let fields = selections.map(\.name)
        let isMutation = Self.isMutation(document, operationName: payload.operationName)
        let fault = locked { () -> Fault? in
            for field in Set(fields) { _fieldCounts[field, default: 0] += 1 }
            _graphQLRequestCount += 1
            var chosen: Fault?
            if let index = injections.firstIndex(where: {
                $0.remaining > 0 && ($0.field == nil || fields.contains($0.field!))
            }) {
                injections[index].remaining -= 1
                chosen = injections[index].fault
                if injections[index].remaining == 0 { injections.remove(at: index) }
            } else {
                chosen = schedule?(
                    ScheduledRequest(number: _graphQLRequestCount, fields: fields, isMutation: isMutation))
            }
            if chosen != nil { _faultsApplied += 1 }
            return chosen
        }
        switch fault {
        case .status(let code)?: return HTTPResponse(statusCode: HTTPStatusCode(code, phrase: "Injected"))
        case .dropConnection?: return breakConnection(of: request, .close)
        case .reset?: return breakConnection(of: request, .reset)
        case .delay(let duration)?: try? await Task.sleep(for: duration)
        case .neverAnswer?: return await silence()
        default: break
        }

        if !executesRequests {
            return Self.json(status: .ok, contentType: "application/json", body: Self.stubAnswer(selections))
        }

        let plan =
            writesFindsDirectly
            ? directPlan(payload.query, operationName: payload.operationName, document: document) : nil
        var context = RequestContext(server: self, collectsFindItems: plan != nil)
        var result: GraphQLResult
        var encoded: Data?
        do {
            result = try await execute(
                schema: schema, documentAST: document, rootValue: (), context: context,
                variableValues: payload.variables ?? [:], operationName: payload.operationName)
            if let plan {
                encoded = try? Self.encode(result, plan: plan, items: context.findItems)
                if encoded != nil && !plan.lists.isEmpty { locked { _directFindCount += 1 } }
                if encoded == nil {
                    context = RequestContext(server: self)
                    result = try await execute(
                        schema: schema, documentAST: document, rootValue: (), context: context,
                        variableValues: payload.variables ?? [:], operationName: payload.operationName)
                }
            }
        } catch {
            return Self.requestError(["\(error)"], code: nil, accept: accept)
        }

        switch fault {
        case .dropConnectionAfterApplying?: return breakConnection(of: request, .close)
        case .resetAfterApplying?: return breakConnection(of: request, .reset)
        case .statusAfterApplying(let code)?: return HTTPResponse(statusCode: HTTPStatusCode(code, phrase: "Injected"))
        case .replyAfter(let duration)?: try? await Task.sleep(for: duration)
        default: break
        }

        if result.data == nil && !context.resolverRan {
            // Variable coercion failed before anything ran: Stash reports it as a validation failure.
            return Self.errorResponse(
                result.errors, code: "GRAPHQL_VALIDATION_FAILED", accept: accept, variableErrors: true)
        }
        let nonNullAliases = Set(selections.filter { Self.nonNullMutationFields.contains($0.name) }.map(\.alias))
        if result.errors.contains(where: { error in
            if case .key(let alias)? = error.path.elements.first { return nonNullAliases.contains(alias) }
            return false
        }) {
            // A failed non-null root field nulls the whole `data`, as in gqlgen.
            result.data = nil
        }
        let answer = encoded ?? Self.encode(result)
        let acceptEncoding = request.headers[HTTPHeader("Accept-Encoding")]?.lowercased() ?? ""
        if compressResponses && acceptEncoding.contains("gzip") {
            locked { _gzipResponseCount += 1 }
            return HTTPResponse(
                statusCode: .ok, headers: [.contentType: "application/json", .contentEncoding: "gzip"],
                body: Gzip.encode(answer))
        }
        return Self.json(status: .ok, contentType: "application/json", body: answer)
    }

    private func parsedDocument(_ query: String) -> Result<Document, GraphQLErrorList> {
        if let cached = locked({ documentCache[query] }) { return cached }
        let result: Result<Document, GraphQLErrorList>
        do {
            let document = try parse(source: Source(body: query, name: "GraphQL request"))
            let errors = validate(schema: schema, ast: document)
            result =
                errors.isEmpty ? .success(document) : .failure(GraphQLErrorList(errors: errors, isParseError: false))
        } catch let error as GraphQLError {
            result = .failure(GraphQLErrorList(errors: [error], isParseError: true))
        } catch {
            result = .failure(GraphQLErrorList(errors: [GraphQLError(message: "\(error)")], isParseError: true))
        }
        locked {
            if documentCache.count > 512 { documentCache.removeAll() }
            documentCache[query] = result
        }
        return result
    }

    /// The operation's root fields: response key (alias or name) and field name.
    private static func rootSelections(of document: Document, operationName: String?) -> [(alias: String, name: String)]
    {
        for definition in document.definitions {
            guard let operation = definition as? OperationDefinition else { continue }
            if let operationName, operation.name?.value != operationName { continue }
            return operation.selectionSet.selections.compactMap { selection in
                guard let field = selection as? Field else { return nil }
                return (field.alias?.value ?? field.name.value, field.name.value)
            }
        }
        return []
    }

    private func directPlan(_ query: String, operationName: String?, document: Document) -> DirectFindPlan? {
        let key = (operationName ?? "") + "\u{0}" + query
        if let cached = locked({ directPlans[key] }) { return cached }
        let plan = DirectFindPlan.make(document: document, operationName: operationName, schema: schema)
        locked {
            if directPlans.count > 512 { directPlans.removeAll() }
            directPlans[key] = .some(plan)
        }
        return plan
    }

    // MARK: Locking

    /// The session cookies, under the server's lock.
    func modifySessions<T>(_ body: (inout SessionCookieJar) -> T) -> T { locked { body(&sessions) } }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// Runs a mutation as one transaction. `inPlace` mutations check everything before their first
    /// write, so they change the state directly: copying a large state for every field made
    /// batches cost O(library size) per item. Others run on a copy that replaces the state only
    /// if they succeed.
    func transact<T>(inPlace: Bool, _ body: (inout StashState) throws -> T) throws -> (T, StashState) {
        lock.lock(); defer { lock.unlock() }
        stateVersion += 1
        if inPlace {
            // Hand the storage over so that it is uniquely referenced and written without copying.
            var working = _state
            _state = StashState()
            defer { _state = working }
            let value = try body(&working)
            return (value, working)
        }
        var copy = _state
        let value = try body(&copy)
        _state = copy
        return (value, copy)
    }
}

/// Errors of the test server itself.
public enum StashTestServerError: Error, CustomStringConvertible {
    case notListening
    public var description: String { "the test server did not start listening on 127.0.0.1" }
}

struct GraphQLErrorList: Error {
    let errors: [GraphQLError]
    let isParseError: Bool
}

private struct GraphQLRequestBody: Decodable {
    let query: String
    let variables: [String: Map]?
    let operationName: String?
}
