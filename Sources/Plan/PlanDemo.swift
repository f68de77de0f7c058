import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The demo's plans: Elverum's integration plan 2015–2019 with its six focus areas and the indicator table of the
/// seed (status 2014, targets 2019), the computed indicators wired to the demo's files.
enum PlanDemo {
    /// The partner sector a demo measure's owner names, so that partners find their measures.
    static func ownerSector(_ owner: String) -> Sector? {
        let rules: [(String, Sector)] = [
            ("NAV", .nav), ("Voksenopplæring", .adultEducation), ("opplæringssenter", .adultEducation),
            ("Helse", .health), ("Bolig", .housing), ("Frivillig", .volunteer), ("Barnehage", .kindergarten),
            ("Skole", .school),
        ]
        return rules.first { owner.contains($0.0) }?.1
    }

    struct Indicator {
        var name: String
        var key: String?
        var unit: IndicatorUnit = .share
        var direction: IndicatorDirection = .higher
        var baseline: Double?
        var target: Double?
    }
    struct Area {
        var title: String
        var responsible: String
        var strategies: String
        var goals: [(String, [Indicator], [(String, String, MeasureStatus)])]
    }

    static let elverum: [Area] = [
        Area(
            title: "Mottak og bosetting", responsible: "Flyktningetjenesten",
            strategies: "Alle berørte tjenesteområder skal være rustet til forsvarlig oppfølging ved bosetting. "
                + "En tverrfaglig arbeidsgruppe vurderer forespørslene og gir sin tilrådning innen 24 timer.",
            goals: [
                (
                    "Elverum kommune skal bosette flyktninger i henhold til politisk vedtak.",
                    [
                        Indicator(
                            name: "Andel av vedtaket bosatt", key: "settlement_fulfilled", baseline: 1, target: 1),
                        Indicator(
                            name: "Hasteanmodninger besvart innen 24 timer", key: "imdi_answered_in_time_urgent",
                            target: 1),
                        Indicator(
                            name: "Svartid på hasteanmodninger", key: "imdi_answer_hours_urgent", unit: .hours,
                            direction: .lower, target: 24),
                    ],
                    [("Tverrfaglig arbeidsgruppe for forespørsler fra IMDi", "Flyktningetjenesten", .ongoing)]
                ),
                (
                    "De som har rett og plikt skal tilbys introduksjonsprogram innen 3 måneder etter bosetting.",
                    [
                        Indicator(
                            name: "Andel startet i program innen 3 måneder", key: "programme_start_3m", target: 1),
                        Indicator(
                            name: "Andel med vedtak om program innen 3 måneder", key: "programme_decision_in_time",
                            target: 1),
                    ],
                    []
                ),
            ]),
        Area(
            title: "Bolig", responsible: "Boligkontoret, Flyktningetjenesten",
            strategies: "Videreføre det boligsosiale arbeidet; boligskole i introduksjonsprogrammet; forhindre "
                + "utkastelser.",
            goals: [
                (
                    "Alle skal ha et godt sted å bo.",
                    [Indicator(name: "Fra leie til eie", baseline: 0.60, target: 1)],
                    [("Boligskole i introduksjonsprogrammet", "Flyktningetjenesten", .planned)]
                )
            ]),
        Area(
            title: "Kvalifisering", responsible: "Flyktningetjenesten, NAV, Voksenopplæringen",
            strategies: "Introduksjonsprogrammet tilpasses individuelt; samarbeid med næringslivet om praksis.",
            goals: [
                (
                    "Flyktningene skal raskest mulig ut i arbeid eller utdanning.",
                    [
                        Indicator(
                            name: "I arbeid eller utdanning etter avsluttet program", key: "work_or_education_1y",
                            baseline: 0.53, target: 0.70),
                        Indicator(name: "I arbeid eller utdanning 5 år etter bosetting", baseline: 0.82, target: 0.90),
                        Indicator(name: "Andel med kompetansebevis", target: 0.50),
                    ],
                    [
                        ("Egen modell for arbeidspraksis med lokale bedrifter", "NAV", .ongoing),
                        ("Yrkesrettede kompetansekurs (FIA)", "Voksenopplæringen", .done),
                    ]
                ),
                (
                    "Programrådgiverne skal ha et forsvarlig antall deltakere å følge opp.",
                    [
                        Indicator(
                            name: "Deltakere per programrådgiver", key: "participants_per_advisor", unit: .count,
                            direction: .lower, target: 20)
                    ],
                    []
                ),
            ]),
        Area(
            title: "Psykisk og fysisk helse", responsible: "Helse og omsorg",
            strategies: "Likeverdig tilbud om helse- og omsorgstjenester; informasjon om vold i nære relasjoner.",
            goals: [
                (
                    "Alle flyktninger skal sikres et kvalitativt godt helsetilbud.",
                    [
                        Indicator(
                            name: "Helseundersøkelse innen 3 måneder", key: "health_examination_in_time", target: 1),
                        Indicator(
                            name: "Tuberkuloseundersøkelse innen 14 dager", key: "tb_screening_in_time", target: 1),
                    ],
                    [("Helsesjekk ved bosetting i samarbeid med helsestasjonen", "Helse og omsorg", .ongoing)]
                )
            ]),
        Area(
            title: "Oppvekst og skole", responsible: "Oppvekst",
            strategies: "Barnehage og skole som møteplasser; dekke én fritidsaktivitet per barn i to år.",
            goals: [
                (
                    "Alle førskolebarn skal ha tilbud om barnehageplass.",
                    [
                        Indicator(name: "Barnehagestart innen fristen", key: "kindergarten_start_in_time", target: 1),
                        Indicator(name: "Skolestart innen fristen", key: "school_start_in_time", target: 1),
                    ],
                    []
                )
            ]),
        Area(
            title: "Økonomi", responsible: "Økonomi, Flyktningetjenesten",
            strategies: "Målrette integreringsmidlene fra bosettingsdato; kvalifiseringsperioden skal ikke overstige "
                + "5 år.",
            goals: [("Begrense behovet for økonomisk sosialhjelp.", [], [])]),
    ]

