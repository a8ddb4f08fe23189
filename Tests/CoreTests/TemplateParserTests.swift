import Testing
@testable import Core

@Suite struct TemplateParserTests {
    let parser = TemplateParser(environment: ["API_TOKEN": "s3cret", "EMPTY": "", "HOST": "10.0.0.1"])

    @Test func literalTextStaysLiteral() {
        let out = parser.parse("/products/1?price=$5&x=$")
        #expect(out.problems.isEmpty)
        #expect(out.template.segments == [.literal("/products/1?price=$5&x=$")])
        #expect(out.template.isConstant)
        #expect(out.secrets.isEmpty)
    }

    @Test func environmentValuesAreResolvedAndRemembered() {
        let out = parser.parse("Bearer ${API_TOKEN}")
        #expect(out.problems.isEmpty)
        #expect(out.template.segments == [.literal("Bearer "), .environment(name: "API_TOKEN", value: "s3cret", fromEnvironment: true)])
        #expect(out.secrets == ["s3cret"])
        #expect(out.template.redacted == "Bearer ***")
        #expect(out.template.constantText == "Bearer s3cret")
    }

    @Test func defaultsApplyOnlyWhenUnset() {
        let unset = parser.parse("${PORT:-8080}")
        #expect(unset.template.segments == [.environment(name: "PORT", value: "8080", fromEnvironment: false)])
        #expect(unset.secrets.isEmpty)
        let set = parser.parse("${HOST:-localhost}")
        #expect(set.template.segments == [.environment(name: "HOST", value: "10.0.0.1", fromEnvironment: true)])
        #expect(set.secrets == ["10.0.0.1"])
        let empty = parser.parse("${EMPTY:-x}")
        #expect(empty.template.constantText == "")
        #expect(empty.secrets.isEmpty)
    }

    @Test func missingVariablesAreReportedWithAHint() {
        let out = parser.parse("/a/${NOPE}/b/${ALSO_NOPE}")
        #expect(out.problems.count == 2)
        #expect(out.problems.first == Problem(.offset(3), "environment variable `NOPE` is not set",
                                              hint: "set it or give a default: ${NOPE:-value}"))
        #expect(out.problems.last?.location == .offset(13))
    }

    @Test func randomParts() {
        let out = parser.parse("/p/${random.int(1, 5000)}/${random.uuid}")
        #expect(out.problems.isEmpty)
        #expect(out.template.segments == [.literal("/p/"), .randomInt(1...5000), .literal("/"), .randomUUID])
        #expect(!out.template.isConstant)
        #expect(out.template.redacted == "/p/${random.int(1,5000)}/${random.uuid}")
        #expect(parser.parse("${random.int(-3,-3)}").template.segments == [.randomInt(-3...(-3))])
    }

    @Test(arguments: [
        ("${random.int(5,1)}", "bounds reversed"),
        ("${random.int(a,b)}", "needs two integers"),
        ("${random.int(1)}", "needs two integers"),
        ("${random.float(1,2)}", "unknown template function `random.float`"),
        ("${random.uid}", "unknown template function `random.uid`"),
        ("${rand.int(1,2)}", "unknown template function"),
        ("${}", "invalid template `${}`"),
        ("${has space}", "invalid template"),
        ("/x/${UNCLOSED", "unterminated `${`"),
    ])
    func reportsBadTemplates(text: String, message: String) throws {
        let out = parser.parse(text)
        let problem = try #require(out.problems.first)
        #expect(problem.message.contains(message), "\(problem)")
    }

    @Test func suggestsTheRandomFunctions() {
        #expect(parser.parse("${random.uid}").problems.first?.hint == "did you mean `random.uuid`?")
    }

    @Test func randomIsRefusedWhereOnlyTheEnvironmentMayBeUsed() {
        let out = parser.parse("http://h:${random.int(1,2)}", allowRandom: false, context: "`target.url`")
        #expect(out.problems.first?.message == "`${random.int(1,2)}` is not allowed in `target.url`")
        #expect(out.problems.first?.location == .offset(9))
    }

    @Test func rendersDeterministicallyWithASeededGenerator() throws {
        let template = parser.parse("/p/${random.int(1,5000)}?id=${random.uuid}&t=${API_TOKEN}").template
        var a = SplitMix64(seed: 7)
        var b = SplitMix64(seed: 7)
        let first = template.render(using: &a)
        #expect(first == template.render(using: &b))
        #expect(first != template.render(using: &a))
        #expect(first.hasPrefix("/p/"))
        #expect(first.hasSuffix("&t=s3cret"))
        let uuid = try #require(first.split(separator: "=").dropFirst().first?.split(separator: "&").first)
        #expect(uuid.count == 36)
        #expect(Array(uuid)[14] == "4")
        #expect(uuid.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
    }

    @Test func randomIntegersStayInRange() {
        let template = parser.parse("${random.int(3,5)}").template
        var rng = SplitMix64(seed: 1)
        var seen: Set<String> = []
        for _ in 0..<200 { seen.insert(template.render(using: &rng)) }
        #expect(seen == ["3", "4", "5"])
    }
}
