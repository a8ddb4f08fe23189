import Core
import Foundation

/// Writes artifacts atomically: a temporary file beside the target, then a rename, so a reader
/// never sees a half-written file. Failures become `StressError(.cannotWrite)` naming the file.
public enum ArtifactWriter {
    /// Creates `directory` (and parents) or explains why it cannot.
    public static func prepare(directory: String) throws(StressError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StressError(.cannotWrite, "cannot create the output directory `\(directory)`: \(reason(error))", hint: "choose another with --out")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw StressError(.cannotWrite, "the output directory `\(directory)` is not writable", hint: "choose another with --out")
        }
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws(StressError) {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: temp)
            guard rename(temp.path, url.path) == 0 else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno)) }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw StressError(.cannotWrite, "cannot write `\(path)`: \(reason(error))")
        }
    }

    /// The OS's words for why a file operation failed.
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain, let message = strerror(Int32(ns.code)) { return String(cString: message) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let message = strerror(Int32(underlying.code)) {
            return String(cString: message)
        }
        return ns.localizedDescription
    }
}
