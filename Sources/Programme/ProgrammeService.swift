import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The decision, plan and contract fields as a client sends them. The page form uses the same names.
package struct ProgrammeInput: Content {
    package var lawRegime: String?
    package var mappingDate: String?
    package var mappingBy: String?
    package var mappingSummary: String?
    package var guidanceDate: String?
    package var guidanceCentre: String?
    package var guidanceRecommendation: String?
    package var decisionDate: String?
    package var startDate: String?
    package var finalGoal: String?
    package var plannedMonths: Int?
    package var extensionMonths: Int?
    package var extensionReason: String?
    package var planDate: String?
    package var contractSigned: String?
    package var norwegianTarget: [String: String]?
    package var livesWithParents: Bool?
    package var coupleWithoutChildren: Bool?
    package var stopKind: String?
    package var stopDate: String?
    /// The last day of a temporary stop, when it is lifted.
    package var stopEnd: String?
}

package struct EndingInput: Content {
    var endDate: String?
    var endReason: String?
}
package struct MeasureInput: Content {
    var kind: String?
    var title: String?
    var from: String?
    var to: String?
    var weeklyHours: Double?
    var selfStudy: Bool?
    /// The sector that owns the measure (`nav`, `adult_education` …); the integration service when absent.
    var owner: String?
}
package struct LeaveInput: Content {
    var from: String?
    var to: String?
    var reason: String?
    /// Leave granted without the benefit (those days are not paid).
    var withoutBenefit: Bool?
}
package struct AttendanceInput: Content {
    package var date: String?
    package var period: String?
    package var presentHours: Double?
    package var absenceHours: Double?
    package var absenceKind: String?
    package var measureId: UUID? = nil
}
package struct DeductionInput: Content {
    var month: String?
    var amount: Double?
    var reason: String?
}
package struct ReviewInput: Content {
    var date: String?
    var note: String?
}
package struct OutcomeInput: Content {
    var kind: String?
    var status: String?
    var recordedOn: String?
}

