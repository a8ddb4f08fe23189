import CZlib

extension HistogramCodec {
    /// zlib streams (RFC 1950: deflate with the two-byte header and Adler-32 trailer), as HdrHistogram's
    /// compressed encoding wraps its payload.
    enum Zlib {
        /// Compresses at zlib's default level, as Java's `Deflater` and HdrHistogramJS do.
        static func compress(_ bytes: [UInt8]) -> [UInt8] {
            var capacity = compressBound(uLong(bytes.count))
            var out = [UInt8](repeating: 0, count: Int(capacity))
            let status = bytes.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    compress2(target.baseAddress, &capacity, source.baseAddress, uLong(source.count), Z_DEFAULT_COMPRESSION)
                }
            }
            // compress2 fails only when zlib cannot allocate its state; stored blocks still make a valid stream.
            guard status == Z_OK else { return stored(bytes) }
            out.removeSubrange(Int(capacity)...)
            return out
        }

        /// A zlib stream of uncompressed ("stored") deflate blocks: needs no zlib state at all.
        static func stored(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [0x78, 0x01]
            var start = 0
            repeat {
                let length = min(65_535, bytes.count - start)
                let isLast = start + length == bytes.count
                let len = UInt16(length), nlen = ~UInt16(length)
                out += [isLast ? 1 : 0, UInt8(len & 0xFF), UInt8(len >> 8), UInt8(nlen & 0xFF), UInt8(nlen >> 8)]
                out += bytes[start ..< start + length]
                start += length
            } while start < bytes.count
            var a: UInt32 = 1, b: UInt32 = 0
            for byte in bytes {
                a = (a + UInt32(byte)) % 65_521
                b = (b + a) % 65_521
            }
            let adler = b << 16 | a
            out += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
            return out
        }

        private enum Outcome {
            case done, truncated, tooLarge
            case corrupt(String)
        }

        /// Decompresses one complete zlib stream (bytes after its end are ignored), refusing to
        /// produce more than `limit` bytes so a small input cannot claim unbounded memory.
        static func decompress(_ bytes: ArraySlice<UInt8>, limit: Int) throws(HistogramCodecError) -> [UInt8] {
            var input = Array(bytes)
            var output = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            // zlib checks that the stream keeps the address it was initialized at: keep it off the Swift stack.
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            defer { stream.deallocate() }
            guard inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw HistogramCodecError(.inflateFailed, "zlib could not start")
            }
            defer { inflateEnd(stream) }

            let outcome: Outcome = input.withUnsafeMutableBufferPointer { source in
                chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.pointee.next_in = source.baseAddress
                    stream.pointee.avail_in = uInt(source.count)
                    while true {
                        stream.pointee.next_out = buffer.baseAddress
                        stream.pointee.avail_out = uInt(buffer.count)
                        let status = inflate(stream, Z_NO_FLUSH)
                        let produced = buffer.count - Int(stream.pointee.avail_out)
                        if output.count + produced > limit { return .tooLarge }
                        output += buffer[0 ..< produced]
                        switch status {
                        case Z_STREAM_END:
                            return .done
                        case Z_OK:
                            continue
                        case Z_BUF_ERROR:
                            // No progress possible: with output space free, the input ran out mid-stream.
                            return .truncated
                        default:
                            let message = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                            return .corrupt(message)
                        }
                    }
                }
            }
            switch outcome {
            case .done: return output
            case .truncated: throw HistogramCodecError(.truncated, "the zlib stream ends early")
            case .tooLarge: throw HistogramCodecError(.tooLarge, "decompresses to more than \(limit) bytes")
            case .corrupt(let message): throw HistogramCodecError(.inflateFailed, message)
            }
        }
    }
}
