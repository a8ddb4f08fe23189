import Foundation

/// Run ids: `YYYYMMDD_HHMMSS_<scenario-name>` in UTC (README, *Results store and baselines*).
public enum RunID {
    public static func make(date: Date, scenarioName: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd_HHmmss"
        let safe = String(scenarioName.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" })
        return "\(f.string(from: date))_\(safe)"
    }
}