/// The introduction programme on a person's file. Integration staff read and write it, as for the rest of the file;
/// every read and change is audited against the person.
package enum ProgrammeService {
    package static func person(_ ctx: ServiceContext, _ id: UUID?, for action: Action) async throws -> Person {
        try await PersonService.find(ctx, id, for: action)
    }

    /// The person and their programme (nil before anything is registered), after the policy allows `action`.
    package static func load(_ ctx: ServiceContext, _ personID: UUID?, for action: Action = .read) async throws -> (
        Person, PersonProgramme?
    ) {
        // Partners may read a shared file, but the programme is the integration service's own record: the file is
        // found first and its read audited only once the programme is allowed, so a refusal is not logged as a read.
        let p = try await PersonService.find(ctx, personID, for: .read, audited: false)
        try await ctx.authorize(
            action, .programme(municipality: p.$municipality.id), recordType: "programme",
            recordID: p.id?.uuidString)
        if ctx.isReadOnly {
            try await ctx.audit(
                "read", recordType: "person", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        }
        let part = try await PersonProgramme.query(on: ctx.db).filter(\.$person.$id == p.id!)
            .with(\.$measures).with(\.$leaves).with(\.$attendance).with(\.$reviews).with(\.$outcomes).with(
                \.$deductions
            ).first()
        return (p, part)
    }

    package static func regime(_ ctx: ServiceContext, _ p: Person) -> LawRegime {
        let r = ctx.app.rulesEngine.evaluate(p.facts, asOf: .today).lawRegime
        return r == .undetermined ? .integreringsloven2021 : r
    }

    package static func save(_ ctx: ServiceContext, _ personID: UUID?, _ input: ProgrammeInput) async throws
        -> PersonProgramme
    {
        let (p, existing) = try await load(ctx, personID, for: .update)
        let part = existing ?? PersonProgramme()
        if existing == nil {
            part.$person.id = p.id!
            part.extensionMonths = 0
            part.livesWithParents = false
            part.coupleWithoutChildren = false
        }
        part.$municipality.id = p.$municipality.id
        let v = input
        let regime: LawRegime
        if let r = v.lawRegime {
            guard let l = LawRegime(rawValue: r), l != .undetermined else {
                throw ValidationFailure(
                    field: "lawRegime", "invalid.one_of", "integreringsloven_2021, introduksjonsloven_2003")
            }
            regime = l
        } else {
            regime = Self.regime(ctx, p)
        }
        let mapping = try Validate.optionalDate(v.mappingDate, "mappingDate")
        let guidance = try Validate.optionalDate(v.guidanceDate, "guidanceDate")
        let decision = try Validate.optionalDate(v.decisionDate, "decisionDate")
        let start = try Validate.optionalDate(v.startDate, "startDate")
        let plan = try Validate.optionalDate(v.planDate, "planDate")
        let contract = try Validate.optionalDate(v.contractSigned, "contractSigned")
        let stop = try Validate.optionalDate(v.stopDate, "stopDate")
        for (d, f) in [
            (mapping, "mappingDate"), (guidance, "guidanceDate"), (decision, "decisionDate"), (plan, "planDate"),
            (contract, "contractSigned"), (stop, "stopDate"),
        ] {
            if let d, d > .today { throw ValidationFailure(field: f, "invalid.future") }
        }
        // The mapping comes before the decision (integreringsloven § 10), and the start not before the decision.
        if let m = mapping, let d = decision, m > d {
            throw ValidationFailure(field: "mappingDate", "programme.invalid.mapping_after_decision")
        }
        if let s = start, decision == nil {
            _ = s
            throw ValidationFailure(field: "decisionDate", "programme.invalid.decision_before_start")
        }
        if let s = start, let d = decision, s < d {
            throw ValidationFailure(field: "startDate", "programme.invalid.start_before_decision")
        }
        var goal: FinalGoal? = nil
        if let g = v.finalGoal {
            guard let f = FinalGoal(rawValue: g) else {
                throw ValidationFailure(
                    field: "finalGoal", "invalid.one_of", FinalGoal.allCases.map(\.rawValue).joined(separator: ", "))
            }
            goal = f
        }
        let planned = try Validate.number(v.plannedMonths, "plannedMonths", 1...60)
        let extensionMonths = try Validate.number(v.extensionMonths, "extensionMonths", 0...24) ?? 0
        let extensionReason = try Validate.text(v.extensionReason, "extensionReason", max: 1000, required: false)
        if extensionMonths > 0 && extensionReason == nil {
            throw ValidationFailure(field: "extensionReason", "programme.invalid.extension_reason")
        }
        if let decision, planned != nil || extensionMonths > 0 {
            let assessment = try duration(ctx, p, regime: regime, goal: goal, decision: decision)
            if let planned, (try? assessment.plannedLengthCheck(months: planned))?.passed != true {
                throw ValidationFailure(
                    field: "plannedMonths", "programme.invalid.planned_months", String(assessment.minMonths ?? 0),
                    String(assessment.maxMonths), assessment.reference)
            }
            if extensionMonths > 0, (try? assessment.extensionCheck(requestedMonths: extensionMonths))?.passed != true {
                throw ValidationFailure(
                    field: "extensionMonths", "programme.invalid.extension_months",
                    String(assessment.maxExtensionMonths), assessment.reference)
            }
        }
        var target: [String: String] = [:]
        for (skill, level) in v.norwegianTarget ?? [:] {
            guard NorwegianSkill(rawValue: skill) != nil else {
                throw ValidationFailure(field: "norwegianTarget", "invalid.choice")
            }
            guard CEFRLevel(rawValue: level) != nil else {
                throw ValidationFailure(field: "norwegianTarget.\(skill)", "invalid.one_of", "A1, A2, B1, B2, C1")
            }
            target[skill] = level
        }
        var stopKind: StopKind? = nil
        if let name = v.stopKind {
            guard let k = StopKind(rawValue: name) else {
                throw ValidationFailure(field: "stopKind", "invalid.one_of", "temporary, permanent")
            }
            guard stop != nil else {
                throw ValidationFailure(field: "stopDate", "programme.invalid.stop_date")
            }
            stopKind = k
        }
        // A temporary stop is lifted on a day; its days are not paid (integreringsloven §§ 18–19).
        let stopEnd = try Validate.optionalDate(v.stopEnd, "stopEnd")
        if let e = stopEnd {
            guard stopKind == .temporary, let s = stop, e >= s else {
                throw ValidationFailure(field: "stopEnd", "programme.invalid.stop_end")
            }
        }
        part.lawRegime = regime
        part.mappingDate = mapping
        part.mappingBy = try Validate.text(v.mappingBy, "mappingBy", max: 100, required: false)
        part.mappingSummary = try Validate.text(
            v.mappingSummary, "mappingSummary", max: 4000, required: false, multiline: true)
        part.guidanceDate = guidance
        part.guidanceCentre = try Validate.text(v.guidanceCentre, "guidanceCentre", max: 200, required: false)
        part.guidanceRecommendation = try Validate.text(
            v.guidanceRecommendation, "guidanceRecommendation", max: 4000, required: false, multiline: true)
        part.decisionDate = decision
        part.startDate = start
        part.finalGoal = goal
        part.plannedMonths = planned
        part.extensionMonths = extensionMonths
        part.extensionReason = extensionReason
        // With no target chosen, the plan starts from IMDi's recommendation for the person's education.
        if target.isEmpty {
            target = ctx.app.programmeParameters.norwegianTarget(
                for: p.educationLevel, on: .today)
        }
        part.planDate = plan
        part.contractSigned = contract
        part.norwegianTarget = target
        part.livesWithParents = v.livesWithParents ?? false
        part.coupleWithoutChildren = v.coupleWithoutChildren ?? false
        part.stopKind = stopKind
        part.stopDate = stopKind == nil ? nil : stop
        part.stopEnd = stopKind == .temporary ? stopEnd : nil
        if existing == nil { try await part.create(on: ctx.db) } else { try await part.update(on: ctx.db) }
        try await ctx.audit(
            existing == nil ? "create" : "update", recordType: "programme", recordID: p.id?.uuidString,
            municipality: p.$municipality.id)
        return part
    }

    package static func duration(
        _ ctx: ServiceContext, _ p: Person, regime: LawRegime, goal: FinalGoal?, decision: LocalDate
    )
        throws -> DurationAssessment
    {
        let birth = p.birthDate
        do {
            return try ProgrammeDuration(parameters: ctx.app.programmeParameters).assess(
                lawRegime: regime, finalGoal: goal, ageAtDecision: birth.age(on: decision),
                educationLevel: p.educationLevel, decisionDate: decision)
        } catch {
            throw ValidationFailure(field: "decisionDate", "programme.invalid.no_duration_rules", decision.iso)
        }
    }

    /// Requires a registered programme, for the actions that hang off it.
    package static func existing(_ ctx: ServiceContext, _ personID: UUID?) async throws -> (Person, PersonProgramme) {
        let (p, part) = try await load(ctx, personID, for: .update)
        guard let part else { throw APIError(.conflict, "no_programme", "register the programme decision first") }
        return (p, part)
    }

    /// Ending with its mandatory reason (integreringsloven § 18 a: the participation certificate follows).
    package static func end(_ ctx: ServiceContext, _ personID: UUID?, _ input: EndingInput) async throws
        -> PersonProgramme
    {
        let (p, part) = try await existing(ctx, personID)
        let end = try Validate.pastDate(input.endDate, "endDate")
        guard let reason = input.endReason.flatMap(EndReason.init(rawValue:)) else {
            throw ValidationFailure(field: "endReason", "programme.invalid.end_reason")
        }
        guard let start = part.startDate else {
            throw ValidationFailure(field: "endDate", "programme.invalid.no_start")
        }
        guard end >= start else { throw ValidationFailure(field: "endDate", "programme.invalid.end_before_start") }
        part.endDate = end
        part.endReason = reason
        try await part.update(on: ctx.db)
        try await ctx.audit(
            "end", recordType: "programme", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return part
    }

    package static func addMeasure(_ ctx: ServiceContext, _ personID: UUID?, _ input: MeasureInput) async throws
        -> ProgrammeMeasure
    {
        try await add(ctx, personID, audit: "add_measure") { p, part in
            var input = input
            // A measure from the municipality's own catalogue is filed under its built-in kind, with its name.
            if let k = input.kind, k.hasPrefix("catalogue:") {
                guard let id = UUID(uuidString: String(k.dropFirst("catalogue:".count))),
                    let item = try await CatalogueMeasure.find(id, on: ctx.db),
                    item.$municipality.id == p.$municipality.id
                else {
                    throw ValidationFailure(field: "kind", "programme.invalid.not_in_catalogue")
                }
                input.kind = item.kind.rawValue
                if input.title?.trimmingCharacters(in: .whitespaces).isEmpty ?? true { input.title = item.name }
            }
            guard let kind = input.kind.flatMap(MeasureKind.init(rawValue:)) else {
                throw ValidationFailure(
                    field: "kind", "invalid.one_of", MeasureKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let (from, to) = try Validate.period(input.from, input.to)
            let m = ProgrammeMeasure()
            m.$participation.id = part.id!
            m.kind = kind
            m.title = try Validate.text(input.title, "title", max: 200, required: false)
            m.from = from
            m.to = to
            m.weeklyMinutes = try Validate.hoursToMinutes(input.weeklyHours, "weeklyHours", max: 60, required: true)!
            m.selfStudy = input.selfStudy ?? false
            if let o = input.owner {
                guard let sector = Sector(rawValue: o) else {
                    throw ValidationFailure(
                        field: "owner", "invalid.one_of", Sector.allCases.map(\.rawValue).joined(separator: ", "))
                }
                m.owner = sector
            }
            return m
        }
    }

    package static func removeMeasure(_ ctx: ServiceContext, _ personID: UUID?, measureID: UUID?) async throws {
        let (p, part) = try await existing(ctx, personID)
        guard let m = part.measures.first(where: { $0.id == measureID }) else { throw Abort(.notFound) }
        try await m.delete(on: ctx.db)
        try await ctx.audit(
            "remove_measure", recordType: "programme", recordID: p.id?.uuidString, municipality: p.$municipality.id)
    }

    /// Adds one record under the person's programme: the programme must exist and the change be allowed, `build`
    /// makes the row (its checks may refuse it), and the row is stored and audited as `action` against the person.
    package static func add<M: Model>(
        _ ctx: ServiceContext, _ personID: UUID?, audit action: String,
        _ build: (Person, PersonProgramme) async throws -> M
    ) async throws -> M {
        let (p, part) = try await existing(ctx, personID)
        let row = try await build(p, part)
        try await row.create(on: ctx.db)
        try await ctx.audit(
            action, recordType: "programme", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return row
    }

    package static func addLeave(_ ctx: ServiceContext, _ personID: UUID?, _ input: LeaveInput) async throws
        -> ProgrammeLeave
    {
        try await add(ctx, personID, audit: "add_leave") { _, part in
            let (from, to) = try Validate.period(input.from, input.to)
            let l = ProgrammeLeave()
            l.$participation.id = part.id!
            l.from = from
            l.to = to
            l.reason = try Validate.required(input.reason, "reason", max: 500)
            l.withBenefit = !(input.withoutBenefit ?? false)
            return l
        }
    }

    package static func addAttendance(_ ctx: ServiceContext, _ personID: UUID?, _ input: AttendanceInput) async throws
        -> AttendanceEntry
    {
        let (p, part) = try await existing(ctx, personID)
        let e = try attendanceEntry(input, for: part)
        let corrected = e.id != nil
        try await e.save(on: ctx.db)
        try await ctx.audit(
            corrected ? "update_attendance" : "add_attendance", recordType: "programme", recordID: p.id?.uuidString,
            municipality: p.$municipality.id)
        return e
    }

    /// Deletes one attendance row (a mistake); the audit log keeps who did it and when.
    package static func removeAttendance(_ ctx: ServiceContext, _ personID: UUID?, entryID: UUID?) async throws {
        let (p, part) = try await existing(ctx, personID)
        guard let e = part.attendance.first(where: { $0.id == entryID }) else { throw Abort(.notFound) }
        try await e.delete(on: ctx.db)
        try await ctx.audit(
            "delete_attendance", recordType: "programme", recordID: p.id?.uuidString, municipality: p.$municipality.id)
    }

    /// Checks one attendance entry (for a single entry, the group form and the CSV import alike) and returns it
    /// unsaved: the existing record for the same day or week and measure when there is one, corrected, never a second
    /// set of rows; a new one otherwise. The week may not hold more hours than the plan gives it (`AttendanceCap`).
    /// Needs the participation's measures and attendance loaded; a new entry joins the loaded attendance, so a batch
    /// sees its own earlier rows.
    package static func attendanceEntry(_ input: AttendanceInput, for part: PersonProgramme) throws -> AttendanceEntry {
        guard let recordedEntries = part.$attendance.value else {
            throw Abort(.internalServerError, reason: "attendance not loaded")
        }
        var date = try Validate.pastDate(input.date, "date")
        guard let period = AttendancePeriod(rawValue: input.period ?? "day") else {
            throw ValidationFailure(field: "period", "invalid.one_of", "day, week")
        }
        if period == .week { date = date.weekStart }
        let max = period.maxHours
        let present = try Validate.hoursToMinutes(input.presentHours, "presentHours", max: max, required: false) ?? 0
        let absent = try Validate.hoursToMinutes(input.absenceHours, "absenceHours", max: max, required: false) ?? 0
        var kind: AbsenceKind? = nil
        if let k = input.absenceKind {
            guard let v = AbsenceKind(rawValue: k) else {
                throw ValidationFailure(
                    field: "absenceKind", "invalid.one_of", AbsenceKind.allCases.map(\.rawValue).joined(separator: ", ")
                )
            }
            kind = v
        }
        if absent > 0 && kind == nil {
            throw ValidationFailure(field: "absenceKind", "programme.invalid.absence_kind")
        }
        guard present + absent > 0 else {
            throw ValidationFailure(field: "presentHours", "programme.invalid.no_hours")
        }
        if let start = part.startDate, date < start.weekStart {
            throw ValidationFailure(field: "date", "programme.invalid.before_programme")
        }
        if let m = input.measureId {
            guard let measure = (part.$measures.value ?? []).first(where: { $0.id == m }) else {
                throw ValidationFailure(field: "measureId", "programme.invalid.not_a_measure")
            }
            guard measure.from <= date.adding(days: period.lastDayOffset), measure.to >= date else {
                throw ValidationFailure(field: "measureId", "programme.invalid.measure_not_running")
            }
        }
        let existing = recordedEntries.first {
            $0.date == date && $0.period == period && $0.measureID == input.measureId
        }
        let measures = part.$measures.value ?? []
        let planned = measures.map(\.planned)
        let cap = AttendanceCap.plannedMinutes(
            week: date, measures: planned,
            measure: input.measureId.flatMap { id in measures.first { $0.id == id } }?.planned)
        let recorded = recordedEntries.filter {
            $0 !== existing && $0.date.weekStart == date.weekStart
                && (input.measureId == nil || $0.measureID == input.measureId)
        }.reduce(0) { $0 + $1.presentMinutes + $1.absenceMinutes }
        guard AttendanceCap.fits(recorded: recorded, adding: present + absent, planned: cap) else {
            throw ValidationFailure(
                field: present > 0 ? "presentHours" : "absenceHours", "programme.invalid.over_plan",
                NorwegianFormat.hours(minutes: cap ?? 0), NorwegianFormat.hours(minutes: recorded))
        }
        let e = existing ?? AttendanceEntry()
        if existing == nil { part.$attendance.value = recordedEntries + [e] }
        e.$participation.id = part.id!
        e.date = date
        e.period = period
        e.presentMinutes = present
        e.absenceMinutes = absent
        e.absenceKind = absent > 0 ? kind : nil
        e.measureID = input.measureId
        return e
    }

    package static func addReview(_ ctx: ServiceContext, _ personID: UUID?, _ input: ReviewInput) async throws
        -> PlanReview
    {
        try await add(ctx, personID, audit: "add_review") { _, part in
            let r = PlanReview()
            r.$participation.id = part.id!
            r.date = try Validate.pastDate(input.date, "date")
            r.note = try Validate.required(input.note, "note", max: 4000, multiline: true)
            return r
        }
    }

    package static func addOutcome(_ ctx: ServiceContext, _ personID: UUID?, _ input: OutcomeInput) async throws
        -> ProgrammeOutcome
    {
        try await add(ctx, personID, audit: "add_outcome") { _, part in try outcome(input, for: part) }
    }

    /// Checks one outcome (single entry and CSV import alike); unsaved.
    package static func outcome(_ input: OutcomeInput, for part: PersonProgramme) throws -> ProgrammeOutcome {
        guard let kind = input.kind.flatMap(OutcomeKind.init(rawValue:)) else {
            throw ValidationFailure(field: "kind", "invalid.one_of", "one_year, five_year")
        }
        guard let status = input.status.flatMap(OutcomeStatus.init(rawValue:)) else {
            throw ValidationFailure(
                field: "status", "invalid.one_of", OutcomeStatus.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if kind == .oneYear && part.endDate == nil {
            throw ValidationFailure(field: "kind", "programme.invalid.one_year_needs_end")
        }
        let o = ProgrammeOutcome()
        o.$participation.id = part.id!
        o.kind = kind
        o.status = status
        o.recordedOn = try Validate.pastDate(input.recordedOn, "recordedOn")
        return o
    }

    /// Another deduction for a month (other public benefits, wages inside the programme, offset of an
    /// overpayment; integreringsloven § 23). It counts in that month's benefit and the decision threshold.
    package static func addDeduction(_ ctx: ServiceContext, _ personID: UUID?, _ input: DeductionInput) async throws
        -> BenefitDeduction
    {
        try await add(ctx, personID, audit: "add_deduction") { _, part in
            guard let m = input.month, let month = YearMonth(input: m) else {
                throw ValidationFailure(field: "month", "invalid.month")
            }
            guard let kr = input.amount, kr.isFinite, kr > 0, kr <= 1_000_000 else {
                throw ValidationFailure(field: "amount", "invalid.range", "0", "1000000")
            }
            let ore = (kr * 100).rounded()
            guard abs(kr * 100 - ore) < 1e-6 else {
                throw ValidationFailure(field: "amount", "programme.invalid.whole_ore")
            }
            let d = BenefitDeduction()
            d.$participation.id = part.id!
            d.month = month
            d.amountOre = Int(ore)
            d.reason = try Validate.required(input.reason, "reason", max: 500)
            return d
        }
    }
}

/// A person's programme as the pages, the API, the payout list and the worklist use it: the records, and the Core
/// rules' view of them (`ProgrammeCourse`) on the day.
package struct ProgrammeFacts {
    package let part: PersonProgramme
    package let person: Person
    package let course: ProgrammeCourse

    package init(part: PersonProgramme, person: Person, parameters: ProgrammeParameters, today: LocalDate) {
        self.part = part
        self.person = person
        course = ProgrammeCourse(
            lawRegime: part.lawRegime, birthDate: person.birthDate, residenceGround: person.residenceGround,
            hasEducationBackground: person.educationLevel != nil, decisionDate: part.decisionDate,
            startDate: part.startDate, endDate: part.endDate, planDate: part.planDate,
            contractSigned: part.contractSigned, stopKind: part.stopKind, stopDate: part.stopDate,
            stopEnd: part.stopEnd,
            finalGoal: part.finalGoal, endReason: part.endReason, plannedMonths: part.plannedMonths,
            extensionMonths: part.extensionMonths, livesWithParents: part.livesWithParents,
            coupleWithoutChildren: part.coupleWithoutChildren,
            measures: (part.$measures.value ?? []).map {
                PlannedMeasure(
                    kind: $0.kind, from: $0.from, to: $0.to, weeklyMinutes: $0.weeklyMinutes, selfStudy: $0.selfStudy)
            },
            leaves: (part.$leaves.value ?? []).map { .init(from: $0.from, to: $0.to, withBenefit: $0.withBenefit) },
            absences: (part.$attendance.value ?? []).compactMap { a in
                a.absenceKind.map { .init(date: a.date, minutes: a.absenceMinutes, kind: $0) }
            },
            reviews: (part.$reviews.value ?? []).map(\.date),
            deductions: (part.$deductions.value ?? []).map { .init(month: $0.month, amountOre: $0.amountOre) },
            parameters: parameters, today: today)
    }

    package var today: LocalDate { course.today }
    package var start: LocalDate? { course.startDate }
    package var end: LocalDate? { course.endDate }
    package var regime: LawRegime { course.regime }
    package var status: ProgrammeStatus { course.status }
    package var isOpen: Bool { course.isOpen }
    package var plannedEnd: LocalDate? { course.plannedEnd }
    package var nextReview: LocalDate? { course.nextReview }
    package var plannedMeasures: [PlannedMeasure] { course.measures }
    package var shortWeeks: [WeekLoad] { course.shortWeeks }
    package func missingContent(childUnder18: Bool) -> [String] { course.missingContent(childUnder18: childUnder18) }
    package func holidayDays(in year: Int) -> Double { course.holidayDays(in: year) }
    package func invalidAbsenceMinutes(in month: YearMonth) -> Int { course.invalidAbsenceMinutes(in: month) }
    package func benefit(for month: YearMonth) -> IntroductionBenefit.Result? { course.benefit(for: month) }
    package var benefitHistory: [IntroductionBenefit.Result] { course.benefitHistory }
    package var nirSnapshot: NIRCompleteness.Snapshot { course.nirSnapshot }
}
