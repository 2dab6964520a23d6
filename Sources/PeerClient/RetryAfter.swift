import Foundation

/// Parsing of the `Retry-After` response header (RFC 9110 §10.2.3) into whole seconds.
public enum RetryAfter {
    /// Longest wait a peer can ask for; larger values are clamped so a hostile or broken peer
    /// cannot silence itself for years (one week).
    public static let maximumSeconds = 7 * 24 * 3600

    /// Seconds to wait for `value`: delta-seconds, or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`)
    /// measured from `now` (0 if already past). nil for anything else; clamped to `maximumSeconds`.
    public static func seconds(from value: String, now: Date) -> Int? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard let seconds = Int(text.prefix(12)), text.utf8.count <= 12 else { return maximumSeconds }
            return min(seconds, maximumSeconds)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: text) else { return nil }
        let delta = date.timeIntervalSince(now).rounded(.up)
        return delta <= 0 ? 0 : Int(min(delta, Double(maximumSeconds)))
    }
}
