/// Replaces every occurrence of the secrets in a byte stream with `***`, whatever the chunks it
/// arrives in: bytes that could still be the start of a secret are held back until the next
/// chunk tells (at most the longest secret's length less one byte), or until `finish`.
///
/// At each position a secret that could still match a longer one waits for it, so of two
/// secrets where one begins the other, the longer one is masked whole.
struct SecretMasker {
    static let mask = Array("***".utf8)

    /// Longest first; no empty ones.
    private let secrets: [[UInt8]]
    private let longest: Int
    /// The first byte of every secret, to skip most positions with one lookup.
    private var starts = [Bool](repeating: false, count: 256)
    private var pending: [UInt8] = []

    init(secrets: Set<String>) {
        self.secrets = secrets.map { Array($0.utf8) }.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        longest = self.secrets.first?.count ?? 0
        for secret in self.secrets { starts[Int(secret[0])] = true }
    }

    /// True when there is nothing to mask.
    var isEmpty: Bool { secrets.isEmpty }

    /// The masked bytes that are certain after `chunk`.
    mutating func feed<Bytes: Sequence>(_ chunk: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        pending.append(contentsOf: chunk)
        return drain(final: false)
    }

    /// The rest, masked: the stream ended.
    mutating func finish() -> [UInt8] {
        drain(final: true)
    }

    private mutating func drain(final: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(pending.count)
        let count = pending.count
        var i = 0
        scan: while i < count {
            let byte = pending[i]
            guard starts[Int(byte)] else {
                out.append(byte)
                i += 1
                continue
            }
            let remaining = count - i
            if !final && remaining < longest {
                // What is left may be the start of a secret that the next chunk completes.
                for secret in secrets where secret.count > remaining && pending[i...].elementsEqual(secret.prefix(remaining)) {
                    break scan
                }
            }
            if let secret = secrets.first(where: { $0.count <= remaining && pending[i..<(i + $0.count)].elementsEqual($0) }) {
                out.append(contentsOf: Self.mask)
                i += secret.count
            } else {
                out.append(byte)
                i += 1
            }
        }
        pending.removeFirst(i)
        return out
    }
}
