import Testing
import Model
@testable import Ranking

/// `RankingInput` keeps cells as columns; reading `cells` must give back exactly what went in.
@Suite struct CellColumnsTests {
    @Test func cellsReadBackInInputOrderWithOriginsUnitsScaledAndMissingValues() {
        let cells = [
            Cell(origin: "abc123", city: "Aachen", kpi: "E.X", period: Period("2023")!, value: 12.5, unit: "count"),
            Cell(city: "Bonn", kpi: "POP.TOTAL", period: Period("2023-Q2")!, value: nil),
            Cell(origin: "abc123", city: "Aachen", kpi: "E.Y", period: Period("2023-07")!, value: -0.0, scaled: true),
            Cell(origin: "def456", city: "Aachen", kpi: "E.X", period: Period("2023")!, value: 3, unit: "km"),
            Cell(city: "Bonn", kpi: "E.X", period: Period("2022")!, value: .infinity),
        ]
        var input = RankingInput(cells: cells)
        #expect(input.cells == cells)
        #expect(input.columns.names.count == 3)
        #expect(input.columns.periods.count == 4)
        input.cells = Array(cells.reversed())
        #expect(input.cells == cells.reversed())
    }
}
