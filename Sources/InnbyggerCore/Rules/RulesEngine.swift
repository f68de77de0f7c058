/// The facts about a person that the rules need. Optional facts may be missing; the result then
/// says what could not be decided and why.
public struct PersonFacts: Sendable, Equatable {
    public enum ResidenceGround: String, CaseIterable, Sendable, Codable {
        case refugee, resettlementRefugee = "resettlement_refugee", humanitarian, limitedPermit = "limited_permit"
        case collectiveProtection = "collective_protection", familyReunification = "family_reunification"
        case independentGround = "independent_ground", familyOfNorwegian = "family_of_norwegian"
        case labourNonEEA = "labour_non_eea", labourEEA = "labour_eea", student, other

        /// Grounds in integreringsloven § 9 første ledd a–e (and the matching 2003 grounds).
        var isProtection: Bool {
            [.refugee, .resettlementRefugee, .humanitarian, .limitedPermit, .collectiveProtection].contains(self)
        }
    }
    public enum EducationLevel: String, CaseIterable, Sendable, Codable {
        case none, primary, upperSecondary = "upper_secondary", higher
    }

    public struct ReferencePerson: Sendable, Equatable {
        public var residenceGround: ResidenceGround?
        public var settlementDate: LocalDate?
        public init(residenceGround: ResidenceGround?, settlementDate: LocalDate?) {
            self.residenceGround = residenceGround
            self.settlementDate = settlementDate
        }
    }

    public var birthDate: LocalDate
    public var citizenship: String?
    public var residenceGround: ResidenceGround
    public var permitDate: LocalDate?
    public var arrivalDate: LocalDate?
    public var settlementDate: LocalDate?
    public var settledByAgreement: Bool?
    public var educationLevel: EducationLevel?
    public var referencePerson: ReferencePerson?
    public var familyApplicationDate: LocalDate?
    /// Kommunenummer, for local service levels (kindergarten and school start).
    public var municipality: String?

    public init(
        birthDate: LocalDate, citizenship: String? = nil, residenceGround: ResidenceGround,
        permitDate: LocalDate? = nil,
        arrivalDate: LocalDate? = nil, settlementDate: LocalDate? = nil, settledByAgreement: Bool? = nil,
        educationLevel: EducationLevel? = nil, referencePerson: ReferencePerson? = nil,
        familyApplicationDate: LocalDate? = nil, municipality: String? = nil
    ) {
        self.birthDate = birthDate
        self.citizenship = citizenship
        self.residenceGround = residenceGround
        self.permitDate = permitDate
        self.arrivalDate = arrivalDate
        self.settlementDate = settlementDate
        self.settledByAgreement = settledByAgreement
        self.educationLevel = educationLevel
        self.referencePerson = referencePerson
        self.familyApplicationDate = familyApplicationDate
        self.municipality = municipality
    }
}

public enum LawRegime: String, CaseIterable, Sendable, Codable {
    case integreringsloven2021 = "integreringsloven_2021", introduksjonsloven2003 = "introduksjonsloven_2003",
        undetermined
}

public enum Category: String, CaseIterable, Sendable, Codable {
    case rightAndDuty = "right_and_duty", mayBeOffered = "may_be_offered", dutyOnly = "duty_only", rightOnly =
        "right_only"
    case notCovered = "not_covered", undetermined
}

/// One step of the reasoning, with its legal source. `values` carries what was compared (an age,
/// a date) so the person page can say it in words.
public struct Check: Sendable, Equatable, Codable {
    public var rule: String
    public var passed: Bool?
    public var reference: String
    public var values: [String]
    public init(_ rule: String, _ passed: Bool?, _ reference: String, _ values: [String] = []) {
        self.rule = rule
        self.passed = passed
        self.reference = reference
        self.values = values
    }
}

public struct Assessment: Sendable, Equatable, Codable {
    public var category: Category
    public var checks: [Check]
    /// Facts that were missing, so that some check could not be made.
    public var missing: [String]
}

