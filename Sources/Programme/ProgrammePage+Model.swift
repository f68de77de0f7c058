import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// What the programme page of a participant shows: the decision and plan, the measures and weeks, attendance, leaves,
/// the benefit month by month, reviews, outcomes and ending. Loaded through a service context (its clock, its
/// store, its policy), so it is tested without HTTP.
package struct ProgrammePage: Encodable {
    package struct Measure: Encodable {
        var id: UUID
        var kindKey: String
        var title: String?
        var from: String
        var to: String
        var hours: String
        var selfStudy: Bool
        var ownerKey: String
    }
    package struct Week: Encodable {
        var weekStart: String
        var planned: String
        var required: String
    }
    package struct Leave: Encodable {
        var from: String
        var to: String
        var reason: String
        var withBenefit: Bool
    }
    package struct Attendance: Encodable {
        var id: UUID
        var date: String
        var periodKey: String
        var present: String
        var absence: String
        var kindKey: String?
        var measureKey: String?
        var measureTitle: String?
    }
    package struct Review: Encodable {
        var date: String
        var note: String
    }
    package struct Benefit: Encodable {
        var month: String
        var factor: String
        var monthlyOre: Int
        var deductionOre: Int
        var netOre: Int
        var requiresDecision: Bool
    }
    package struct Outcome: Encodable {
        var kindKey: String
        var statusKey: String
        var recordedOn: String
    }
    /// An ended placement in language or work practice (the work feature's) and how it ended.
    package struct Practice: Encodable {
        var provider: String
        var kindKey: String
        var endedOn: String
        var outcomeKey: String
    }
    package struct Duration: Encodable {
        var groupKey: String
        var minMonths: Int?
        var maxMonths: Int
        var maxExtension: Int
        var reference: String
        var plannedEnd: String?
    }
    package struct TargetRow: Encodable {
        var skill: String
        var skillKey: String
        var levels: [Choice]
    }
    package var personID: UUID
    package var name: String
    package var exists: Bool
    package var statusKey: String
    package var regimeKey: String
    package var input: ProgrammeInput
    package var error: String?
    package var errorField: String?
    package var goals: [Choice]
    package var regimes: [Choice]
    package var stopKinds: [Choice]
    package var targets: [TargetRow]
    package var duration: Duration?
    package var measures: [Measure]
    package var shortWeeks: [Week]
    package var missingContent: [String]
    package var leaves: [Leave]
    package var attendance: [Attendance]
    package var holidayDays: String
    package var holidayWarning: Bool
    package var maxHoliday: Int
    package var reviews: [Review]
    package var nextReview: String?
    package var reviewOverdue: Bool
    package var benefits: [Benefit]
    /// The newest G when this month is after its successor was due: the amounts shown use an old G.
    package var staleG: String?
    package var endDate: String?
    package var endReasonKey: String?
    package var outcomes: [Outcome]
    /// The placements that fed the programme's outcome: one that went on as a job proposes "completed, work".
    package var practice: [Practice]
    /// Who can own a measure: the integration service and the partners that run measures.
    package var owners: [Choice]
    package var measureKinds: [Choice]
    package var absenceKinds: [Choice]
    package var endReasons: [Choice]
    package var outcomeStatuses: [Choice]
    package var today: String
    package var canCertificate: Bool
    package struct Phase: Encodable {
        var position: Int
        var name: String
        var state: String
    }
    package var phases: [Phase]
    package var catalogue: [Choice]
    package struct Deduction: Encodable {
        var month: String
        var amountOre: Int
        var reason: String
    }
    package var deductions: [Deduction]
    package var measureOptions: [Choice]
    /// When one of the smaller forms fails: which, the field, the message, and what was typed (kept in the form).
    package var subForm: String?
    package var subField: String?
    package var subError: String?
    /// `<form>-<field>`: the key `#invalid` and `#fieldError` match the failing control by.
    package var subAnchor: String?
    package var posted: [String: String]
}

