import CCurl

/// The process-wide libcurl initialisation, done exactly once before the first easy handle exists.
///
/// `curl_global_init` is not safe to call concurrently with anything else in libcurl; a Swift
/// `static let` is initialised lazily under `swift_once`, so the first connection on any thread
/// runs it and every later one waits for and reuses the result.
enum CurlRuntime {
    /// The result of the one `curl_global_init(CURL_GLOBAL_DEFAULT)` call of this process.
    static let initialisation: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Whether libcurl is usable; false only if its global initialisation failed.
    static var isReady: Bool { initialisation == CURLE_OK }
}
