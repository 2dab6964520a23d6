/// A small checker that an HTML document's tags nest properly (void elements excepted), so a
/// test can say "the report is well-formed" without a browser.
enum HTMLWellFormedness {
    /// Elements that never have a closing tag.
    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]

    /// nil if every opened element is closed in order; otherwise the first problem.
    static func problem(in html: String) -> String? {
        var stack: [String] = []
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { return "a '<' is never closed" }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("!") { continue }  // doctype or comment
            if tag.hasSuffix("/") { continue }  // self-closing SVG element
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            if name.isEmpty { return "an empty tag '<\(tag)>'" }
            if tag.hasPrefix("/") {
                guard stack.last == name else { return "</\(name)> closes <\(stack.last ?? "nothing")>" }
                stack.removeLast()
            } else if !voidElements.contains(name) {
                stack.append(name)
                // Raw-text elements: skip to their end tag.
                if name == "style" || name == "script", let end = rest.range(of: "</\(name)>") {
                    rest = rest[end.lowerBound...]
                }
            }
        }
        return stack.isEmpty ? nil : "<\(stack.last!)> is never closed"
    }
}