public enum DeadlineKind: String, CaseIterable, Sendable, Codable {
    case competenceMapping = "competence_mapping", careerGuidance = "career_guidance", programmeDecision =
        "programme_decision"
    case programmeStart = "programme_start", norwegianCompletion = "norwegian_completion", tbScreening = "tb_screening"
    case healthExamination = "health_examination", kindergartenStart = "kindergarten_start", schoolStart =
        "school_start"
    case integrationGrantEnd = "integration_grant_end"
}

public struct Deadline: Sendable, Equatable, Codable {
    public var kind: DeadlineKind
    public var due: LocalDate
    public var reference: String
    /// What the deadline counts from, e.g. "settlement_date + 3 months".
    public var basis: String

    public init(kind: DeadlineKind, due: LocalDate, reference: String, basis: String) {
        self.kind = kind
        self.due = due
        self.reference = reference
        self.basis = basis
    }
}

public struct Evaluation: Sendable, Equatable, Codable {
    public var lawRegime: LawRegime
    public var introductionProgramme: Assessment
    public var norwegianTraining: Assessment
    public var deadlines: [Deadline]
    /// Deadlines that could not be computed, with the missing fact.
    public var undeterminedDeadlines: [String]
}

/// Rights, duties and deadlines for a person on a date (integreringsloven 2021, introduksjonsloven 2003,
/// tuberkuloseforskriften, the health guide and local service levels), from dated parameters.
/// One implementation serves the person page, the worklist and `POST /api/v1/rules/evaluate`.
public struct RulesEngine: Sendable {
    /// Every `Check.rule` the engine can produce (the person page has a sentence for each).
    public static let ruleIDs: Set<String> = [
        "law_regime", "not_eea_or_nordic", "residence_ground", "age_at_permit", "settled_by_agreement", "within_window",
        "reference_person_protection", "reference_person_under_5_years", "collective_protection_right_only",
        "limited_permit_from_renewal",
    ]

    public var parameters: RuleParameters
    public init(parameters: RuleParameters) { self.parameters = parameters }

    public func evaluate(_ p: PersonFacts, asOf: LocalDate) -> Evaluation {
        let regime = lawRegime(p)
        let params = regime == .introduksjonsloven2003 ? parameters.introduksjonsloven : parameters.integreringsloven
        let programme =
            regime == .undetermined
            ? Assessment(category: .undetermined, checks: [regimeCheck(p, regime)], missing: missingForRegime(p))
            : programmeAssessment(p, regime, params, asOf)
        let norwegian =
            regime == .undetermined
            ? Assessment(category: .undetermined, checks: [regimeCheck(p, regime)], missing: missingForRegime(p))
            : norwegianAssessment(p, regime, params, asOf)
        var (deadlines, undetermined) = programmeDeadlines(p, programme, params, asOf, regime)
        let (more, moreUndetermined) = otherDeadlines(p, norwegian, params, asOf)
        deadlines += more
        undetermined += moreUndetermined
        return Evaluation(
            lawRegime: regime, introductionProgramme: programme, norwegianTraining: norwegian,
            deadlines: deadlines.sorted { ($0.due, $0.kind.rawValue) < ($1.due, $1.kind.rawValue) },
            undeterminedDeadlines: undetermined)
    }

    // MARK: Law regime

    /// Integreringsloven applies to permits granted from 2021-01-01, and to earlier permits when the person
    /// arrived from that date; introduksjonsloven to the rest.
    public func lawRegime(_ p: PersonFacts) -> LawRegime {
        let cut = parameters.integrationActFrom.value
        if let permit = p.permitDate, permit >= cut { return .integreringsloven2021 }
        if let arrival = p.arrivalDate, arrival >= cut { return .integreringsloven2021 }
        if let permit = p.permitDate, let arrival = p.arrivalDate, permit < cut, arrival < cut {
            return .introduksjonsloven2003
        }
        return .undetermined
    }

    func regimeCheck(_ p: PersonFacts, _ r: LawRegime) -> Check {
        Check(
            "law_regime", r == .undetermined ? nil : true, parameters.integrationActFrom.reference,
            [parameters.integrationActFrom.value.iso])
    }

