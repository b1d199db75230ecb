import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Breaks one accepted connection at the socket, the way a crashed server, a restarting proxy or
/// a flaky network does: a close (FIN) or a reset (RST) with no HTTP answer at all.
///
/// FlyingFox does not hand its sockets to handlers, so the connection is found by its two ports
/// (the server's and the client's, which the request carries). Its descriptor is then replaced,
/// with `dup2`, by a fresh unconnected socket: that closes the real connection at once, while
/// FlyingFox keeps a valid descriptor whose writes fail (EPIPE) and which it closes itself. No
/// descriptor is ever closed under FlyingFox's feet, so none can be reused by another connection.
enum SocketFaults {
    /// How the connection ends.
    enum Ending {
        /// An orderly close: the client reads end-of-file where the answer should be.
        case close
        /// A reset (SO_LINGER 0): the client's next read or write fails with ECONNRESET.
        case reset
    }

    /// Ends the connection between the server's `serverPort` and the client's `clientPort`.
    /// Returns false when no such connection is open.
    @discardableResult
    static func end(serverPort: UInt16, clientPort: UInt16, _ ending: Ending) -> Bool {
        guard let fd = descriptor(serverPort: serverPort, clientPort: clientPort) else { return false }
        if ending == .reset {
            var immediately = linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &immediately, socklen_t(MemoryLayout<linger>.size))
        }
        #if os(Linux)
        let streamType = Int32(SOCK_STREAM.rawValue)
        #else
        let streamType = SOCK_STREAM
        #endif
        let replacement = socket(AF_INET, streamType, 0)
        guard replacement >= 0 else { return false }
        _ = fcntl(replacement, F_SETFL, fcntl(replacement, F_GETFL) | O_NONBLOCK)
        let replaced = dup2(replacement, fd) == fd
        close(replacement)
        return replaced
    }

    /// The descriptor of the TCP connection whose local port is `serverPort` and remote port `clientPort`.
    static func descriptor(serverPort: UInt16, clientPort: UInt16) -> Int32? {
        for fd in openDescriptors() {
            guard port(of: fd, peer: false) == serverPort, port(of: fd, peer: true) == clientPort else { continue }
            return fd
        }
        return nil
    }

    private static func openDescriptors() -> [Int32] {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            return names.compactMap(Int32.init).filter { $0 > 2 }.sorted()
        }
        return Array(3..<4096)
    }

    private static func port(of fd: Int32, peer: Bool) -> UInt16? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
            }
        }
        guard result == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
        return UInt16(bigEndian: address.sin_port)
    }
}
