import Glibc

/// Opens the server's listening socket: `getaddrinfo`, `socket`, `SO_REUSEADDR`, `bind`, `listen`.
enum ListeningSocket {
    /// Returns the non-blocking listening descriptor and the bound port. With `requireLoopback`,
    /// an address that is not loopback is refused before anything is bound.
    static func open(configuration: ServerConfiguration, requireLoopback: Bool) throws -> (fd: Int32, port: UInt16) {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(configuration.host, String(configuration.port), &hints, &list) == 0, let first = list else {
            throw HTTPServerError.unresolvableHost(configuration.host)
        }
        defer { freeaddrinfo(list) }
        let info = first.pointee
        if requireLoopback && !isLoopback(info.ai_addr) {
            throw HTTPServerError.plainHTTPOnPublicAddress(configuration.host)
        }
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError.socketFailed("create a socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.ai_addr, info.ai_addrlen) == 0 else {
            let code = errno
            close(fd)
            throw HTTPServerError.bindFailed(configuration.host, configuration.port, errno: code)
        }
        guard listen(fd, configuration.listenBacklog) == 0 else {
            let code = errno
            close(fd)
            throw HTTPServerError.socketFailed("listen", errno: code)
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, PeerAddress.port(of: address))
    }

    /// 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
    static func isLoopback(_ address: UnsafePointer<sockaddr>) -> Bool {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt32(bigEndian: $0.pointee.sin_addr.s_addr) >> 24 == 127
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                let bytes = withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
                if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
                return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
            }
        default:
            return false
        }
    }
}