    func missingForRegime(_ p: PersonFacts) -> [String] {
        [p.permitDate == nil ? "permitDate" : nil, p.arrivalDate == nil ? "arrivalDate" : nil].compactMap { $0 }
    }

    // MARK: Introduction programme

    private enum Outcome { case ok, offerOnly, excluded, unknown }

    func programmeAssessment(_ p: PersonFacts, _ regime: LawRegime, _ r: RuleParameters.Regime, _ asOf: LocalDate)
        -> Assessment
    {
        var checks: [Check] = [regimeCheck(p, regime)]
        var missing: [String] = []
        var outcomes: [Outcome] = []

        // Nordic and EEA nationals are outside the programme.
        let eea = parameters.eeaAndNordicCountries
        if let c = p.citizenship?.uppercased() {
            let excluded = eea.value.contains(c) || p.residenceGround == .labourEEA
            checks.append(Check("not_eea_or_nordic", !excluded, eea.reference, [c]))
            outcomes.append(excluded ? .excluded : .ok)
        } else if p.residenceGround == .labourEEA {
            checks.append(Check("not_eea_or_nordic", false, eea.reference))
            outcomes.append(.excluded)
        } else {
            checks.append(Check("not_eea_or_nordic", nil, eea.reference))
            missing.append("citizenship")
            outcomes.append(.unknown)
        }

        // Residence ground (§ 9): protection grounds a–e, family f, independent g; other family may be offered.
        let groundRef = regime == .integreringsloven2021 ? "integreringsloven § 9" : "introduksjonsloven § 2"
        let family = familyUnderReference(p, r)
        switch p.residenceGround {
        case let g where g.isProtection:
            checks.append(Check("residence_ground", true, groundRef, [g.rawValue]))
            outcomes.append(.ok)
        case .independentGround:
            checks.append(Check("residence_ground", true, groundRef, [p.residenceGround.rawValue]))
            outcomes.append(.ok)
        case .familyReunification:
            checks.append(contentsOf: family.checks)
            missing.append(contentsOf: family.missing)
            outcomes.append(family.qualifies == true ? .ok : family.qualifies == false ? .offerOnly : .unknown)
        case .familyOfNorwegian:
            checks.append(Check("residence_ground", false, groundRef, [p.residenceGround.rawValue]))
            outcomes.append(.offerOnly)
        default:
            checks.append(Check("residence_ground", false, groundRef, [p.residenceGround.rawValue]))
            outcomes.append(.excluded)
        }

        // Age on the date the permit was granted; the limits in force on the assessment date.
        if let permit = p.permitDate, let minA = r.programmeMinAge.entry(on: asOf),
            let maxA = r.programmeMaxAge.entry(on: asOf)
        {
            let age = p.birthDate.age(on: permit)
            let under = age < minA.value
            let over = age > maxA.value
            checks.append(
                Check(
                    "age_at_permit", !(under || over), maxA.reference,
                    [String(age), String(minA.value), String(maxA.value)]))
            outcomes.append(under ? .excluded : over ? .offerOnly : .ok)
        } else {
            checks.append(Check("age_at_permit", nil, r.programmeMaxAge.entries.first?.reference ?? groundRef))
            missing.append("permitDate")
            outcomes.append(.unknown)
        }

        // Settled by agreement with IMDi (not required for § 9 f and g).
        let agreementNeeded =
            !(p.residenceGround == .independentGround
            || (p.residenceGround == .familyReunification && family.qualifies == true))
        if agreementNeeded {
            if let s = p.settledByAgreement {
                checks.append(Check("settled_by_agreement", s, groundRef.replacingOccurrences(of: "§ 9", with: "§ 8")))
                outcomes.append(s ? .ok : .offerOnly)
            } else {
                checks.append(Check("settled_by_agreement", nil, groundRef))
                missing.append("settledByAgreement")
                outcomes.append(.unknown)
            }
        }

        // Less than two years in a municipality when the programme is decided.
        if let settled = p.settlementDate, let window = r.programmeWindowYears.entry(on: asOf) {
            let end = settled.adding(years: window.value)
            let inside = asOf < end
            checks.append(Check("within_window", inside, window.reference, [settled.iso, end.iso]))
            outcomes.append(inside ? .ok : .excluded)
        } else {
            checks.append(Check("within_window", nil, r.programmeWindowYears.entries.first?.reference ?? groundRef))
            missing.append("settlementDate")
            outcomes.append(.unknown)
        }

        let category: Category
        if outcomes.contains(where: {
            if case .excluded = $0 { return true }
            return false
        }) {
            category = .notCovered
        } else if outcomes.contains(where: {
            if case .unknown = $0 { return true }
            return false
        }) {
            category = .undetermined
        } else if outcomes.contains(where: {
            if case .offerOnly = $0 { return true }
            return false
        }) {
            category = .mayBeOffered
        } else {
            category = .rightAndDuty
        }
        return Assessment(category: category, checks: checks, missing: Array(Set(missing)).sorted())
    }

