import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Demo introduction programmes at every stage: just decided, mid-programme with attendance and absences, on leave,
/// stopped, ended with each reason (some with their status one year on). Dates are relative to the day the demo is
/// loaded, so the current month always has a payout list. Elverum's advisor follows more than the recommended 20
/// participants; Vestre Toten's follows fewer. Some files lack what NIR needs, so the data-quality list has work in it.
/// Every name is invented.
package enum DemoProgramme {
    package enum Stage {
        case mappingOnly, decided, active, activeHeavyAbsence, onLeave, stoppedTemporarily
        case ended(EndReason, outcome: OutcomeStatus?)
    }

    package static let given = [
        "Amina", "Yusuf", "Hiwet", "Dawit", "Olha", "Serhii", "Fatuma", "Abdirahman", "Leila", "Karim", "Nadia",
        "Tesfaye",
        "Mariam", "Hamid", "Zainab", "Bashir", "Iryna", "Petro", "Samira", "Jamal", "Rahel", "Mehari", "Nasrin",
        "Farhad",
        "Halima", "Ibrahim", "Kateryna", "Oleksii", "Sahra", "Mustafa",
    ]
    package static let family = [
        "Farah", "Osman", "Berhane", "Kidane", "Hnatiuk", "Moroz", "Warsame", "Jama", "Sadiq", "Nazari", "Hassan",
        "Tekle", "Abebe",
    ]
    package static let outcomes: [OutcomeStatus] = [
        .employed, .education, .employedAndEducation, .unemployedOrMeasure, .otherUnknown, .employed,
    ]

    /// A qualification ladder in the spirit of Hemsedal's, and own measures such as its "flyktningeløft".
    package static let ladder = [
        "Kartlegging og norsk", "Språkpraksis", "Arbeidspraksis", "Arbeid med lønnstilskudd",
        "Ordinært arbeid eller utdanning",
    ]
    package static let ownMeasures: [(String, MeasureKind)] = [
        ("Flyktningeløftet – praksis i kommunal virksomhet", .workPractice),
        ("Sesongjobbkurs (reiseliv)", .tradeCourse),
    ]

    package static func load(on db: any Database, parameters: ProgrammeParameters, users: [String: UUID]) async throws {
        let today = LocalDate.today
        for code: Kommunenummer in ["3420", "3326", "3324"] {
            for (i, name) in ladder.enumerated() {
                let phase = LadderPhase()
                phase.$municipality.id = code
                phase.position = i + 1
                phase.name = name
                try await phase.create(on: db)
            }
            for (name, kind) in ownMeasures {
                let m = CatalogueMeasure()
                m.$municipality.id = code
                m.name = name
                m.kind = kind
                try await m.create(on: db)
            }
        }
        // Elverum: 22 open participations for one advisor (above the recommended 20), one in mapping, every ending
        // reason once recently, and six who ended 14 months ago with their status one year on. Vestre Toten: a few.
        var plan: [(Kommunenummer, String, Stage)] = [
            ("3420", "veileder.elverum", .mappingOnly), ("3420", "veileder.elverum", .activeHeavyAbsence),
        ]
        let open: [Stage] = [.active, .decided, .active, .onLeave, .active, .stoppedTemporarily, .active]
        for i in 0..<21 { plan.append(("3420", "veileder.elverum", open[i % open.count])) }
        for reason in EndReason.allCases { plan.append(("3420", "veileder.elverum", .ended(reason, outcome: nil))) }
        for (n, outcome) in outcomes.enumerated() {
            plan.append(
                (
                    "3420", "veileder.elverum",
                    .ended([EndReason.completedWork, .completedEducation, .moved][n % 3], outcome: outcome)
                ))
        }
        plan += [
            ("3443", "veileder.vestretoten", .mappingOnly), ("3443", "veileder.vestretoten", .decided),
            ("3443", "veileder.vestretoten", .active), ("3443", "veileder.vestretoten", .onLeave),
            ("3443", "veileder.vestretoten", .active), ("3443", "veileder.vestretoten", .ended(.moved, outcome: nil)),
            ("3443", "veileder.vestretoten", .ended(.completedWork, outcome: .employed)),
        ]
        for (i, (code, advisor, stage)) in plan.enumerated() {
            let p = Person()
            p.$municipality.id = code
            p.givenName = given[i % given.count]
            p.familyName = family[(i * 7) % family.count]
            p.birthDate = today.adding(years: -(21 + (i * 5) % 30)).adding(days: -(i * 37) % 300)
            p.sex = i % 2 == 0 ? .female : .male
            p.citizenship = ["SO", "ER", "UA", "AF", "SY"][i % 5]
            p.countryOfBirth = p.citizenship
            p.residenceGround =
                p.citizenship == "UA" ? .collectiveProtection : .refugee
            // A few without education background: NIR needs it.
            p.educationLevel = i % 9 == 4 ? nil : EducationLevel.allCases[i % 4]
            p.advisorID = users[advisor]
            // Open programmes started recently enough to be within the participant's planned length.
            let longest =
                (try? ProgrammeDuration(parameters: parameters).assess(
                    lawRegime: .integreringsloven2021, finalGoal: goal(i),
                    ageAtDecision: p.birthDate.age(on: today),
                    educationLevel: p.educationLevel, decisionDate: today))?
                .maxMonths ?? 24
            let start = startDate(stage, today: today, index: i, longest: longest)
            p.settlementDate = start.adding(months: -2)
            p.arrivalDate = p.settlementDate
            p.permitDate = start.adding(months: -3)
            p.settledByAgreement = true
            try await p.create(on: db)
            try await participation(
                for: p, stage: stage, start: start, index: i, today: today, parameters: parameters, on: db)
        }
    }

    package static func startDate(_ stage: Stage, today: LocalDate, index i: Int, longest: Int) -> LocalDate {
        switch stage {
        case .mappingOnly, .decided: return today.adding(days: 10)
        case .ended(_, let outcome): return today.adding(months: outcome == nil ? -14 : -26)
        default: return today.adding(months: -max(1, min(4 + i % 6, longest - 2))).adding(days: -(i % 20))
        }
    }

    package static func goal(_ i: Int) -> FinalGoal? {
        i % 7 == 3 ? nil : [FinalGoal.work, .upperSecondaryCompletion, .higherEducation, .work][i % 4]
    }

    package static func outcomeGiven(_ s: Stage) -> Bool {
        if case .ended(_, let o) = s { return o != nil }
        return false
    }

    /// A programme record for `p` under the 2021 act with only its mapping, done on `day` by the integration service.
    package static func mapped(_ p: Person, on day: LocalDate) -> PersonProgramme {
        let part = PersonProgramme()
        part.$person.id = p.id!
        part.$municipality.id = p.$municipality.id
        part.lawRegime = .integreringsloven2021
        part.extensionMonths = 0
        part.livesWithParents = false
        part.coupleWithoutChildren = false
        part.mappingDate = day
        part.mappingBy = "Integreringstjenesten"
        return part
    }

    package static func participation(
        for p: Person, stage: Stage, start: LocalDate, index i: Int, today: LocalDate, parameters: ProgrammeParameters,
        on db: any Database
    ) async throws {
        let part = mapped(p, on: min(today, start.adding(days: -40)))
        part.mappingSummary = "Kartlagt med tolk: språk, skolegang og arbeidserfaring. Motivert for arbeid."
        if case .mappingOnly = stage {
            try await part.create(on: db)
            return
        }
        part.guidanceDate = min(today, start.adding(days: -25))
        part.guidanceCentre = "Karrieresenteret i Innlandet"
        part.guidanceRecommendation = "Språkpraksis i helse og omsorg, deretter fagbrev."
        part.decisionDate = min(today.adding(days: -5), start.adding(days: -14))
        part.startDate = start
        part.finalGoal = goal(i)
        // The longest ordinary length the rules allow this participant.
        let decided = part.decisionDate!
        part.plannedMonths =
            (try? ProgrammeDuration(parameters: parameters).assess(
                lawRegime: .integreringsloven2021, finalGoal: part.finalGoal,
                ageAtDecision: p.birthDate.age(on: decided),
                educationLevel: p.educationLevel, decisionDate: decided))?
            .maxMonths
        part.planDate = min(today, start.adding(days: 20))
        part.contractSigned = i % 6 == 5 ? nil : part.planDate
        part.norwegianTarget = ["reading": "B1", "listening": "B1", "writing": "A2", "speaking": "B1"]
        if p.$municipality.id == "3420" { part.ladderPhase = 1 + i % 4 }
        switch stage {
        case .stoppedTemporarily:
            part.stopKind = .temporary
            part.stopDate = today.adding(days: -12)
        case .ended(let reason, _):
            // Those with a one-year status ended 14 months ago (one cohort); the others recently.
            part.endDate =
                min(
                    today.adding(days: -3),
                    start.adding(months: min(part.plannedMonths ?? 12, 12 + (outcomeGiven(stage) ? 0 : i % 8))))
            part.endReason = reason
        default: break
        }
        try await part.create(on: db)
        if case .decided = stage { return }
        // Measures: the mandatory content and a work-oriented element, just short of full time in the first weeks.
        let end = start.adding(months: part.plannedMonths ?? 24)
        let measures: [(MeasureKind, LocalDate, LocalDate, Int)] = [
            (.norwegian, start, end, 900), (.socialStudies, start, start.adding(months: 3), 300),
            (.lifeSkills, start.adding(months: 1), start.adding(months: 3), 180),
            (.workPractice, start.adding(days: 21), end, 1050), (.languagePractice, start.adding(months: 3), end, 300),
        ]
        for (n, (kind, from, to, minutes)) in measures.enumerated() where !(i % 8 == 2 && n > 0) {
            let m = ProgrammeMeasure()
            m.$participation.id = part.id!
            m.kind = kind
            m.from = from
            m.to = to
            m.weeklyMinutes = minutes
            m.selfStudy = false
            // NAV runs the work practice, the adult-education centre the Norwegian course.
            m.owner = kind == .workPractice ? .nav : kind == .norwegian ? .adultEducation : nil
            try await m.create(on: db)
        }
        // Attendance: the last eight weeks in the programme, with some absence of each kind.
        let lastDay = min(today, part.endDate ?? today)
        // The heavy-absence days below are recorded by day: their weeks get no week entry (one record per week).
        let heavyWeeks: Set<LocalDate> =
            if case .activeHeavyAbsence = stage {
                Set((0...10).map { YearMonth(today).firstDay.adding(days: $0).weekStart })
            } else { [] }
        let planned = try await ProgrammeMeasure.query(on: db).filter(\.$participation.$id == part.id!).all()
            .map(\.planned)
        for w in 0..<8 {
            let monday = lastDay.weekStart.adding(days: -7 * (w + 1))
            guard monday >= start else { break }
            guard !heavyWeeks.contains(monday) else { continue }
            // A week holds no more than the plan gives it.
            let week = min(2250, AttendanceCap.plannedMinutes(week: monday, measures: planned) ?? 2250)
            let e = AttendanceEntry()
            e.$participation.id = part.id!
            e.date = monday
            e.period = .week
            let kinds: [AbsenceKind?] = [
                nil, .sickChild, .invalid, nil, .ownIllnessSelfCertified, .holiday, nil, .welfare,
            ]
            let kind = kinds[(w + i) % kinds.count]
            e.absenceMinutes = kind == nil ? 0 : (kind == .holiday ? week : min(450, week))
            e.presentMinutes = week - e.absenceMinutes
            e.absenceKind = kind
            try await e.create(on: db)
        }
        if case .activeHeavyAbsence = stage {
            // Many invalid hours this month, by day on weekdays and within the plan's hours for each week: the
            // deduction then needs a formal decision.
            var used: [LocalDate: Int] = [:]
            for d in 0...10 {
                let day = YearMonth(today).firstDay.adding(days: d)
                guard day <= today else { break }
                let minutes = d == 0 ? 600 : 450
                let cap = AttendanceCap.plannedMinutes(week: day, measures: planned) ?? 2250
                guard day.weekdayFromMonday < 5, used[day.weekStart, default: 0] + minutes <= cap else { continue }
                used[day.weekStart, default: 0] += minutes
                let x = AttendanceEntry()
                x.$participation.id = part.id!
                x.date = day
                x.period = .day
                x.presentMinutes = 0
                x.absenceMinutes = minutes
                x.absenceKind = .invalid
                try await x.create(on: db)
            }
        }
        if case .onLeave = stage {
            let l = ProgrammeLeave()
            l.$participation.id = part.id!
            l.from = today.adding(days: -7)
            l.to = today.adding(days: 30)
            // Care leave after the birth, granted without the benefit: those days are not paid.
            l.reason = "Omsorgspermisjon etter fødsel"
            l.withBenefit = false
            try await l.create(on: db)
        }
        // Plan reviews: done for most; some are overdue.
        if i % 5 != 1, let planned = part.planDate, planned.adding(months: 6) <= today {
            let r = PlanReview()
            r.$participation.id = part.id!
            r.date = planned.adding(months: 6)
            r.note = "Gjennomgått planen med deltaker og tolk. God framgang i norsk; språkpraksis fortsetter."
            try await r.create(on: db)
        }
        if case .ended(_, let outcome?) = stage, let ended = part.endDate,
            ended.adding(years: 1) <= today
        {
            let o = ProgrammeOutcome()
            o.$participation.id = part.id!
            o.kind = .oneYear
            o.status = outcome
            o.recordedOn = ended.adding(years: 1)
            try await o.create(on: db)
        }
    }
}