    /// Tynset's focus areas 2017–2021 (the Tynset seed, "Figur 2: Innsatsområdene 2017-2021"), with the goals,
    /// strategies and responsible units the plan gives the first ones.
    static let tynset: [(String, String?, String?, String?)] = [
        (
            "Økonomi og levekår", "NAV og Tynset opplæringssenter",
            "Det gjøres en særskilt innsats for de innvandrerfamiliene som kommer dårligst ut i forhold til levekår.",
            "Behovet for sosial stønad blant innvandrerbefolkningen skal reduseres."
        ),
        ("Bosetting og etablering", "Flyktningetjenesten", nil, "Tynset kommune bosetter i tråd med vedtaket."),
        (
            "Voksenopplæring og grunnleggende kvalifisering", "Tynset opplæringssenter",
            "Arbeidsrettede metoder i voksenopplæringen videreutvikles.", "Flere består norskprøven på nivå B1."
        ),
        ("Arbeid og sysselsetting", "NAV", nil, "Flere går til arbeid eller utdanning etter programmet."),
        ("Lokal integrering, sosialt nettverk og fritidsaktiviteter", "Kultur og Frivilligsentralen", nil, nil),
        ("Barn og familie", "Oppvekst og helsestasjon", nil, nil),
        ("Psykisk og fysisk helse", "Helse og omsorg", nil, nil),
        ("Demokrati og deltakelse", "Innvandrerrådet", nil, nil),
        ("Oppvekst, barnehage og skole", "Oppvekst", nil, nil),
        ("Informasjon og kommunikasjon", "Flyktningetjenesten", nil, nil),
        ("Likestilling og likeverd", "Rådmannen", nil, nil),
    ]