    /// § 9 f: family immigration with a person under a–e who had lived in a municipality less than
    /// five years when the family application was made.
    func familyUnderReference(_ p: PersonFacts, _ r: RuleParameters.Regime) -> (
        qualifies: Bool?, checks: [Check], missing: [String]
    ) {
        let years = r.familyReferenceYears.entries.last!
        guard let ref = p.referencePerson, let ground = ref.residenceGround else {
            return (
                nil, [Check("reference_person_protection", nil, years.reference)], ["referencePerson.residenceGround"]
            )
        }
        let protected = ground.isProtection
        var checks = [Check("reference_person_protection", protected, years.reference, [ground.rawValue])]
        guard protected else { return (false, checks, []) }
        guard let settled = ref.settlementDate, let applied = p.familyApplicationDate else {
            checks.append(Check("reference_person_under_5_years", nil, years.reference))
            return (
                nil, checks,
                [
                    ref.settlementDate == nil ? "referencePerson.settlementDate" : nil,
                    p.familyApplicationDate == nil ? "familyApplicationDate" : nil,
                ].compactMap { $0 }
            )
        }
        let limit = (r.familyReferenceYears.entry(on: applied) ?? years)
        let within = applied < settled.adding(years: limit.value)
        checks.append(
            Check(
                "reference_person_under_5_years", within, limit.reference,
                [settled.iso, applied.iso, String(limit.value)]))
        return (within, checks, [])
    }

    // MARK: Norwegian training

    func norwegianAssessment(_ p: PersonFacts, _ regime: LawRegime, _ r: RuleParameters.Regime, _ asOf: LocalDate)
        -> Assessment
    {
        var checks: [Check] = [regimeCheck(p, regime)]
        let eea = parameters.eeaAndNordicCountries
        let ref = regime == .integreringsloven2021 ? "integreringsloven §§ 27–28" : "introduksjonsloven § 17"
        if let c = p.citizenship?.uppercased(), eea.value.contains(c) || p.residenceGround == .labourEEA {
            checks.append(Check("not_eea_or_nordic", false, eea.reference, [c]))
            return Assessment(category: .notCovered, checks: checks, missing: [])
        }
        guard let permit = p.permitDate, let minA = r.norwegianMinAge.entry(on: asOf),
            let maxA = r.norwegianMaxAge.entry(on: asOf)
        else {
            checks.append(Check("age_at_permit", nil, ref))
            return Assessment(category: .undetermined, checks: checks, missing: ["permitDate"])
        }
        let age = p.birthDate.age(on: permit)
        let rightOnlyMax = r.norwegianRightOnlyMaxAge?.entry(on: asOf)
        let upper = rightOnlyMax?.value ?? maxA.value
        let inRange = age >= minA.value && age <= upper
        checks.append(
            Check("age_at_permit", inRange, maxA.reference, [String(age), String(minA.value), String(upper)]))
        guard inRange else { return Assessment(category: .notCovered, checks: checks, missing: []) }
        let rightOnlyByAge = age > maxA.value

        var missing: [String] = []
        let category: Category
        switch p.residenceGround {
        case .collectiveProtection where regime == .integreringsloven2021:
            checks.append(Check("collective_protection_right_only", true, "integreringsloven kapittel 6A"))
            category = .rightOnly
        case _
        where p.residenceGround.isProtection || p.residenceGround == .independentGround
            || p.residenceGround == .familyOfNorwegian:
            checks.append(Check("residence_ground", true, ref, [p.residenceGround.rawValue]))
            if p.residenceGround == .limitedPermit {
                checks.append(Check("limited_permit_from_renewal", nil, "integreringsloven § 27"))
            }
            category = rightOnlyByAge ? .rightOnly : .rightAndDuty
        case .familyReunification:
            let family = familyUnderReference(p, r)
            checks.append(contentsOf: family.checks)
            missing = family.missing
            switch family.qualifies {
            case true?: category = rightOnlyByAge ? .rightOnly : .rightAndDuty
            // Family of others than protection holders: permits that can lead to permanent residence still give right
            // and duty.
            case false?: category = rightOnlyByAge ? .rightOnly : .rightAndDuty
            case nil: category = .undetermined
            }
        case .labourNonEEA:
            checks.append(
                Check(
                    "residence_ground", false,
                    regime == .integreringsloven2021 ? "integreringsloven § 28" : "introduksjonsloven § 17",
                    [p.residenceGround.rawValue]))
            category = .dutyOnly
        case .other:
            checks.append(Check("residence_ground", nil, ref, [p.residenceGround.rawValue]))
            category = .undetermined
            missing.append("residenceGround")
        default:
            checks.append(Check("residence_ground", false, ref, [p.residenceGround.rawValue]))
            category = .notCovered
        }
        return Assessment(category: category, checks: checks, missing: missing)
    }

