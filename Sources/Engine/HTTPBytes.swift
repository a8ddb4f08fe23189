/// Byte comparisons for HTTP/1.1 heads, as the response parser and the fault proxy read them:
/// ASCII only, header names compared without case.
enum HTTPBytes {
    @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 32 : c
    }

    static func startsWith(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { target in
            guard bytes.count >= target.count else { return false }
            for i in 0..<target.count where bytes[i] != target[i] { return false }
            return true
        }
    }

    /// `bytes` equals `lowercased` (which must be lower-case) ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercased: StaticString) -> Bool {
        lowercased.withUTF8Buffer { target in
            guard bytes.count == target.count else { return false }
            for i in 0..<target.count where lower(bytes[i]) != target[i] { return false }
            return true
        }
    }

    /// `bytes` contains `lowercased` (which must be lower-case) ignoring ASCII case.
    static func containsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercased: StaticString) -> Bool {
        lowercased.withUTF8Buffer { target in
            let n = target.count
            guard bytes.count >= n else { return false }
            for start in 0...(bytes.count - n) {
                var j = 0
                while j < n && lower(bytes[start + j]) == target[j] { j += 1 }
                if j == n { return true }
            }
            return false
        }
    }
}
