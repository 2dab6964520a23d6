import Testing
@testable import CLI

@Suite struct ArgumentParserTests {
    private let spec = CommandSpec(
        path: ["demo", "cmd"], summary: "A command for tests.",
        positionals: [PositionalSpec(name: "A", help: "first"), PositionalSpec(name: "B", help: "second")],
        options: [.flag("json", "json"), .value("name", "N", "a name"), .value("kpi", "CODE", "codes", repeatable: true),
                  .value("field", "F", "field", required: true)],
        run: { _, _ in 0 })

    @Test func readsFlagsValuesRepeatedOptionsAndPositionalsInAnyOrder() throws {
        let p = try spec.parse(["x", "--kpi", "A.B", "--json", "--field=egov", "y", "--kpi=C.D", "--name", "Aachen"])
        #expect(p.positionals == ["x", "y"])
        #expect(p.flag("json"))
        #expect(p.value("field") == "egov" && p.value("name") == "Aachen")
        #expect(p.all("kpi") == ["A.B", "C.D"])
    }

    @Test func takesNegativeNumbersAndWordsAfterDoubleDashAsPositionals() throws {
        let p = try spec.parse(["--field", "egov", "-5", "--", "--json"])
        #expect(p.positionals == ["-5", "--json"])
        #expect(!p.flag("json"))
    }

    @Test(arguments: [
        (["x", "y"], "option '--field' is required"),
        (["x", "y", "--field"], "option '--field' needs a value"),
        (["x", "y", "--field", "--json"], "option '--field' needs a value"),
        (["x", "y", "--field", "a", "--field", "b"], "given more than once"),
        (["x", "y", "--field", "a", "--colour", "red"], "unknown option '--colour'"),
        (["x", "y", "--field", "a", "-v"], "unknown option '-v'"),
        (["x", "--field", "a"], "needs the argument B"),
        (["x", "y", "z", "--field", "a"], "unexpected argument 'z'"),
        (["x", "y", "--field", "a", "--json=1"], "takes no value"),
    ] as [([String], String)])
    func rejectsMalformedCommandLinesNamingTheOption(words: [String], mention: String) {
        #expect {
            _ = try spec.parse(words)
        } throws: { error in
            (error as? UsageError)?.message.contains(mention) == true
        }
    }

    @Test func usageListsEveryOptionAndArgument() {
        let usage = spec.usage
        #expect(usage.hasPrefix("Usage: citybench [--home DIR] demo cmd A B [--json] [--name N] [--kpi CODE…] --field F\n"))
        for word in ["--json", "--name N", "--kpi CODE", "(repeatable)", "--field F", "(required)", "--home DIR", "--help"] {
            #expect(usage.contains(word), "\(word)")
        }
    }
}