    // MARK: Deadlines

    func programmeDeadlines(
        _ p: PersonFacts, _ programme: Assessment, _ r: RuleParameters.Regime, _ asOf: LocalDate, _ regime: LawRegime
    )
        -> ([Deadline], [String])
    {
        guard programme.category == .rightAndDuty else { return ([], []) }
        guard let settled = p.settlementDate, let months = r.programmeDeadlineMonths.entry(on: settled) else {
            return ([], ["programme_start: settlementDate"])
        }
        let due = settled.adding(months: months.value)
        let basis = "settlement_date + \(months.value) months"
        let refBase = regime == .integreringsloven2021 ? "integreringsloven" : "introduksjonsloven"
        var out: [Deadline] = []
        out.append(
            Deadline(
                kind: .competenceMapping, due: due,
                reference: regime == .integreringsloven2021 ? "integreringsloven §§ 6 og 10" : "\(refBase) § 4",
                basis: basis))
        if r.careerGuidance.entry(on: settled)?.value == true {
            out.append(
                Deadline(
                    kind: .careerGuidance, due: due, reference: r.careerGuidance.entry(on: settled)!.reference,
                    basis: basis))
        }
        out.append(Deadline(kind: .programmeDecision, due: due, reference: months.reference, basis: basis))
        out.append(Deadline(kind: .programmeStart, due: due, reference: months.reference, basis: basis))
        return (out, [])
    }

    /// The deadlines besides the programme's, each from its own small rule in `deadlineRules`. A later rule is a
    /// new entry in that list, not a longer function.
    func otherDeadlines(_ p: PersonFacts, _ norwegian: Assessment, _ r: RuleParameters.Regime, _ asOf: LocalDate) -> (
        [Deadline], [String]
    ) {
        let input = DeadlineRuleInput(person: p, norwegian: norwegian, regime: r, parameters: parameters, asOf: asOf)
        var result = DeadlineRuleResult()
        for rule in Self.deadlineRules { rule(input, &result) }
        return (result.deadlines, result.undetermined)
    }

    /// What a deadline rule reads: the person's facts, the Norwegian assessment, the regime's and the service's
    /// dated parameters, and the day of the evaluation.
    struct DeadlineRuleInput {
        let person: PersonFacts
        let norwegian: Assessment
        let regime: RuleParameters.Regime
        let parameters: RuleParameters
        let asOf: LocalDate
    }

