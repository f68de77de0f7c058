/// Where a person stands in one Norwegian skill against the target of their programme plan (norskmål, IMDi's
/// recommended levels per skill, [S20] in `facts.md`; Norskprøve results by CEFR level, integreringsloven § 28):
/// the best level of the tests taken, the last test's day, and whether the best reaches the target. The person's
/// Norwegian page and the plan's indicators `norwegian_target_<skill>` read this one computation.
public struct NorwegianResult: Sendable, Equatable {
    public var skill: NorwegianSkill
    public var best: TestLevel?
    public var lastTested: LocalDate?
    public var target: TestLevel?
    /// Nil without a target; `false` with a target and no test yet.
    public var reached: Bool?

    public init(skill: NorwegianSkill, best: TestLevel?, lastTested: LocalDate?, target: TestLevel?) {
        self.skill = skill
        self.best = best
        self.lastTested = lastTested
        self.target = target
        reached = target.map { t in best.map { $0 >= t } ?? false }
    }

    /// One test of one skill: its level (nil when the result is not a level) and day.
    public struct Test: Sendable, Equatable {
        public var skill: NorwegianSkill
        public var level: TestLevel?
        public var date: LocalDate

        public init(skill: NorwegianSkill, level: TestLevel?, date: LocalDate) {
            self.skill = skill
            self.level = level
            self.date = date
        }
    }

    /// Every skill, in the order of `NorwegianSkill`, from the person's Norwegian tests and target.
    public static func all(_ tests: [Test], target: [NorwegianSkill: TestLevel]) -> [NorwegianResult] {
        NorwegianSkill.allCases.map { s in
            let own = tests.filter { $0.skill == s }
            return NorwegianResult(
                skill: s, best: own.compactMap(\.level).max(), lastTested: own.map(\.date).max(), target: target[s])
        }
    }

    /// A target as the programme plan stores it (skill → level, both as their raw values); unknown entries dropped.
    public static func target(_ raw: [String: String]) -> [NorwegianSkill: TestLevel] {
        var out: [NorwegianSkill: TestLevel] = [:]
        for (k, v) in raw {
            if let s = NorwegianSkill(rawValue: k), let l = TestLevel(rawValue: v) { out[s] = l }
        }
        return out
    }
}
