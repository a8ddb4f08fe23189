#if canImport(Glibc)
import Glibc
#endif

/// One client connection of the fault proxy and the upstream connection it was given: both
/// sockets, the bytes each still has to take, and where the current request is. On the proxy's
/// loop only.
final class ProxySession {
    /// Where the client's byte stream is.
    enum Phase {
        /// Reading a request head.
        case head
        /// Relaying (or, for a request the proxy answered, dropping) the request's body.
        case body(remaining: Int)
        /// The request went upstream whole; its response is on its way. Client bytes wait.
        case waiting
        /// Relaying both ways unchanged: TLS passthrough, or a request the proxy cannot frame.
        case tunnel
        /// Reading and dropping everything: a blackhole caught this connection.
        case blackholed
        /// The connection ends once the client has what it is owed; client bytes are ignored.
        case closing

        /// Bytes may still go to the client.
        var isOpen: Bool {
            switch self {
            case .head, .body, .waiting, .tunnel: true
            case .blackholed, .closing: false
            }
        }
    }

    /// How the session ends, decided in the middle of handling an event and done at its end.
    enum Ending {
        case close
        /// An RST to the client (SO_LINGER 0).
        case reset
    }

    let slot: Int
    /// The client socket's token; the upstream socket's is this with the low bit set.
    let token: UInt64
    let client: CInt
    /// -1 once closed.
    var upstream: CInt
    var upstreamConnecting = true

    var toClient = Outbox()
    var toUpstream = Outbox()
    /// Client bytes a latency fault holds back, in order.
    var delayed = DelayLine()
    var delayTimer: ReactorTimer?
    /// Bandwidth throttles: client → upstream, and upstream → client.
    var upThrottle: TokenBucket?
    var downThrottle: TokenBucket?

    /// The interests the sockets are registered with.
    var clientInterest = Reactor.Readiness()
    var upstreamInterest = Reactor.Readiness()

    var ending: Ending?
    /// Close once `toClient` is empty.
    var closeWhenFlushed = false
    var closed = false

    // The HTTP exchange (unused in TLS passthrough).
    var phase: Phase
    /// The request head read so far.
    var head: [UInt8] = []
    /// Client bytes read while a response was still due (a pipelining client): handled after it.
    var backlog: [UInt8] = []
    /// The current request went (or goes, once its delay is over) upstream; its response is due.
    var awaitingResponse = false
    /// The current request was answered by the proxy: its body is read and dropped.
    var discardBody = false
    var responseParser = HTTPResponseParser()
    /// Monotonic time the current request is held until (0: not held).
    var releaseAt: Int64 = 0

    init(slot: Int, token: UInt64, client: CInt, upstream: CInt, phase: Phase) {
        self.slot = slot
        self.token = token
        self.client = client
        self.upstream = upstream
        self.phase = phase
    }

    /// Bytes on their way upstream that the upstream socket has not taken yet.
    var pendingUpstream: Int { toUpstream.count &+ delayed.byteCount }

    /// The exchange is over and nothing is queued: a throttle has nothing left to slow.
    var isQuiet: Bool {
        guard case .head = phase else { return false }
        return !awaitingResponse && toClient.isEmpty && pendingUpstream == 0
    }
}

/// Bytes a socket has yet to take, in order.
struct Outbox {
    private var bytes: [UInt8] = []
    private var offset = 0

    /// Bytes still to write.
    var count: Int { bytes.count - offset }
    var isEmpty: Bool { offset == bytes.count }

    mutating func append(_ raw: UnsafeRawBufferPointer) {
        compact()
        bytes.append(contentsOf: raw)
    }

    /// Calls `body` with up to `limit` of the bytes still to write; it returns how many were written.
    mutating func write(upTo limit: Int, _ body: (UnsafeRawBufferPointer) -> Int) {
        let written = bytes.withUnsafeBytes { raw in
            body(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + min(limit, raw.count - offset))]))
        }
        offset += written
        if offset == bytes.count {
            // Keep a buffer of a usual size for the next time; give a large one back.
            if bytes.capacity > 64 * 1024 { bytes = [] } else { bytes.removeAll(keepingCapacity: true) }
            offset = 0
        }
    }

    /// Drops the bytes already written once they are the bigger part.
    private mutating func compact() {
        if offset > 16 * 1024 && offset >= bytes.count - offset {
            bytes.removeFirst(offset)
            offset = 0
        }
    }
}

/// Bytes held back by a latency fault, each run with the monotonic time it may go.
struct DelayLine {
    private struct Run {
        var at: Int64
        var bytes: [UInt8]
    }

    private var runs: [Run] = []
    private(set) var byteCount = 0

    var isEmpty: Bool { runs.isEmpty }
    /// When the first run may go.
    var nextRelease: Int64? { runs.first?.at }

    /// Queues `raw` to go at `at`, or after what is already queued (bytes never overtake).
    mutating func append(_ raw: UnsafeRawBufferPointer, at: Int64) {
        let at = max(at, runs.last?.at ?? at)
        if let last = runs.indices.last, runs[last].at == at {
            runs[last].bytes.append(contentsOf: raw)
        } else {
            runs.append(Run(at: at, bytes: Array(raw)))
        }
        byteCount &+= raw.count
    }

    /// Hands every run due at `now` to `release`, in order.
    mutating func releaseDue(now: Int64, _ release: (UnsafeRawBufferPointer) -> Void) {
        var due = 0
        while due < runs.count && runs[due].at <= now {
            runs[due].bytes.withUnsafeBytes { release($0) }
            byteCount &-= runs[due].bytes.count
            due += 1
        }
        runs.removeFirst(due)
    }
}

/// A token bucket: `rate` bytes a second, with a burst of a tenth of a second's worth.
struct TokenBucket {
    let rate: Int
    private(set) var tokens: Int
    /// Credit below one byte, in byte-nanoseconds, carried to the next refill.
    private var carry: Int64 = 0
    private var refilledAt: Int64

    init(rate: Int, now: Int64) {
        self.rate = max(1, min(rate, ProxyFault.maxBytesPerSecond))
        tokens = max(1, self.rate / 10)
        refilledAt = now
    }

    private var capacity: Int { max(1, rate / 10) }

    /// Adds the credit earned since the last refill (at most a second's worth), up to the burst.
    mutating func refill(now: Int64) {
        let elapsed = min(max(0, now &- refilledAt), 1_000_000_000)
        refilledAt = now
        // rate ≤ 2^33 and elapsed ≤ 10^9 < 2^30: the product stays below 2^63.
        let credit = Int64(rate) * elapsed + carry
        tokens = min(capacity, tokens + Int(credit / 1_000_000_000))
        carry = tokens == capacity ? 0 : credit % 1_000_000_000
    }

    /// Spends `n` tokens for bytes just written.
    mutating func spend(_ n: Int) { tokens = max(0, tokens - n) }
}