    /// What the rules found: deadlines, and the facts missing for those that could not be set.
    struct DeadlineRuleResult {
        var deadlines: [Deadline] = []
        var undetermined: [String] = []
    }

    typealias DeadlineRule = @Sendable (DeadlineRuleInput, inout DeadlineRuleResult) -> Void

    /// The rules in the order their deadlines are listed (before sorting by date).
    static let deadlineRules: [DeadlineRule] = [norwegianCompletion, healthChecks, settlementDeadlines]

    /// Norwegian training completed (integreringsloven chapter 6; 12 months under chapter 6A).
    static func norwegianCompletion(_ input: DeadlineRuleInput, _ result: inout DeadlineRuleResult) {
        let p = input.person
        let r = input.regime
        var out: [Deadline] = []
        var undetermined: [String] = []
        let norwegian = input.norwegian
        // Norwegian: 18 months with upper-secondary or higher education, else 3 years; 12 months under chapter 6A.
        switch norwegian.category {
        case .rightOnly where p.residenceGround == .collectiveProtection:
            if let start = p.settlementDate ?? p.arrivalDate,
                let m = r.norwegianMonthsCollectiveProtection?.entry(on: start)
            {
                out.append(
                    Deadline(
                        kind: .norwegianCompletion, due: start.adding(months: m.value), reference: m.reference,
                        basis: "\(p.settlementDate != nil ? "settlement_date" : "arrival_date") + \(m.value) months"))
            } else {
                undetermined.append("norwegian_completion: settlementDate")
            }
        case .rightAndDuty:
            // The right starts when the permit is granted, or on arrival if the permit came first.
            guard let permit = p.permitDate else {
                undetermined.append("norwegian_completion: permitDate")
                break
            }
            let start = max(permit, p.arrivalDate ?? permit)
            guard let level = p.educationLevel else {
                undetermined.append("norwegian_completion: educationLevel")
                break
            }
            let higher = level == .upperSecondary || level == .higher
            if let m = (higher ? r.norwegianMonthsWithUpperSecondary : r.norwegianMonthsDefault)?.entry(on: start) {
                out.append(
                    Deadline(
                        kind: .norwegianCompletion, due: start.adding(months: m.value), reference: m.reference,
                        basis: "\(start == permit ? "permit_date" : "arrival_date") + \(m.value) months"))
            }
        default: break
        }

        result.deadlines += out
        result.undetermined += undetermined
    }

    /// TB screening and the health examination after arrival (forskrift om tuberkulosekontroll; the health
    /// services' routine).
    static func healthChecks(_ input: DeadlineRuleInput, _ result: inout DeadlineRuleResult) {
        let p = input.person
        let parameters = input.parameters
        var out: [Deadline] = []
        var undetermined: [String] = []
        // Health: TB screening and health examination after arrival, for refugees and family immigrants.
        let healthGrounds: Set<PersonFacts.ResidenceGround> = [
            .refugee, .resettlementRefugee, .humanitarian, .limitedPermit, .collectiveProtection, .familyReunification,
        ]
        if healthGrounds.contains(p.residenceGround) {
            if let arrival = p.arrivalDate {
                if let d = parameters.tbScreeningDays.entry(on: arrival) {
                    out.append(
                        Deadline(
                            kind: .tbScreening, due: arrival.adding(days: d.value), reference: d.reference,
                            basis: "arrival_date + \(d.value) days"))
                }
                if let m = parameters.healthExaminationMonths.entry(on: arrival) {
                    out.append(
                        Deadline(
                            kind: .healthExamination, due: arrival.adding(months: m.value), reference: m.reference,
                            basis: "arrival_date + \(m.value) months"))
                }
            } else {
                undetermined.append("tb_screening: arrivalDate")
            }
        }

        result.deadlines += out
        result.undetermined += undetermined
    }

