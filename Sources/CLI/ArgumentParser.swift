/// One `--option` a command accepts.
struct OptionSpec: Sendable {
    /// The name without the leading `--`.
    let name: String
    /// The placeholder of its value in usage text; nil for a flag.
    let valueName: String?
    let help: String
    /// May be given more than once (values collected in order).
    var repeatable = false
    /// Must be given.
    var required = false

    static func flag(_ name: String, _ help: String) -> OptionSpec { OptionSpec(name: name, valueName: nil, help: help) }
    static func value(_ name: String, _ valueName: String, _ help: String, repeatable: Bool = false, required: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, repeatable: repeatable, required: required)
    }
}

/// One positional argument a command takes.
struct PositionalSpec: Sendable {
    let name: String
    let help: String
    /// May be left out (only the last positionals), e.g. `peer add FILE` beside `--name/--url/--key`.
    var optional = false
}

/// What a command line says, once parsed against a command's specification.
struct ParsedArguments {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }
}

/// A command line that does not fit a command's specification: exit 64 with one sentence.
struct UsageError: Error {
    let message: String
    /// The command whose usage the user should read, e.g. `kpi set`.
    let command: String?
}

/// A command: its words, what it takes, its help, and the library call it makes.
struct CommandSpec: Sendable {
    let path: [String]
    let summary: String
    var positionals: [PositionalSpec] = []
    var options: [OptionSpec] = []
    let run: @Sendable (ParsedArguments, CommandContext) throws -> Int32

    var name: String { path.joined(separator: " ") }

    /// The generated usage text shown by `--help` and after usage errors.
    var usage: String {
        var synopsis = "citybench [--home DIR] \(name)"
        for p in positionals { synopsis += p.optional ? " [\(p.name)]" : " \(p.name)" }
        for o in options {
            var part = "--\(o.name)" + (o.valueName.map { " \($0)" } ?? "")
            if o.repeatable { part += "…" }
            synopsis += o.required ? " \(part)" : " [\(part)]"
        }
        var lines = ["Usage: \(synopsis)", "", summary]
        if !positionals.isEmpty {
            lines.append("")
            lines.append("Arguments:")
            for p in positionals { lines.append("  " + pad(p.name, 24) + p.help) }
        }
        lines.append("")
        lines.append("Options:")
        for o in options {
            let left = "--\(o.name)" + (o.valueName.map { " \($0)" } ?? "")
            lines.append("  " + pad(left, 24) + o.help + (o.repeatable ? " (repeatable)" : "") + (o.required ? " (required)" : ""))
        }
        lines.append("  " + pad("--home DIR", 24) + "the node's home (default $CITYBENCH_HOME, else ~/.local/share/citybench)")
        lines.append("  " + pad("--help", 24) + "show this help")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses `arguments` (the words after the command's path): `--flag`, `--opt value`,
    /// `--opt=value`, positionals, and `--` ending the options. Negative numbers are positionals.
    func parse(_ arguments: [String]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var i = 0
        var optionsEnded = false
        while i < arguments.count {
            let word = arguments[i]
            i += 1
            if optionsEnded || !word.hasPrefix("-") || word == "-" || isNumber(word) {
                parsed.positionals.append(word)
                continue
            }
            if word == "--" { optionsEnded = true; continue }
            guard word.hasPrefix("--") else {
                throw UsageError(message: "unknown option '\(word)' for 'citybench \(name)'", command: name)
            }
            var key = String(word.dropFirst(2))
            var inline: String?
            if let eq = key.firstIndex(of: "=") {
                inline = String(key[key.index(after: eq)...])
                key = String(key[..<eq])
            }
            guard let spec = options.first(where: { $0.name == key }) else {
                throw UsageError(message: "unknown option '--\(key)' for 'citybench \(name)'", command: name)
            }
            if spec.valueName == nil {
                if inline != nil { throw UsageError(message: "option '--\(key)' takes no value", command: name) }
                parsed.flags.insert(key)
                continue
            }
            let value: String
            if let inline { value = inline } else {
                guard i < arguments.count, !looksLikeOption(arguments[i]) else {
                    throw UsageError(message: "option '--\(key)' needs a value (\(spec.valueName!))", command: name)
                }
                value = arguments[i]
                i += 1
            }
            if !spec.repeatable, parsed.values[key] != nil {
                throw UsageError(message: "option '--\(key)' is given more than once", command: name)
            }
            parsed.values[key, default: []].append(value)
        }
        for o in options where o.required && parsed.values[o.name] == nil && !parsed.flags.contains(o.name) {
            throw UsageError(message: "option '--\(o.name)' is required for 'citybench \(name)'", command: name)
        }
        if parsed.positionals.count < positionals.filter({ !$0.optional }).count {
            let missing = positionals[parsed.positionals.count]
            throw UsageError(message: "'citybench \(name)' needs the argument \(missing.name) (\(missing.help))", command: name)
        }
        if parsed.positionals.count > positionals.count {
            throw UsageError(message: "unexpected argument '\(parsed.positionals[positionals.count])' for 'citybench \(name)'", command: name)
        }
        return parsed
    }

    /// `--name…` with a letter after the dashes: taken as the next option, not as a value.
    private func looksLikeOption(_ word: String) -> Bool {
        word.hasPrefix("--") && word.dropFirst(2).first.map { $0.isLetter } == true
    }

    private func isNumber(_ word: String) -> Bool {
        word.count > 1 && word.hasPrefix("-") && word.dropFirst().first.map { $0.isNumber || $0 == "." } == true
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + "  " : s + String(repeating: " ", count: width - s.count)
    }
}
