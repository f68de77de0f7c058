import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The programme's part of the bench dataset: each municipality's ladder, own measures and caseload norm, and a
/// programme for most adults of age who came on a ground that gives the right, at the stage their settlement date
/// gives them (mapping, decided, running with measures, attendance and reviews, on leave, stopped, ended with an
/// outcome a year on).
extension ProgrammeFeature {
    package func seedBench(_ bench: BenchContext) async throws {
        let today = bench.today
        let ladder = bench.table(LadderPhase.schema, ["id", "municipality", "position", "name"])
        let catalogue = bench.table(CatalogueMeasure.schema, ["id", "municipality", "name", "kind"])
        let norms = bench.table(CaseloadNorm.schema, ["municipality", "max_participants", "source"])
        for code in bench.populated {
            for (i, name) in DemoProgramme.ladder.enumerated() {
                try await ladder.add(bench.uuid(), code.value, i + 1, name)
            }
            for (name, kind) in DemoProgramme.ownMeasures {
                try await catalogue.add(bench.uuid(), code.value, name, kind.rawValue)
            }
            try await norms.add(code.value, 20, "Syntetisk norm (bench): 1 programrådgiver per 20 deltakere")
        }
        try await ladder.finish()
        try await catalogue.finish()
        try await norms.finish()

        let parts = bench.table(
            PersonProgramme.schema,
            [
                "id", "person_id", "municipality", "law_regime", "mapping_date", "mapping_by", "mapping_summary",
                "guidance_date", "guidance_centre", "guidance_recommendation", "decision_date", "start_date",
                "final_goal", "planned_months", "extension_months", "plan_date", "contract_signed", "norwegian_target",
                "lives_with_parents", "couple_without_children", "stop_kind", "stop_date", "end_date", "end_reason",
                "ladder_phase", "updated_at",
            ])
        let measures = bench.table(
            ProgrammeMeasure.schema,
            [
                "id", "participation_id", "kind", "title", "from_date", "to_date", "weekly_minutes", "self_study",
                "owner",
            ],
            after: [parts])
        let attendance = bench.table(
            AttendanceEntry.schema,
            ["id", "participation_id", "date", "period", "present_minutes", "absence_minutes", "absence_kind"],
            after: [parts])
        let leaves = bench.table(
            ProgrammeLeave.schema, ["id", "participation_id", "from_date", "to_date", "reason", "with_benefit"],
            after: [parts])
        let reviews = bench.table(PlanReview.schema, ["id", "participation_id", "date", "note"], after: [parts])
        let outcomes = bench.table(
            ProgrammeOutcome.schema, ["id", "participation_id", "kind", "status", "recorded_on"], after: [parts])
        let deductions = bench.table(
            BenefitDeduction.schema, ["id", "participation_id", "month", "amount_ore", "reason"], after: [parts])

        let duration = ProgrammeDuration(parameters: bench.app.programmeParameters)
        let goals: [(FinalGoal, Double)] = [
            (.work, 55), (.upperSecondaryCompletion, 20), (.higherEducation, 15), (.primarySchool, 10),
        ]
        let absences: [AbsenceKind?] = [
            nil, nil, nil, .sickChild, .invalid, .ownIllnessSelfCertified, .holiday, .welfare,
        ]
        let endings: [(EndReason, Double)] = [
            (.completedWork, 35), (.completedEducation, 20), (.completedBoth, 5), (.moved, 15), (.illness, 7),
            (.parentalLeave, 6), (.ownChoice, 7), (.other, 5),
        ]
        let statuses: [(OutcomeStatus, Double)] = [
            (.employed, 45), (.education, 15), (.employedAndEducation, 8), (.unemployedOrMeasure, 22),
            (.otherUnknown, 10),
        ]
        let target = "{\"listening\":\"B1\",\"reading\":\"B1\",\"speaking\":\"B1\",\"writing\":\"A2\"}"
        for p in bench.persons where p.programmeCandidate && bench.chance(0.88) {
            let mapped = p.settlement.adding(days: bench.int(20...45))
            guard mapped <= today else { continue }
            let id = bench.uuid()
            let guided = mapped.adding(days: bench.int(10...25))
            let decided = guided.adding(days: bench.int(7...20))
            let start = decided.adding(days: bench.int(7...21))
            let goal = bench.weighted(goals)
            let planned =
                (try? duration.assess(
                    lawRegime: .integreringsloven2021, finalGoal: goal, ageAtDecision: p.age(on: decided),
                    educationLevel: p.education ?? .primary, decisionDate: decided))?
                .maxMonths ?? 24
            let hasGuidance = guided <= today
            let hasDecision = decided <= today
            let started = start <= today
            // Most run to their planned end; some end early.
            let plannedEnd = start.adding(months: planned)
            let early =
                bench.chance(0.12)
                ? start.adding(days: bench.int(60...max(61, start.days(until: plannedEnd))))
                : nil
            let endDate = [early, plannedEnd].compactMap { $0 }.filter { $0 < today }.min()
            let ended = started && endDate != nil
            let stopped = started && !ended && bench.chance(0.03)
            let onLeave = started && !ended && !stopped && bench.chance(0.06)
            let planDate = hasDecision ? min(today, start.adding(days: bench.int(5...25))) : nil
            let endReason: EndReason? =
                ended
                ? (endDate == plannedEnd
                    ? bench.pick([.completedWork, .completedEducation, .other]) : bench.weighted(endings)) : nil
            var row: [(any Encodable & Sendable)?] = [
                id, p.id, p.municipality.value, LawRegime.integreringsloven2021.rawValue, mapped.iso,
                "Integreringstjenesten", "Kartlagt med tolk: språk, skolegang og arbeidserfaring.",
            ]
            row += [
                hasGuidance ? guided.iso : nil, hasGuidance ? "Karrieresenteret" : nil,
                hasGuidance ? "Språkpraksis, deretter arbeid eller fagbrev." : nil,
            ]
            row += [hasDecision ? decided.iso : nil, hasDecision ? start.iso : nil, hasDecision ? goal.rawValue : nil]
            row += [
                hasDecision ? planned : nil, 0, planDate?.iso, planDate.flatMap { bench.chance(0.9) ? $0.iso : nil },
            ]
            row += [hasDecision ? target : nil, p.age(on: p.settlement) < 25 && bench.chance(0.3), bench.chance(0.15)]
            row += [
                stopped ? StopKind.temporary.rawValue : nil, stopped ? today.adding(days: -bench.int(1...30)).iso : nil,
                ended ? endDate!.iso : nil, endReason?.rawValue, started ? bench.int(1...5) : nil, bench.now,
            ]
            try await parts.add(contentsOf: row)
            guard started else { continue }

            // Norwegian and social studies are mandatory; a work-oriented element and more.
            let end = endDate ?? plannedEnd
            var plan: [PlannedMeasure] = [
                PlannedMeasure(kind: .norwegian, from: start, to: plannedEnd, weeklyMinutes: 900),
                PlannedMeasure(kind: .socialStudies, from: start, to: start.adding(months: 3), weeklyMinutes: 300),
            ]
            if bench.chance(0.8) {
                plan.append(
                    PlannedMeasure(
                        kind: .workPractice, from: start.adding(days: 21), to: plannedEnd, weeklyMinutes: 1050))
            }
            if bench.chance(0.5) {
                plan.append(
                    PlannedMeasure(
                        kind: .languagePractice, from: start.adding(months: 3), to: plannedEnd, weeklyMinutes: 300))
            }
            if bench.chance(0.3) {
                plan.append(
                    PlannedMeasure(
                        kind: .lifeSkills, from: start.adding(months: 1), to: start.adding(months: 3),
                        weeklyMinutes: 180))
            }
            for m in plan {
                let owner: Sector? = m.kind == .workPractice ? .nav : m.kind == .norwegian ? .adultEducation : nil
                try await measures.add(
                    bench.uuid(), id, m.kind.rawValue, nil, m.from.iso, m.to.iso, m.weeklyMinutes, false,
                    owner?.rawValue)
            }
            // Attendance: one record per week for the last eight weeks in the programme.
            let lastDay = min(today, end)
            for w in 0..<8 {
                let monday = lastDay.weekStart.adding(days: -7 * (w + 1))
                guard monday >= start else { break }
                let week = min(2250, AttendanceCap.plannedMinutes(week: monday, measures: plan) ?? 2250)
                guard week > 0 else { continue }
                let kind = bench.pick(absences)
                let absent = kind == nil ? 0 : (kind == .holiday ? week : min(450, week))
                try await attendance.add(
                    bench.uuid(), id, monday.iso, AttendancePeriod.week.rawValue, week - absent, absent, kind?.rawValue)
            }
            if onLeave {
                try await leaves.add(
                    bench.uuid(), id, today.adding(days: -bench.int(1...20)).iso,
                    today.adding(days: bench.int(10...60)).iso,
                    "Omsorgspermisjon etter fødsel", bench.chance(0.5))
            }
            // Plan reviews every six months; some are late.
            if let planDate {
                var due = planDate.adding(months: 6)
                while due <= min(today, end), bench.chance(0.9) {
                    try await reviews.add(
                        bench.uuid(), id, due.adding(days: bench.int(-10...10)).iso,
                        "Gjennomgått planen med deltaker og tolk. Framgang i norsk; praksis fortsetter.")
                    due = due.adding(months: 6)
                }
            }
            if let endDate, endDate.adding(years: 1) <= today, bench.chance(0.8) {
                try await outcomes.add(
                    bench.uuid(), id, OutcomeKind.oneYear.rawValue, bench.weighted(statuses).rawValue,
                    endDate.adding(years: 1).iso)
            }
            if !ended && bench.chance(0.02) {
                try await deductions.add(
                    bench.uuid(), id, YearMonth(today).codedText, bench.int(50_000...300_000),
                    "Trekk for bolig etter avtale")
            }
        }
        for table in [parts, measures, attendance, leaves, reviews, outcomes, deductions] { try await table.finish() }
    }
}