extension ProgrammePage {
    /// The page for `personID` in `lang`, after the policy allows reading the programme. `input`, `error` and
    /// `message` re-show the main form as it was sent; `sub` one of the smaller forms.
    package static func load(
        _ ctx: ServiceContext, person personID: UUID?, lang: String, input override: ProgrammeInput? = nil,
        error: ValidationFailure? = nil, message: String? = nil, sub: ProgrammeController.SubFormError? = nil
    ) async throws -> ProgrammePage {
        let (person, part) = try await ProgrammeService.load(ctx, personID)
        let today = ctx.today
        let practice = try await ctx.app.sharedFacts.practiceOutcomes(person.id!, ctx.db)
        let params = ctx.app.programmeParameters
        let facts = part.map { ProgrammeFacts(part: $0, person: person, parameters: params, today: today) }
        // Every month's benefit, computed once for the table and the stale-G warning.
        let history = facts?.benefitHistory ?? []
        let input = override ?? ProgrammeController.input(part)
        let regime =
            facts?.regime ?? ProgrammeService.regime(ctx, person)
        var duration: ProgrammePage.Duration? = nil
        if let part, let decision = part.decisionDate,
            let a = try? ProgrammeService.duration(
                ctx, person, regime: regime, goal: part.finalGoal, decision: decision)
        {
            duration = .init(
                groupKey: a.group.labelKey, minMonths: a.minMonths, maxMonths: a.maxMonths,
                maxExtension: a.maxExtensionMonths, reference: a.reference, plannedEnd: facts?.plannedEnd?.iso)
        }
        // Children under 18 in the household make parenting guidance mandatory.
        var childUnder18 = false
        if let hid = person.$household.id {
            childUnder18 = try await Person.query(on: ctx.db).filter(\.$household.$id == hid).all()
                .contains { $0.id != person.id && ($0.birthDate.age(on: today) ?? 99) < 18 }
        }
        let maxHoliday = params.maxHolidayWorkingDays.entry(on: today)?.value ?? 25
        let measuresByID = Dictionary(uniqueKeysWithValues: (part?.measures ?? []).map { ($0.id!, $0) })
        let ladder = try await LadderPhase.query(on: ctx.db).filter(\.$municipality.$id == person.$municipality.id)
            .sort(\.$position).all()
        let catalogue = try await CatalogueMeasure.query(on: ctx.db).filter(
            \.$municipality.$id == person.$municipality.id
        ).sort(\.$name).all()
        let holiday = facts?.holidayDays(in: today.year) ?? 0
        let next = facts?.nextReview
        return ProgrammePage(
            personID: person.id!, name: person.fullName, exists: part != nil,
            statusKey: "programme.status.\(facts?.status.rawValue ?? "none")",
            regimeKey: regime.labelKey,
            input: input, error: error.map { $0.message(ctx.app.translations, lang) } ?? message,
            errorField: error?.field,
            goals: FinalGoal.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == input.finalGoal)
            },
            regimes: [LawRegime.integreringsloven2021, .introduksjonsloven2003].map {
                Choice(
                    value: $0.rawValue, label: $0.labelKey,
                    selected: $0.rawValue == (input.lawRegime ?? regime.rawValue))
            },
            stopKinds: ["temporary", "permanent"].map {
                Choice(value: $0, label: "programme.stop.\($0)", selected: $0 == input.stopKind)
            },
            targets: NorwegianSkill.allCases.map { s in
                .init(
                    skill: s.rawValue, skillKey: s.labelKey,
                    levels: CEFRLevel.allCases.map {
                        Choice(
                            value: $0.rawValue, label: $0.rawValue,
                            selected: input.norwegianTarget?[s.rawValue] == $0.rawValue)
                    })
            },
            duration: duration,
            measures: (part?.measures ?? []).sorted { $0.from < $1.from }.map {
                .init(
                    id: $0.id!, kindKey: $0.kind.labelKey, title: $0.title, from: $0.from.iso,
                    to: $0.to.iso,
                    hours: NorwegianFormat.hours(minutes: $0.weeklyMinutes), selfStudy: $0.selfStudy,
                    ownerKey: $0.ownedBy.labelKey)
            },
            shortWeeks: (facts?.shortWeeks ?? []).prefix(12).map {
                .init(
                    weekStart: $0.weekStart.iso, planned: NorwegianFormat.hours(minutes: $0.plannedMinutes),
                    required: NorwegianFormat.hours(minutes: $0.requiredMinutes))
            },
            missingContent: part?.decisionDate == nil
                ? [] : (facts?.missingContent(childUnder18: childUnder18) ?? []).map { "content.\($0)" },
            leaves: (part?.leaves ?? []).sorted { $0.from > $1.from }.map {
                .init(from: $0.from.iso, to: $0.to.iso, reason: $0.reason, withBenefit: $0.withBenefit)
            },
            attendance: (part?.attendance ?? []).sorted { $0.date > $1.date }.prefix(30).map {
                .init(
                    id: $0.id!, date: $0.date.iso, periodKey: $0.period.labelKey,
                    present: NorwegianFormat.hours(minutes: $0.presentMinutes),
                    absence: NorwegianFormat.hours(minutes: $0.absenceMinutes),
                    kindKey: $0.absenceKind.map { $0.labelKey },
                    measureKey: measuresByID[$0.measureID ?? UUID()].map { $0.kind.labelKey },
                    measureTitle: measuresByID[$0.measureID ?? UUID()]?.title)
            },
            holidayDays: String(format: "%.1f", holiday).replacingOccurrences(of: ".", with: ","),
            holidayWarning: holiday > Double(maxHoliday), maxHoliday: maxHoliday,
            reviews: (part?.reviews ?? []).sorted { $0.date > $1.date }.map {
                .init(date: $0.date.iso, note: $0.note)
            },
            nextReview: next?.iso, reviewOverdue: next.map { $0 < today } ?? false,
            benefits: history.prefix(24).map {
                .init(
                    month: $0.month.iso, factor: $0.factor, monthlyOre: $0.monthlyOre,
                    deductionOre: $0.absenceDeductionOre + $0.otherDeductionsOre,
                    netOre: $0.netOre, requiresDecision: $0.requiresDecision)
            },
            staleG: history.isEmpty ? nil : params.staleGrunnbelop(for: YearMonth(today))?.norwegian,
            endDate: part?.endDate?.iso, endReasonKey: part?.endReason.map { $0.labelKey },
            outcomes: (part?.outcomes ?? []).map {
                .init(
                    kindKey: $0.kind.labelKey, statusKey: $0.status.labelKey,
                    recordedOn: $0.recordedOn.iso)
            },
            practice: practice.map {
                .init(
                    provider: $0.provider, kindKey: "work.kind.\($0.kind)", endedOn: $0.endedOn.iso,
                    outcomeKey: "work.outcome.\($0.outcome)")
            },
            owners: Sector.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: $0 == .integration)
            },
            measureKinds: MeasureKind.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: false)
            },
            absenceKinds: AbsenceKind.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: false)
            },
            endReasons: EndReason.allCases.map {
                Choice(
                    value: $0.rawValue, label: $0.labelKey,
                    selected: $0 == .completedWork && practice.first?.isJob == true)
            },
            outcomeStatuses: OutcomeStatus.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: false)
            },
            today: today.iso, canCertificate: part?.endDate != nil,
            phases: ladder.map { l in
                let current = part?.ladderPhase
                return .init(
                    position: l.position, name: l.name,
                    state: current == nil
                        ? "later" : l.position < current! ? "done" : l.position == current! ? "current" : "later")
            },
            catalogue: catalogue.map { Choice(value: "catalogue:\($0.id!)", label: $0.name, selected: false) },
            deductions: (part?.deductions ?? []).sorted { $0.month > $1.month }.map {
                .init(month: $0.month.iso, amountOre: $0.amountOre, reason: $0.reason)
            },
            measureOptions: (part?.measures ?? []).sorted { $0.from < $1.from }.map { m in
                let label =
                    ctx.app.translations.text(m.kind.labelKey, lang)
                    + (m.title.map { " – \($0)" } ?? "")
                return Choice(
                    value: m.id!.uuidString,
                    label: "\(label) (\(m.from.norwegian)–\(m.to.norwegian))",
                    selected: false)
            },
            subForm: sub?.form, subField: sub?.failure.field,
            subError: sub.map { $0.failure.message(ctx.app.translations, lang) },
            subAnchor: sub.map { "\($0.form)-\($0.failure.field)" },
            posted: sub?.posted ?? [:])
    }
}
