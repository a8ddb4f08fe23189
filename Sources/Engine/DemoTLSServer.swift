#if canImport(Glibc)
import Glibc
#endif
import CLoadIO
import Core
import NIOCore

/// The demo target's https: a server TLS context on the system's OpenSSL (the library the load
/// engine's client side uses), from a PEM certificate chain and key.
final class DemoTLSContext: @unchecked Sendable {
    fileprivate let context: OpaquePointer

    init(_ identity: DemoServer.TLSIdentity) throws(StressError) {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw StressError(.internalError, "cannot set up TLS for the demo target", hint: TLSClientContext.lastError())
        }
        self.context = context
        // The first certificate is the server's; any others are its chain.
        let certificates = Self.read(identity.certificatePEM) { PEM_read_bio_X509($0, nil, nil, nil) }
        defer { certificates.forEach { X509_free($0) } }
        let key = Self.read(identity.privateKeyPEM) { PEM_read_bio_PrivateKey($0, nil, nil, nil) }.first
        defer { if let key { EVP_PKEY_free(key) } }
        guard let leaf = certificates.first, let key, SSL_CTX_use_certificate(context, leaf) == 1,
              certificates.dropFirst().allSatisfy({ addChainCertificate(context, $0) }),
              SSL_CTX_use_PrivateKey(context, key) == 1, SSL_CTX_check_private_key(context) == 1 else {
            throw StressError(.invalidInput, "the demo target's TLS certificate or key is not usable", hint: TLSClientContext.lastError())
        }
    }

    deinit { SSL_CTX_free(context) }

    /// Every PEM object `readOne` finds in `pem`, in order.
    private static func read<T>(_ pem: String, _ readOne: (OpaquePointer?) -> T?) -> [T] {
        var bytes = Array(pem.utf8)
        return bytes.withUnsafeMutableBytes { raw -> [T] in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(clamping: raw.count)) else { return [] }
            defer { BIO_free(bio) }
            var found: [T] = []
            while let object = readOne(bio) { found.append(object) }
            ERR_clear_error()  // the end of the text reads as an error
            return found
        }
    }
}

/// Adds a chain certificate (OpenSSL spells it as a macro over `SSL_CTX_ctrl`).
private func addChainCertificate(_ context: OpaquePointer, _ certificate: OpaquePointer) -> Bool {
    // SSL_CTRL_CHAIN_CERT with larg 1: add a reference, the caller keeps its own.
    SSL_CTX_ctrl(context, SSL_CTRL_CHAIN_CERT, 1, UnsafeMutableRawPointer(certificate)) == 1
}

/// TLS on one of the demo target's connections: ciphertext in and out of the channel, plaintext
/// to and from the HTTP handlers, through a pair of OpenSSL memory buffers.
final class DemoTLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let session: OpaquePointer
    /// OpenSSL reads the peer's bytes from here…
    private let incoming: OpaquePointer
    /// …and leaves its own here.
    private let outgoing: OpaquePointer
    private var handshakeDone = false
    private var failed = false
    private var readBuffer = [UInt8](repeating: 0, count: 16 << 10)

    init(context: DemoTLSContext) throws(StressError) {
        guard let session = SSL_new(context.context), let incoming = BIO_new(BIO_s_mem()), let outgoing = BIO_new(BIO_s_mem()) else {
            throw StressError(.internalError, "cannot start a TLS session", hint: TLSClientContext.lastError())
        }
        SSL_set_bio(session, incoming, outgoing)  // the session owns both now
        SSL_set_accept_state(session)
        self.session = session
        self.incoming = incoming
        self.outgoing = outgoing
    }

    deinit { SSL_free(session) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { raw in
            if let base = raw.baseAddress { _ = BIO_write(incoming, base, Int32(clamping: raw.count)) }
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        if !handshakeDone {
            let rc = SSL_do_handshake(session)
            if rc == 1 {
                handshakeDone = true
            } else if SSL_get_error(session, rc) != SSL_ERROR_WANT_READ {
                fail(context)
                return
            }
            // The handshake's answer, or the session tickets that follow it.
            flushCiphertext(context, promise: nil)
            context.flush()
            guard handshakeDone else { return }
        }
        while true {
            let n = readBuffer.withUnsafeMutableBytes { SSL_read(session, $0.baseAddress, Int32($0.count)) }
            if n > 0 {
                context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: readBuffer[..<Int(n)])))
                continue
            }
            switch SSL_get_error(session, n) {
            case SSL_ERROR_WANT_READ:
                // Reading may have produced bytes to send (a key update, a ticket).
                flushCiphertext(context, promise: nil)
                context.flush()
                return
            case SSL_ERROR_ZERO_RETURN:
                context.close(promise: nil)
                return
            default:
                fail(context)
                return
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        guard handshakeDone, !failed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let written = buffer.withUnsafeReadableBytes { raw -> Bool in
            guard let base = raw.baseAddress, raw.count > 0 else { return true }
            // Memory buffers take everything: one call writes the whole plaintext.
            return SSL_write(session, base, Int32(clamping: raw.count)) == Int32(clamping: raw.count)
        }
        guard written else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            fail(context)
            return
        }
        flushCiphertext(context, promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if handshakeDone, !failed, mode == .all {
            // close_notify, so the client sees a clean end of the stream.
            _ = SSL_shutdown(session)
            flushCiphertext(context, promise: nil)
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Moves what OpenSSL wrote into the channel; the promise completes with the last piece.
    private func flushCiphertext(_ context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        var pending = Int(BIO_ctrl_pending(outgoing))
        guard pending > 0 else {
            promise?.succeed(())
            return
        }
        var out = context.channel.allocator.buffer(capacity: pending)
        while pending > 0 {
            out.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { raw in
                Int(max(0, BIO_read(outgoing, raw.baseAddress, Int32(clamping: pending))))
            }
            pending = Int(BIO_ctrl_pending(outgoing))
        }
        context.write(wrapOutboundOut(out), promise: promise)
    }

    private func fail(_ context: ChannelHandlerContext) {
        failed = true
        ERR_clear_error()
        // An alert OpenSSL queued for the peer goes out before the close.
        flushCiphertext(context, promise: nil)
        context.flush()
        context.close(promise: nil)
    }
}
