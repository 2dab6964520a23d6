import Glibc

/// The `Date` header value (IMF-fixdate, RFC 9110 §5.6.7), formatted with `gmtime_r` and cached
/// per second. Each connection owns one, so formatting needs no lock and happens at most once a
/// second per connection.
struct HTTPDate {
    private var cachedSecond = -1
    private var cachedText = ""

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The current time as e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    mutating func now() -> String {
        format(secondsSinceEpoch: time(nil))
    }

    /// `secondsSinceEpoch` (UTC) as IMF-fixdate.
    mutating func format(secondsSinceEpoch: Int) -> String {
        if secondsSinceEpoch == cachedSecond { return cachedText }
        var seconds = time_t(secondsSinceEpoch)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        cachedText = "\(HTTPDate.weekdays[Int(parts.tm_wday)]), \(twoDigits(parts.tm_mday)) \(HTTPDate.months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) \(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) GMT"
        cachedSecond = secondsSinceEpoch
        return cachedText
    }
}
