import Foundation
import Testing
@testable import HTTPServer

@Suite struct MetricsAndLogTests {
    @Test func rendersCountersAndCumulativeHistogramInPrometheusFormat() {
        let metrics = ServerMetrics(latencyBuckets: [0.01, 0.1])
        metrics.record(route: "/v1/health", status: 200, seconds: 0.005)
        metrics.record(route: "/v1/health", status: 200, seconds: 0.05)
        metrics.record(route: "/v1/health", status: 404, seconds: 0.5)
        metrics.record(route: "we\"ird\\\n", status: 500, seconds: 0.001)
        let text = metrics.renderPrometheus()
        #expect(text.contains("citybench_http_requests_total{route=\"/v1/health\",status=\"200\"} 2\n"))
        #expect(text.contains("citybench_http_requests_total{route=\"/v1/health\",status=\"404\"} 1\n"))
        #expect(text.contains("citybench_http_request_duration_seconds_bucket{route=\"/v1/health\",le=\"0.01\"} 1\n"))
        #expect(text.contains("citybench_http_request_duration_seconds_bucket{route=\"/v1/health\",le=\"0.1\"} 2\n"))
        #expect(text.contains("citybench_http_request_duration_seconds_bucket{route=\"/v1/health\",le=\"+Inf\"} 3\n"))
        #expect(text.contains("citybench_http_request_duration_seconds_count{route=\"/v1/health\"} 3\n"))
        #expect(text.contains("route=\"we\\\"ird\\\\\\n\""))
        #expect(text.contains("# TYPE citybench_http_requests_total counter\n"))
        #expect(metrics.requestCount(route: "/v1/health", status: 200) == 2)
    }

    @Test func countsConcurrentRecordsExactly() async {
        let metrics = ServerMetrics()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<1000 { metrics.record(route: "/r", status: 200, seconds: 0.001) } }
            }
        }
        #expect(metrics.requestCount(route: "/r", status: 200) == 8000)
    }

    @Test func accessLogWritesOneStructuredLinePerRequestAndFlushesOnStop() {
        let capture = LogCapture()
        let log = AccessLog(sink: capture.sink, flushInterval: 3600)
        log.start()
        log.record(method: "GET", path: "/v1/health", status: 200, bytes: 15, milliseconds: 0.44, peer: "127.0.0.1")
        log.record(method: nil, path: nil, status: 400, bytes: 60, milliseconds: 12.06, peer: "::1")
        #expect(capture.contents.isEmpty)
        log.stop()
        #expect(capture.contents == """
            level=info event=request method=GET path=/v1/health status=200 bytes=15 ms=0.4 peer=127.0.0.1
            level=info event=request method=- path=- status=400 bytes=60 ms=12.1 peer=::1

            """)
    }

    @Test func accessLogFlushesOnItsOwnWithoutStop() throws {
        let capture = LogCapture()
        let log = AccessLog(sink: capture.sink, flushInterval: 0.05)
        log.start()
        defer { log.stop() }
        log.record(method: "GET", path: "/x", status: 200, bytes: 1, milliseconds: 1, peer: "127.0.0.1")
        var waited = 0
        while capture.contents.isEmpty && waited < 200 {
            usleep(50_000)
            waited += 1
        }
        #expect(capture.contents.contains("path=/x"))
    }

    @Test func accessLogFlushesWhenTheBufferFills() {
        let capture = LogCapture()
        let log = AccessLog(sink: capture.sink, flushInterval: 3600, maxBufferedBytes: 100)
        for _ in 0..<3 { log.record(method: "GET", path: "/x", status: 200, bytes: 1, milliseconds: 1, peer: "p") }
        #expect(!capture.contents.isEmpty)
    }
}