    /// Tynset's plan and its inclusion team: the KUN seed's key person per partner, two meetings this year,
    /// one of whose decisions became a measure of the plan.
    static func loadTynset(_ demo: DemoContext) async throws {
        let db = demo.db
        let plan = IntegrationPlan()
        plan.municipality = "3427"
        plan.title = "Handlingsplan for inkludering og integrering 2017–2021"
        plan.firstYear = 2017
        plan.lastYear = 2021
        plan.status = .adopted
        plan.adoptedOn = LocalDate(year: 2017, month: 3, day: 28)
        plan.caseNumber = "17/218"
        try await plan.save(on: db)
        var workGoal: PlanGoal? = nil
        for (i, (title, responsible, strategies, goalText)) in tynset.enumerated() {
            let area = PlanFocusArea()
            area.$plan.id = plan.id!
            area.position = i + 1
            area.title = title
            area.responsible = responsible
            area.strategies = strategies
            try await area.save(on: db)
            guard let goalText else { continue }
            let goal = PlanGoal()
            goal.$area.id = area.id!
            goal.position = 1
            goal.text = goalText
            try await goal.save(on: db)
            if title == "Arbeid og sysselsetting" { workGoal = goal }
        }
        // From the review of the previous action plan: measures continued, new and completed.
        if let goal = workGoal {
            for (title, status, note) in [
                ("Samarbeidsavtale med NAV om arbeidsrettet løp", MeasureStatus.ongoing, "Videreført fra 2013–2015"),
                ("Praksisplasser i kommunale enheter", .planned, "Nytt tiltak"),
                ("Kurs i arbeidslivskunnskap", .done, "Gjennomført"),
            ] {
                let m = PlanMeasure()
                m.$goal.id = goal.id!
                m.title = title
                m.ownerUnit = "NAV"
                m.ownerSector = .nav
                m.status = status
                m.statusNote = note
                m.statusDate = LocalDate(year: 2017, month: 3, day: 28)
                try await m.save(on: db)
            }
        }
        let team = InclusionTeam()
        team.municipality = "3427"
        team.name = "Inkluderingsteamet i Tynset"
        team.lead = "Tynset opplæringssenter"
        team.meetingTemplate =
            "1. Godkjenning av referat\n2. Status bosetting\n3. Saker fra partnerne\n4. Tiltak i planen\n5. Eventuelt"
        try await team.save(on: db)
        for (partner, person, deputy) in [
            ("Tynset opplæringssenter", "Kari Haugen", "Per Moen"), ("NAV Tynset", "Ola Bakken", nil),
            ("Helsestasjonen", "Ingrid Sletten", nil), ("Barnehagene", "Anne Lie", nil),
            ("Tynset ungdomsskole", "Jon Rønning", nil), ("Frivilligsentralen", "Berit Aune", "Lars Eggen"),
            ("Næringslivet (Tynset næringsforening)", "Sigrid Nyhus", nil),
        ] {
            let m = TeamMember()
            m.$team.id = team.id!
            m.partner = partner
            m.keyPerson = person
            m.deputy = deputy
            try await m.save(on: db)
        }
        // Two meetings this year: one held, with a decision that became a measure, and one planned.
        let today = LocalDate.today
        let held = max(today.adding(days: -90), LocalDate(year: today.year, month: 1, day: 10)!)
        let planned = min(today.adding(days: 14), LocalDate(year: today.year, month: 12, day: 20)!)
        for (date, minutes) in [(held, "Gjennomgang av årets bosetting og praksisplasser."), (planned, nil)] {
            let meeting = TeamMeeting()
            meeting.$team.id = team.id!
            meeting.date = date
            meeting.place = "Tynset rådhus"
            meeting.agenda = team.meetingTemplate
            meeting.minutes = minutes
            try await meeting.save(on: db)
            guard minutes != nil, let goal = workGoal else { continue }
            let measure = PlanMeasure()
            measure.$goal.id = goal.id!
            measure.title = "Fem nye praksisplasser i kommunale enheter"
            measure.ownerUnit = "NAV Tynset"
            measure.ownerSector = .nav
            measure.status = .planned
            measure.startDate = date
            measure.statusDate = date
            measure.statusNote = "Vedtatt i inkluderingsteamet \(date.norwegian)"
            try await measure.save(on: db)
            let d = TeamDecision()
            d.$meeting.id = meeting.id!
            d.text = "Fem nye praksisplasser i kommunale enheter"
            d.measureID = measure.id
            try await d.save(on: db)
        }
    }

    static func load(_ demo: DemoContext) async throws {
        try await loadTynset(demo)
        let db = demo.db
        let plan = IntegrationPlan()
        plan.municipality = "3420"
        plan.title = "Integreringsplan for Elverum kommune 2015–2019"
        plan.firstYear = 2015
        plan.lastYear = 2019
        plan.status = .adopted
        plan.adoptedOn = LocalDate(year: 2015, month: 6, day: 17)
        plan.caseNumber = "15/1234"
        try await plan.save(on: db)
        for (i, a) in elverum.enumerated() {
            let area = PlanFocusArea()
            area.$plan.id = plan.id!
            area.position = i + 1
            area.title = a.title
            area.responsible = a.responsible
            area.strategies = a.strategies
            try await area.save(on: db)
            for (j, (text, indicators, measures)) in a.goals.enumerated() {
                let goal = PlanGoal()
                goal.$area.id = area.id!
                goal.position = j + 1
                goal.text = text
                try await goal.save(on: db)
                for ind in indicators {
                    let row = PlanIndicator()
                    row.$goal.id = goal.id!
                    row.name = ind.name
                    row.unit = ind.unit
                    row.direction = ind.direction
                    row.computedKey = ind.key
                    if let b = ind.baseline { (row.baselineYear, row.baselineValue) = (2014, b) }
                    if let t = ind.target { (row.targetYear, row.targetValue) = (2019, t) }
                    try await row.save(on: db)
                    if ind.key == nil, let b = ind.baseline {
                        // Entered by hand from the unit's scorecard, a year after the plan's baseline.
                        let v = PlanIndicatorValue()
                        v.$indicator.id = row.id!
                        v.measuredOn = LocalDate(year: 2024, month: 12, day: 31)!
                        v.value = min(1, b + 0.05)
                        v.source = "Enhetens målekort 2024"
                        try await v.save(on: db)
                    }
                }
                for (title, owner, status) in measures {
                    let m = PlanMeasure()
                    m.$goal.id = goal.id!
                    m.title = title
                    m.ownerUnit = owner
                    m.ownerSector = ownerSector(owner)
                    m.status = status
                    m.startDate = LocalDate(year: 2016, month: 1, day: 1)
                    m.deadline = LocalDate(year: 2019, month: 12, day: 31)
                    m.statusDate = LocalDate.today
                    try await m.save(on: db)
                }
            }
        }
    }
}
