import FlyingFox
import FlyingSocks
import Foundation
import GraphQL
import OrderedCollections

/// The HTTP answers: authentication and request errors as gqlgen sends them, and GraphQL results
/// written as JSON (directly for finds on the fast path).
extension StashTestServer {
    static func unauthorized() -> HTTPResponse {
        HTTPResponse(statusCode: .unauthorized, headers: [HTTPHeader("WWW-Authenticate"): "FormBased"], body: Data())
    }

    /// `*/*` or the GraphQL media type → 400 `application/graphql-response+json`; none or
    /// `application/json` → 422 `application/json` (gqlgen's POST transport).
    private static func validationStatus(accept: String) -> (HTTPStatusCode, String) {
        let lowered = accept.lowercased()
        if lowered.contains("application/graphql-response+json")
            || (lowered.contains("*/*") && !lowered.contains("application/json"))
        {
            return (.badRequest, "application/graphql-response+json")
        }
        return (HTTPStatusCode(422, phrase: "Unprocessable Entity"), "application/json")
    }

    static func requestError(_ messages: [String], code: String?, accept: String) -> HTTPResponse {
        errorResponse(messages.map { GraphQLError(message: $0) }, code: code, accept: accept)
    }

    static func errorResponse(
        _ errors: [GraphQLError], code: String?, accept: String, variableErrors: Bool = false
    ) -> HTTPResponse {
        let (status, contentType) = validationStatus(accept: accept)
        let entries: [[String: Any]] = errors.map { error in
            var entry: [String: Any] = ["message": error.message]
            if !error.locations.isEmpty {
                entry["locations"] = error.locations.map { ["line": $0.line, "column": $0.column] }
            }
            if variableErrors, let name = Self.variableName(in: error.message) { entry["path"] = ["variable", name] }
            if let code { entry["extensions"] = ["code": code] }
            return entry
        }
        let body =
            (try? JSONSerialization.data(withJSONObject: ["errors": entries, "data": NSNull()], options: [.sortedKeys]))
            ?? Data()
        return json(status: status, contentType: contentType, body: body)
    }

    private static func variableName(in message: String) -> String? {
        guard let range = message.range(of: "Variable \"$") else { return nil }
        let rest = message[range.upperBound...]
        return rest.prefix { $0 != "\"" }.description
    }

    /// The plan of a query whose finds can be written directly, cached by document text.
    /// `result` with the find items the resolvers handed over written in place of their empty lists.
    static func encode(_ result: GraphQLResult, plan: DirectFindPlan, items: [String: [any Sendable]]) throws
        -> Data
    {
        guard case .dictionary(let roots)? = result.data else { return encode(result) }
        var writer = JSONWriter(capacity: 1 << 20)
        writer.append("{\"data\":{")
        var first = true
        for (rootKey, value) in roots where !value.isUndefined {
            if !first { writer.append(",") }
            first = false
            writer.write(rootKey)
            writer.append(":")
            guard let list = plan.lists[rootKey], case .dictionary(let fields) = value else {
                writer.write(value)
                continue
            }
            guard let rootItems = items[rootKey] else { throw DirectFindFallback() }
            writer.append("{")
            var firstField = true
            for (key, fieldValue) in fields where !fieldValue.isUndefined {
                if !firstField { writer.append(",") }
                firstField = false
                writer.write(key)
                writer.append(":")
                if key == list.key {
                    try writer.writeDirect(items: rootItems, selection: list.selection)
                } else {
                    writer.write(fieldValue)
                }
            }
            writer.append("}")
        }
        writer.append("}")
        writeErrors(result, into: &writer)
        writer.append("}")
        return Data(writer.bytes)
    }

    static func encode(_ result: GraphQLResult) -> Data {
        var writer = JSONWriter()
        writer.append("{\"data\":")
        writer.write(result.data ?? .null)
        writeErrors(result, into: &writer)
        writer.append("}")
        return Data(writer.bytes)
    }

    private static func writeErrors(_ result: GraphQLResult, into writer: inout JSONWriter) {
        if !result.errors.isEmpty {
            writer.append(",\"errors\":[")
            for (index, error) in result.errors.enumerated() {
                if index > 0 { writer.append(",") }
                writer.append("{\"message\":")
                writer.write(error.message)
                if !error.path.elements.isEmpty {
                    writer.append(",\"path\":[")
                    for (position, element) in error.path.elements.enumerated() {
                        if position > 0 { writer.append(",") }
                        switch element {
                        case .index(let index): writer.append(String(index))
                        case .key(let key): writer.write(key)
                        }
                    }
                    writer.append("]")
                }
                writer.append("}")
            }
            writer.append("]")
        }
    }

    static func stubAnswer(_ selections: [(alias: String, name: String)]) -> Data {
        var writer = JSONWriter()
        writer.append("{\"data\":{")
        for (index, selection) in selections.enumerated() {
            if index > 0 { writer.append(",") }
            writer.write(selection.alias)
            if nonNullMutationFields.contains(selection.name) {
                writer.append(":true")
            } else {
                writer.append(":{\"id\":\"1\"}")
            }
        }
        writer.append("}}")
        return Data(writer.bytes)
    }

    static func json(status: HTTPStatusCode, contentType: String, body: Data) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: [.contentType: contentType], body: body)
    }

    /// Fallback when the connection cannot be found: headers go out, then the body fails and
    /// FlyingFox closes the connection mid-answer.
    static func droppedConnection() -> HTTPResponse {
        HTTPResponse(
            statusCode: .ok, headers: [.contentType: "application/json"],
            body: HTTPBodySequence(from: FailingBytes(), count: 4096))
    }
}

/// A response body that fails on first read.
private struct FailingBytes: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    struct AsyncIterator: AsyncBufferedIteratorProtocol {
        mutating func next() async throws -> UInt8? { throw CancellationError() }
        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? { throw CancellationError() }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
}