    /// From the settlement date: kindergarten and school start by the municipality's service level, and the last
    /// year of the integration grant.
    static func settlementDeadlines(_ input: DeadlineRuleInput, _ result: inout DeadlineRuleResult) {
        let p = input.person
        let parameters = input.parameters
        var out: [Deadline] = []
        var undetermined: [String] = []
        // Kindergarten and school start, by the municipality's own service level.
        if let settled = p.settlementDate {
            let age = p.birthDate.age(on: settled)
            let kFrom = parameters.kindergartenAgeFrom.entry(on: settled)?.value ?? Int.max
            let sFrom = parameters.schoolAgeFrom.entry(on: settled)?.value ?? Int.max
            let sTo = parameters.schoolAgeTo.entry(on: settled)?.value ?? Int.min
            func local(_ table: [String: Dated<Int>]) -> DatedValue<Int>? {
                (p.municipality.flatMap { table[$0] } ?? table["default"])?.entry(on: settled)
            }
            if age >= kFrom && age < sFrom, let m = local(parameters.kindergartenStartMonths) {
                out.append(
                    Deadline(
                        kind: .kindergartenStart, due: settled.adding(months: m.value), reference: m.reference,
                        basis: "settlement_date + \(m.value) months"))
            }
            if age >= sFrom && age <= sTo, let m = local(parameters.schoolStartMonths) {
                out.append(
                    Deadline(
                        kind: .schoolStart, due: settled.adding(months: m.value), reference: m.reference,
                        basis: "settlement_date + \(m.value) months"))
            }
            // Integration grant: the settlement year and four more (three for family of humanitarian-permit holders).
            let grantPerson = p.settledByAgreement == true || p.residenceGround == .familyReunification
            if grantPerson {
                let humanitarianFamily =
                    p.residenceGround == .familyReunification && p.referencePerson?.residenceGround == .humanitarian
                if let y =
                    (humanitarianFamily
                    ? parameters.integrationGrantYearsHumanitarianFamily : parameters.integrationGrantYears).entry(
                        on: settled)
                {
                    out.append(
                        Deadline(
                            kind: .integrationGrantEnd,
                            due: LocalDate.clamped(year: settled.year + y.value - 1, month: 12, day: 31),
                            reference: y.reference, basis: "31.12 of settlement year + \(y.value - 1)"))
                }
            }
        } else {
            undetermined.append("kindergarten_start, school_start, integration_grant_end: settlementDate")
        }
        result.deadlines += out
        result.undetermined += undetermined
    }
}

extension DeadlineKind {
    /// The sector that records the event that meets this deadline.
    public var sector: Sector {
        switch self {
        case .tbScreening, .healthExamination: .health
        case .kindergartenStart: .kindergarten
        case .schoolStart: .school
        default: .integration
        }
    }

    /// Deadlines that are met by an event (the grant's end is only a date).
    public var isMetByEvent: Bool { self != .integrationGrantEnd }

    /// The programme's own steps (integreringsloven §§ 10–12, 16): recorded once, in the programme record, and read
    /// from there by the person page and the worklist.
    public var isProgrammeStep: Bool {
        [.competenceMapping, .careerGuidance, .programmeDecision, .programmeStart].contains(self)
    }

    /// Recorded on the person's file as a dated event (TB screening, health examination, school start …); the
    /// programme's steps are not, as the programme record holds them.
    public var isRecordedOnFile: Bool { isMetByEvent && !isProgrammeStep }
}

/// Where a deadline stands on a date: met by its event, overdue, due soon, or later.
public enum DeadlineStatus: String, Sendable, Codable, CaseIterable {
    case met, overdue, soon, later

    /// - Parameters:
    ///   - eventDate: when the event that meets the deadline happened, if recorded.
    ///   - soonDays: the worklist's "due within" window.
    public static func of(_ d: Deadline, eventDate: LocalDate?, asOf: LocalDate, soonDays: Int) -> DeadlineStatus {
        if eventDate != nil && d.kind.isMetByEvent { return .met }
        return of(due: d.due, asOf: asOf, soonDays: soonDays)
    }

    /// An open deadline's standing by its due date alone (the grants' application deadlines use it too).
    public static func of(due: LocalDate, asOf: LocalDate, soonDays: Int) -> DeadlineStatus {
        let days = asOf.days(until: due)
        return days < 0 ? .overdue : days <= soonDays ? .soon : .later
    }
}
