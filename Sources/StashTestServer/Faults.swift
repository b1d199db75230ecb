import FlyingFox
import GraphQL

// Faults the test server injects, per request: chosen by `inject(_:on:times:)` or by a schedule
// (`scheduleFaults`), never by anything the client sends. Connection faults happen at the socket.
extension StashTestServer {
    /// A failure to inject into a request, at the socket or in the HTTP answer.
    public enum Fault: Sendable, Hashable {
        /// Answer with this HTTP status and an empty body, without running the request.
        case status(Int)
        /// Close the connection (FIN) without an answer, without running the request.
        case dropConnection
        /// Run the request (mutations are applied), then close the connection without an answer.
        case dropConnectionAfterApplying
        /// Reset the connection (RST: SO_LINGER 0) without an answer, without running the request.
        case reset
        /// Run the request, then reset the connection without an answer.
        case resetAfterApplying
        /// Run the request, then answer with this status instead of the result.
        case statusAfterApplying(Int)
        /// Wait this long before running the request and answering.
        case delay(Duration)
        /// Run the request, then wait this long before answering (a reply slower than the client's timeout).
        case replyAfter(Duration)
        /// Never answer: the connection stays open and silent until the client gives up or the server stops.
        case neverAnswer
    }

    /// What a fault schedule knows about a request when it decides.
    public struct ScheduledRequest: Sendable {
        /// 1-based position among the GraphQL requests this server parsed (rejected keys and
        /// unparsable documents are not counted).
        public var number: Int
        /// The root field names the request selects (`performerCreate`, `findScenes`…).
        public var fields: [String]
        /// True when the document is a mutation.
        var isMutation: Bool
    }

    /// Closes or resets the request's connection at the socket, before any byte of an answer.
    func breakConnection(of request: HTTPRequest, _ ending: SocketFaults.Ending) -> HTTPResponse {
        if case .ip4(_, let clientPort)? = request.remoteAddress,
            SocketFaults.end(serverPort: port, clientPort: clientPort, ending)
        {
            // FlyingFox's write of this answer fails on the replaced descriptor, and it closes it.
            return HTTPResponse(statusCode: .internalServerError)
        }
        return Self.droppedConnection()
    }

    /// Waits until the server stops (its tasks are cancelled) or FlyingFox's own handler timeout.
    func silence() async -> HTTPResponse {
        while !Task.isCancelled && isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        return HTTPResponse(statusCode: .serviceUnavailable)
    }

    static func isMutation(_ document: Document, operationName: String?) -> Bool {
        for definition in document.definitions {
            guard let operation = definition as? OperationDefinition else { continue }
            if let operationName, operation.name?.value != operationName { continue }
            return operation.operation == .mutation
        }
        return false
    }

}
