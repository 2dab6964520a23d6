import Testing
@testable import Model

@Suite struct PeriodTests {
    @Test(arguments: ["2024", "2024-Q1", "2024-Q4", "2024-01", "2024-12"])
    func acceptsTheThreeForms(text: String) throws {
        let p = try #require(Period(text))
        #expect(p.description == text)
    }

    @Test(arguments: ["24", "2024-13", "2024-Q5", "2024-Q0", "2024-00", "2024-1", "20245", "2024-q1", " 2024", "2024 ", "", "1899"])
    func rejectsMalformedPeriods(text: String) {
        #expect(Period(text) == nil)
        #expect(throws: ModelError.self) { try Period.parse(text) }
    }

    @Test func ordersChronologically() {
        let periods = ["2024-02", "2023", "2024-Q1", "2024", "2024-01"].compactMap(Period.init)
        #expect(periods.sorted().map(\.description) == ["2023", "2024", "2024-Q1", "2024-01", "2024-02"])
    }
}
