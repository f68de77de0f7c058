import Fluent
import FluentSQL
import Vapor

/// What a client sends to create or change a person. The HTML form uses the same field names.
package struct PersonInput: Content {
    package var municipality: String?
    package var householdId: UUID?
    package var givenName: String?
    package var familyName: String?
    package var birthDate: String?
    package var sex: String?
    package var citizenship: String?
    package var residenceGround: String?
    package var arrivalDate: String?
    package var settlementDate: String?
    package var nationalId: String?
    package var permitDate: String?
    package var settledByAgreement: Bool?
    package var educationLevel: String?
    package var dufNumber: String?
    package var countryOfBirth: String?
    package var languages: [LanguageInput]?
    package var interpreterLanguage: String?
    package var educationYears: Int?
    package var workExperience: String?
    package var researchReservation: Bool?
    package var relation: String?
    package var referencePersonResidenceGround: String?
    package var referencePersonSettlementDate: String?
    package var familyApplicationDate: String?
    package var advisorId: UUID?
    package var caseWorkerId: UUID?
    package var phone: String?
    package var email: String?
    package var contactPreference: String?

    /// Reads the HTML form: there an empty field means "not given", a select sends "" for unknown,
    /// and a national id may be typed with spaces. The JSON API gets none of these allowances.
    /// What cannot even be read (a number that is not one) is returned beside the input, so the form comes back
    /// with everything typed and that field named.
    package static func fromForm(_ req: Request) throws -> (PersonInput, [ValidationFailure]) {
        let f = try FormReader(req)
        let v = f.text
        let uuid = f.id
        var unreadable: [ValidationFailure] = []
        var years: Int? = nil
        do { years = try f.int("educationYears") } catch let e as ValidationFailure { unreadable.append(e) }
        // Up to three language rows: language1/level1 … language3/level3.
        let languages = (1...3).compactMap { i in
            v("language\(i)").map { LanguageInput(code: $0.lowercased(), level: v("level\(i)") ?? "") }
        }
        let input = PersonInput(
            municipality: v("municipality"), householdId: try uuid("householdId"),
            givenName: f.raw("givenName"), familyName: f.raw("familyName"),
            birthDate: v("birthDate"), sex: v("sex"), citizenship: v("citizenship"),
            residenceGround: v("residenceGround"),
            arrivalDate: v("arrivalDate"), settlementDate: v("settlementDate"),
            nationalId: v("nationalId")?.replacingOccurrences(of: " ", with: ""), permitDate: v("permitDate"),
            settledByAgreement: v("settledByAgreement").map { $0 == "true" }, educationLevel: v("educationLevel"),
            dufNumber: v("dufNumber")?.replacingOccurrences(of: " ", with: ""), countryOfBirth: v("countryOfBirth"),
            languages: languages, interpreterLanguage: v("interpreterLanguage")?.lowercased(), educationYears: years,
            workExperience: v("workExperience"), researchReservation: v("researchReservation").map { $0 == "true" },
            relation: v("relation"), referencePersonResidenceGround: v("referencePersonResidenceGround"),
            referencePersonSettlementDate: v("referencePersonSettlementDate"),
            familyApplicationDate: v("familyApplicationDate"),
            advisorId: try uuid("advisorId"), caseWorkerId: try uuid("caseWorkerId"), phone: v("phone"),
            email: v("email"),
            contactPreference: v("contactPreference"))
        return (input, unreadable)
    }

    /// Checks every field at the edge and names the first one that is wrong.
    package func validated(today: LocalDate = .today) throws -> ValidPerson {
        func required(_ v: String?, _ field: String, max: Int = 100) throws -> String {
            try Validate.required(v, field, max: max)
        }
        func date(_ v: String?, _ field: String, required isRequired: Bool) throws -> LocalDate? {
            // Absent is allowed for optional dates; present but empty is not a date (forms drop empty fields first).
            guard let v else {
                if isRequired { throw ValidationFailure(field: field, "invalid.required") }
                return nil
            }
            let t = v.trimmingCharacters(in: .whitespaces)
            guard let d = LocalDate(input: t) else {
                throw ValidationFailure(field: field, "invalid.date")
            }
            return d
        }
        let m = try Validate.municipality(municipality)
        let birth = try date(birthDate, "birthDate", required: true)!
        guard birth <= today else {
            throw ValidationFailure(field: "birthDate", "invalid.future")
        }
        guard birth.year >= 1900 else {
            throw ValidationFailure(field: "birthDate", "invalid.before_1900")
        }
        let arrival = try date(arrivalDate, "arrivalDate", required: false)
        let permit = try date(permitDate, "permitDate", required: false)
        if let p = permit, p < birth {
            throw ValidationFailure(field: "permitDate", "invalid.before_birth")
        }
        var national: String? = nil
        if let n = nationalId {
            switch NationalIdentityNumber.check(n) {
            case .success(let id): national = id.value
            case .failure(let problem):
                throw ValidationFailure(field: "nationalId", "invalid.national_id")
            }
        }
        var education: EducationLevel? = nil
        if let e = educationLevel {
            guard let v = EducationLevel(rawValue: e) else {
                throw ValidationFailure(
                    field: "educationLevel", "invalid.one_of", "none, primary, upper_secondary, higher")
            }
            education = v
        }
        let settlement = try date(settlementDate, "settlementDate", required: false)
        if let a = arrival, a < birth {
            throw ValidationFailure(field: "arrivalDate", "invalid.before_birth")
        }
        if let s = settlement, s < birth {
            throw ValidationFailure(field: "settlementDate", "invalid.before_birth")
        }
        let sexValue = try required(sex, "sex")
        guard let sx = Sex(rawValue: sexValue) else {
            throw ValidationFailure(
                field: "sex", "invalid.one_of", Sex.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let groundValue = try required(residenceGround, "residenceGround")
        guard let ground = ResidenceGround(rawValue: groundValue) else {
            throw ValidationFailure(
                field: "residenceGround", "invalid.one_of",
                ResidenceGround.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let c = try Validate.country(citizenship, "citizenship")!
        let birthCountry = try Validate.country(countryOfBirth, "countryOfBirth", required: false)
        var duf: String? = nil
        if let d = dufNumber {
            guard d.count == 12, d.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ValidationFailure(field: "dufNumber", "invalid.duf_number")
            }
            duf = d
        }
        var skills: [LanguageSkill] = []
        for (i, l) in (languages ?? []).enumerated() {
            let field = "languages[\(i)]"
            let code = try Validate.languageCode(l.code, "\(field).code")!
            guard let level = LanguageSkill.Level(rawValue: l.level) else {
                throw ValidationFailure(
                    field: "\(field).level", "invalid.one_of",
                    LanguageSkill.Level.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard !skills.contains(where: { $0.code == code }) else {
                throw ValidationFailure(field: "\(field).code", "invalid.language_twice")
            }
            skills.append(LanguageSkill(code: code, level: level))
        }
        guard skills.count <= 10 else { throw ValidationFailure(field: "languages", "invalid.at_most", "10") }
        let interpreter = try Validate.languageCode(interpreterLanguage, "interpreterLanguage", required: false)
        if let y = educationYears, !(0...30).contains(y) {
            throw ValidationFailure(field: "educationYears", "invalid.range", "0", "30")
        }
        var rel: FamilyRelation? = nil
        if let r = relation {
            guard let v = FamilyRelation(rawValue: r) else {
                throw ValidationFailure(
                    field: "relation", "invalid.one_of", FamilyRelation.allCases.map(\.rawValue).joined(separator: ", ")
                )
            }
            rel = v
        }
        var referenceGround: ResidenceGround? = nil
        if let r = referencePersonResidenceGround {
            guard let g = ResidenceGround(rawValue: r) else {
                throw ValidationFailure(
                    field: "referencePersonResidenceGround", "invalid.one_of",
                    ResidenceGround.allCases.map(\.rawValue).joined(separator: ", "))
            }
            referenceGround = g
        }
        let referenceSettled = try date(referencePersonSettlementDate, "referencePersonSettlementDate", required: false)
        let familyApplied = try date(familyApplicationDate, "familyApplicationDate", required: false)
        if let d = familyApplied, d > today {
            throw ValidationFailure(field: "familyApplicationDate", "invalid.future")
        }
        let contact = try Self.contact(phone: phone, email: email, preference: contactPreference)
        return ValidPerson(
            municipality: m, householdID: householdId, givenName: try required(givenName, "givenName"),
            familyName: try required(familyName, "familyName"), birthDate: birth, sex: sx,
            citizenship: c, residenceGround: ground, arrivalDate: arrival, settlementDate: settlement,
            nationalID: national, permitDate: permit, settledByAgreement: settledByAgreement, educationLevel: education,
            dufNumber: duf, countryOfBirth: birthCountry, languages: skills, interpreterLanguage: interpreter,
            educationYears: educationYears,
            workExperience: try Validate.text(
                workExperience, "workExperience", max: 1000, required: false, multiline: true),
            researchReservation: researchReservation, relation: rel, referenceResidenceGround: referenceGround,
            referenceSettlementDate: referenceSettled, familyApplicationDate: familyApplied, advisorID: advisorId,
            caseWorkerID: caseWorkerId, phone: contact.phone, email: contact.email,
            contactPreference: contact.preference)
    }

    /// A phone number (8 to 15 digits, an optional leading +, spaces allowed), an e-mail address, and the preferred
    /// way, which needs the number or address it names.
    static func contact(phone: String?, email: String?, preference: String?) throws -> (
        phone: String?, email: String?, preference: ContactPreference?
    ) {
        var number: String? = nil
        if let raw = phone?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            let compact = raw.replacingOccurrences(of: " ", with: "")
            let digits = compact.hasPrefix("+") ? compact.dropFirst() : Substring(compact)
            guard (8...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ValidationFailure(field: "phone", "invalid.phone")
            }
            number = compact
        }
        var address: String? = nil
        if let raw = email?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            let parts = raw.split(separator: "@", omittingEmptySubsequences: false)
            guard raw.count <= 200, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
                !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !raw.contains(where: \.isWhitespace)
            else { throw ValidationFailure(field: "email", "invalid.email") }
            address = raw
        }
        var way: ContactPreference? = nil
        if let p = preference {
            guard let v = ContactPreference(rawValue: p) else {
                throw ValidationFailure(
                    field: "contactPreference", "invalid.one_of",
                    ContactPreference.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if (v == .phone || v == .sms) && number == nil {
                throw ValidationFailure(field: "phone", "invalid.contact_needs_phone")
            }
            if v == .email && address == nil { throw ValidationFailure(field: "email", "invalid.contact_needs_email") }
            way = v
        }
        return (number, address, way)
    }

    package init(
        municipality: String? = nil, householdId: UUID? = nil, givenName: String? = nil, familyName: String? = nil,
        birthDate: String? = nil, sex: String? = nil, citizenship: String? = nil, residenceGround: String? = nil,
        arrivalDate: String? = nil, settlementDate: String? = nil, nationalId: String? = nil, permitDate: String? = nil,
        settledByAgreement: Bool? = nil, educationLevel: String? = nil, dufNumber: String? = nil,
        countryOfBirth: String? = nil, languages: [LanguageInput]? = nil, interpreterLanguage: String? = nil,
        educationYears: Int? = nil, workExperience: String? = nil, researchReservation: Bool? = nil,
        relation: String? = nil, referencePersonResidenceGround: String? = nil,
        referencePersonSettlementDate: String? = nil, familyApplicationDate: String? = nil, advisorId: UUID? = nil,
        caseWorkerId: UUID? = nil, phone: String? = nil, email: String? = nil, contactPreference: String? = nil
    ) {
        self.municipality = municipality
        self.householdId = householdId
        self.givenName = givenName
        self.familyName = familyName
        self.birthDate = birthDate
        self.sex = sex
        self.citizenship = citizenship
        self.residenceGround = residenceGround
        self.arrivalDate = arrivalDate
        self.settlementDate = settlementDate
        self.nationalId = nationalId
        self.permitDate = permitDate
        self.settledByAgreement = settledByAgreement
        self.educationLevel = educationLevel
        self.dufNumber = dufNumber
        self.countryOfBirth = countryOfBirth
        self.languages = languages
        self.interpreterLanguage = interpreterLanguage
        self.educationYears = educationYears
        self.workExperience = workExperience
        self.researchReservation = researchReservation
        self.relation = relation
        self.referencePersonResidenceGround = referencePersonResidenceGround
        self.referencePersonSettlementDate = referencePersonSettlementDate
        self.familyApplicationDate = familyApplicationDate
        self.advisorId = advisorId
        self.caseWorkerId = caseWorkerId
        self.phone = phone
        self.email = email
        self.contactPreference = contactPreference
    }
}

extension PersonInput {
    /// Every field that fails, not only the first: after each failure the field is set aside (left out, or given
    /// a harmless stand-in when required) and the row is checked again.
    package func allFailures(today: LocalDate = .today) -> [ValidationFailure] {
        var probe = self
        var found: [ValidationFailure] = []
        for _ in 0..<30 {
            do {
                _ = try probe.validated(today: today)
                return found
            } catch let f as ValidationFailure {
                found.append(f)
                guard Self.setAside(f.field, in: &probe) else { return found }
            } catch { return found }
        }
        return found
    }

    package static func setAside(_ field: String?, in p: inout PersonInput) -> Bool {
        switch field ?? "" {
        case "givenName": p.givenName = "x"
        case "familyName": p.familyName = "x"
        case "birthDate": p.birthDate = "1900-01-01"
        case "sex": p.sex = Sex.unspecified.rawValue
        case "citizenship": p.citizenship = "XX"
        case "residenceGround": p.residenceGround = ResidenceGround.other.rawValue
        case "arrivalDate": p.arrivalDate = nil
        case "settlementDate": p.settlementDate = nil
        case "permitDate": p.permitDate = nil
        case "nationalId": p.nationalId = nil
        case "educationLevel": p.educationLevel = nil
        case "dufNumber": p.dufNumber = nil
        case "countryOfBirth": p.countryOfBirth = nil
        case "interpreterLanguage": p.interpreterLanguage = nil
        case "educationYears": p.educationYears = nil
        case "relation": p.relation = nil
        // The preferred way of contact needs its number or address: both go together.
        case "phone":
            p.phone = nil
            p.contactPreference = nil
        case "email":
            p.email = nil
            p.contactPreference = nil
        case "contactPreference": p.contactPreference = nil
        case "advisorId": p.advisorId = nil
        case "caseWorkerId": p.caseWorkerId = nil
        case "workExperience": p.workExperience = nil
        case "referencePersonResidenceGround": p.referencePersonResidenceGround = nil
        case "referencePersonSettlementDate": p.referencePersonSettlementDate = nil
        case "familyApplicationDate": p.familyApplicationDate = nil
        case "municipality": return false
        case let f where f.hasPrefix("languages"): p.languages = nil
        default: return false
        }
        return true
    }
}

package struct ValidPerson {
    package var municipality: Kommunenummer
    package var householdID: UUID?
    package var givenName: String
    package var familyName: String
    package var birthDate: LocalDate
    package var sex: Sex
    package var citizenship: String
    package var residenceGround: ResidenceGround
    package var arrivalDate: LocalDate?
    package var settlementDate: LocalDate?
    package var nationalID: String?
    package var permitDate: LocalDate?
    package var settledByAgreement: Bool?
    package var educationLevel: EducationLevel?
    package var dufNumber: String?
    package var countryOfBirth: String?
    package var languages: [LanguageSkill]
    package var interpreterLanguage: String?
    package var educationYears: Int?
    package var workExperience: String?
    package var researchReservation: Bool?
    package var relation: FamilyRelation?
    package var referenceResidenceGround: ResidenceGround?
    package var referenceSettlementDate: LocalDate?
    package var familyApplicationDate: LocalDate?
    package var advisorID: UUID?
    package var caseWorkerID: UUID?
    package var phone: String?
    package var email: String?
    package var contactPreference: ContactPreference?

    package func apply(to p: Person) {
        p.$municipality.id = municipality
        p.$household.id = householdID
        p.givenName = givenName
        p.familyName = familyName
        p.birthDate = birthDate
        p.sex = sex
        p.citizenship = citizenship
        p.residenceGround = residenceGround
        p.arrivalDate = arrivalDate
        p.settlementDate = settlementDate
        p.nationalID = nationalID
        p.permitDate = permitDate
        p.settledByAgreement = settledByAgreement
        p.educationLevel = educationLevel
        p.dufNumber = dufNumber
        p.countryOfBirth = countryOfBirth
        p.languages = languages
        p.interpreterLanguage = interpreterLanguage
        p.educationYears = educationYears
        p.workExperience = workExperience
        p.researchReservation = researchReservation
        p.relation = relation
        p.referenceResidenceGround = referenceResidenceGround
        p.referenceSettlementDate = referenceSettlementDate
        p.familyApplicationDate = familyApplicationDate
        p.advisorID = advisorID
        p.caseWorkerID = caseWorkerID
        p.phone = phone
        p.email = email
        p.contactPreference = contactPreference
    }

    package init(
        municipality: Kommunenummer, householdID: UUID? = nil, givenName: String, familyName: String,
        birthDate: LocalDate,
        sex: Sex, citizenship: String, residenceGround: ResidenceGround, arrivalDate: LocalDate? = nil,
        settlementDate: LocalDate? = nil, nationalID: String? = nil, permitDate: LocalDate? = nil,
        settledByAgreement: Bool? = nil, educationLevel: EducationLevel? = nil, dufNumber: String? = nil,
        countryOfBirth: String? = nil, languages: [LanguageSkill], interpreterLanguage: String? = nil,
        educationYears: Int? = nil, workExperience: String? = nil, researchReservation: Bool? = nil,
        relation: FamilyRelation? = nil, referenceResidenceGround: ResidenceGround? = nil,
        referenceSettlementDate: LocalDate? = nil, familyApplicationDate: LocalDate? = nil, advisorID: UUID? = nil,
        caseWorkerID: UUID? = nil, phone: String? = nil, email: String? = nil,
        contactPreference: ContactPreference? = nil
    ) {
        self.municipality = municipality
        self.householdID = householdID
        self.givenName = givenName
        self.familyName = familyName
        self.birthDate = birthDate
        self.sex = sex
        self.citizenship = citizenship
        self.residenceGround = residenceGround
        self.arrivalDate = arrivalDate
        self.settlementDate = settlementDate
        self.nationalID = nationalID
        self.permitDate = permitDate
        self.settledByAgreement = settledByAgreement
        self.educationLevel = educationLevel
        self.dufNumber = dufNumber
        self.countryOfBirth = countryOfBirth
        self.languages = languages
        self.interpreterLanguage = interpreterLanguage
        self.educationYears = educationYears
        self.workExperience = workExperience
        self.researchReservation = researchReservation
        self.relation = relation
        self.referenceResidenceGround = referenceResidenceGround
        self.referenceSettlementDate = referenceSettlementDate
        self.familyApplicationDate = familyApplicationDate
        self.advisorID = advisorID
        self.caseWorkerID = caseWorkerID
        self.phone = phone
        self.email = email
        self.contactPreference = contactPreference
    }
}

/// The person as the API returns it: only the fields of the sections the reader may see (`docs/privacy.md`); the
/// others are left out, and `sections` lists what the reader got.
package struct PersonDTO: Content {
    package var id: UUID
    package var municipality: Kommunenummer
    package var givenName: String
    package var familyName: String
    /// The sections of the file this reader may read.
    package var sections: [String]
    // identity
    package var birthDate: LocalDate?
    package var sex: Sex?
    /// Masked for readers who may not change the file.
    package var nationalId: String?
    // contact
    package var languages: [LanguageSkill]?
    package var interpreterLanguage: String?
    package var phone: String?
    package var email: String?
    package var contactPreference: ContactPreference?
    package var advisorId: UUID?
    package var caseWorkerId: UUID?
    // background
    package var citizenship: String?
    package var countryOfBirth: String?
    package var educationLevel: EducationLevel?
    package var educationYears: Int?
    package var workExperience: String?
    // residence
    package var residenceGround: ResidenceGround?
    package var arrivalDate: LocalDate?
    package var settlementDate: LocalDate?
    package var permitDate: LocalDate?
    package var settledByAgreement: Bool?
    package var dufNumber: String?
    package var referencePersonResidenceGround: ResidenceGround?
    package var referencePersonSettlementDate: LocalDate?
    package var familyApplicationDate: LocalDate?
    package var movedOutOn: LocalDate?
    package var movedTo: Kommunenummer?
    // household
    package var householdId: UUID?
    package var relation: FamilyRelation?
    // sharing
    package var sharedWith: [String]?
    package var researchReservation: Bool?

    /// The API fields of each of the person record's own sections (the features' sections have their own routes).
    package static let fields: [String: [String]] = [
        "identity": ["birthDate", "sex", "nationalId"],
        "contact": [
            "languages", "interpreterLanguage", "phone", "email", "contactPreference", "advisorId", "caseWorkerId",
        ],
        "background": ["citizenship", "countryOfBirth", "educationLevel", "educationYears", "workExperience"],
        "residence": [
            "residenceGround", "arrivalDate", "settlementDate", "permitDate", "settledByAgreement", "dufNumber",
            "referencePersonResidenceGround", "referencePersonSettlementDate", "familyApplicationDate", "movedOutOn",
            "movedTo",
        ],
        "household": ["householdId", "relation"],
        "sharing": ["sharedWith", "researchReservation"],
    ]

    /// - Parameters:
    ///   - sections: what the reader may read (`ServiceContext.readableSections(of:)`).
    ///   - fullIdentity: whether the reader may change the file; otherwise the national id is masked.
    package init(_ p: Person, sections: Set<String>, fullIdentity: Bool) {
        id = p.id!
        municipality = p.$municipality.id
        givenName = p.givenName
        familyName = p.familyName
        self.sections = sections.sorted()
        if sections.contains("identity") {
            birthDate = p.birthDate
            sex = p.sex
            nationalId =
                fullIdentity
                ? p.nationalID : p.nationalID.flatMap { try? NationalIdentityNumber.check($0).get().masked }
        }
        if sections.contains("contact") {
            languages = p.languages
            interpreterLanguage = p.interpreterLanguage
            phone = p.phone
            email = p.email
            contactPreference = p.contactPreference
            // The programme advisor is the integration service's own assignment: partners' pages do not show it, so
            // their responses leave it out too (README; issue #30). The case worker is their contact.
            advisorId = fullIdentity ? p.advisorID : nil
            caseWorkerId = p.caseWorkerID
        }
        if sections.contains("background") {
            citizenship = p.citizenship
            countryOfBirth = p.countryOfBirth
            educationLevel = p.educationLevel
            educationYears = p.educationYears
            workExperience = p.workExperience
        }
        if sections.contains("residence") {
            residenceGround = p.residenceGround
            arrivalDate = p.arrivalDate
            settlementDate = p.settlementDate
            permitDate = p.permitDate
            settledByAgreement = p.settledByAgreement
            dufNumber = p.dufNumber
            referencePersonResidenceGround = p.referenceResidenceGround
            referencePersonSettlementDate = p.referenceSettlementDate
            familyApplicationDate = p.familyApplicationDate
            movedOutOn = p.movedOutOn
            movedTo = p.movedTo
        }
        if sections.contains("household") {
            householdId = p.$household.id
            relation = p.relation
        }
        if sections.contains("sharing") {
            sharedWith = p.activeSectors.map(\.rawValue).sorted()
            researchReservation = p.researchReservation
        }
    }

    /// The person as this request's user may see it.
    package init(_ p: Person, for ctx: ServiceContext) {
        self.init(p, sections: ctx.readableSections(of: p), fullIdentity: ctx.may(.update, p.resource))
    }
}

extension PersonInput {
    /// The file as it stands, for the edit form.
    package init(_ p: Person) {
        self.init(
            municipality: p.$municipality.id.value, householdId: p.$household.id, givenName: p.givenName,
            familyName: p.familyName, birthDate: p.birthDate.iso, sex: p.sex.rawValue, citizenship: p.citizenship,
            residenceGround: p.residenceGround.rawValue, arrivalDate: p.arrivalDate?.iso,
            settlementDate: p.settlementDate?.iso, nationalId: p.nationalID, permitDate: p.permitDate?.iso,
            settledByAgreement: p.settledByAgreement, educationLevel: p.educationLevel?.rawValue,
            dufNumber: p.dufNumber, countryOfBirth: p.countryOfBirth,
            languages: p.languages.map { LanguageInput(code: $0.code, level: $0.level.rawValue) },
            interpreterLanguage: p.interpreterLanguage, educationYears: p.educationYears,
            workExperience: p.workExperience, researchReservation: p.researchReservation,
            relation: p.relation?.rawValue, referencePersonResidenceGround: p.referenceResidenceGround?.rawValue,
            referencePersonSettlementDate: p.referenceSettlementDate?.iso,
            familyApplicationDate: p.familyApplicationDate?.iso, advisorId: p.advisorID, caseWorkerId: p.caseWorkerID,
            phone: p.phone,
            email: p.email, contactPreference: p.contactPreference?.rawValue)
    }
}

package struct PersonPageQuery: Content {
    package var q: String?
    package var municipality: String?
    package var page: Int?
    /// Rows per page, 1…200 (50 when absent).
    package var limit: Int?
    /// Where the page starts: the `nextCursor` of the page before (keyset paging; `page` is then not used).
    package var cursor: String?
    /// The page pager's links: after or before a row (`PageWindow`).
    package var after: String?
    package var before: String?

    /// The page the query asks for; a malformed `page`, `limit` or cursor is a 400 naming it.
    package var window: PageWindow {
        get throws {
            try PageWindow(page: page, after: cursor ?? after, before: before, limit: limit)
        }
    }

    /// Rejects what the API contract calls invalid: long search text, a malformed municipality, pages outside 1…100
    /// 000.
    package func validated() throws -> PersonPageQuery {
        var v = self
        v.q = try Validate.text(q, "q", max: 100, required: false)
        if let m = municipality { v.municipality = try Validate.municipality(m).value }
        v.page = try Validate.page(page)
        v.limit = try Validate.number(limit, "limit", 1...200)
        _ = try window
        return v
    }

    package init(
        q: String? = nil, municipality: String? = nil, page: Int? = nil, limit: Int? = nil, cursor: String? = nil
    ) {
        self.q = q
        self.municipality = municipality
        self.page = page
        self.limit = limit
        self.cursor = cursor
    }
}

/// The integration staff who can follow persons in a municipality (its own staff and staff of a host
/// municipality serving it by agreement).
package enum Advisors {
    package static func available(in municipality: Kommunenummer, on db: any Database) async throws -> [User] {
        let roles = Role.allCases.filter(\.isIntegrationStaff)
        let userIDs = Set(try await RoleAssignment.query(on: db).filter(\.$role ~~ roles).all().map { $0.$user.id })
        guard !userIDs.isEmpty else { return [] }
        var result: [User] = []
        for user in try await User.query(on: db).filter(\.$id ~~ userIDs).filter(\.$isActive == true).sort(
            \.$displayName
        ).all() {
            let principal = try await PrincipalLoader.load(userID: user.id!, on: db)
            if principal.grants.contains(where: { $0.role.isIntegrationStaff && $0.scope.contains(municipality) }) {
                result.append(user)
            }
        }
        return result
    }
}

/// Person files, shared by the pages and the API so both apply the same policy and audit.
package enum PersonService {
    package static let pageSize = 50

    /// The persons the user may see, filtered and paged. Audited as one list entry per municipality shown.
    package static func list(_ ctx: ServiceContext, _ unchecked: PersonPageQuery) async throws -> (
        persons: [Person], total: Int, municipalities: [Kommunenummer], next: Cursor?, pager: Pager
    ) {
        let user = try ctx.requireUser()
        let query = try unchecked.validated()
        var codes = try await ctx.municipalities(where: .list) { .personalDataList(municipality: $0) }
        if let m = query.municipality.flatMap(Kommunenummer.init(_:)) {
            guard codes.contains(m) else { throw Abort(.forbidden, reason: "access denied") }
            codes = [m]
        }
        if codes.isEmpty { throw Abort(.forbidden, reason: "access denied") }
        let q = Person.query(on: ctx.db).filter(\.$municipality.$id ~~ codes).with(\.$shares)
        // Partners only ever get rows shared with their sector; the policy re-checks each row below.
        if !user.principal.roles.contains(where: \.isIntegrationStaff) {
            // A subquery, so the database joins the shares instead of the service loading them all.
            let sectors = user.principal.roles.compactMap(\.partnerSector)
            q.filter(.sql(embed: PersonShare.active(with: sectors, person: "\"\(Person.schema)\".\"id\"")))
        }
        if let text = query.q?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            let pattern = "%\(Search.escapeLike(text))%"
            q.group(.or) {
                $0.filter(Search.like("given_name", in: Person.schema, pattern, on: ctx.db))
                    .filter(Search.like("family_name", in: Person.schema, pattern, on: ctx.db))
            }
        }
        let total = try await q.count()
        let window = try query.window
        let fetched = try await window.rows(q, listOrder)
        let place = { (p: Person) in Cursor([.text(p.familyName), .text(p.givenName), .id(p.id!)]) }
        var base = "/persons?"
        if let text = query.q, !text.isEmpty {
            base += "q=\(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&"
        }
        if let m = query.municipality { base += "municipality=\(m)&" }
        let (rows, pager) = window.settle(fetched, total: total, base: base, cursor: place)
        let visible = rows.filter { ctx.may(.read, $0.resource) }
        try await ctx.auditList("person", records: visible.map { ($0.id!, $0.$municipality.id) })
        return (visible, total, codes, window.next(fetched, cursor: place), pager)
    }

    /// The person list's order as a keyset (`Keyset`): by name, the id last so the order is total.
    static let listOrder = Keyset([
        .init("\"\(Person.schema)\".\"family_name\""), .init("\"\(Person.schema)\".\"given_name\""),
        .init("\"\(Person.schema)\".\"id\""),
    ])

    /// One person, after the policy allows `action`. Every page or response that shows the file (a read, or the edit
    /// form of an update) is audited as a read; `audited: false` leaves that to a caller that checks a part of the file
    /// first, so that a refused part is not logged as a successful read.
    package static func find(_ ctx: ServiceContext, _ id: UUID?, for action: Action = .read, audited: Bool = true)
        async throws
        -> Person
    {
        try await ctx.guarded(
            action, recordType: "person", id: id, auditsRead: audited && (action == .read || ctx.isReadOnly),
            find: { try await Person.query(on: ctx.db).filter(\.$id == $0).with(\.$shares).with(\.$household).first() },
            resource: \.resource, municipality: { $0.$municipality.id })
    }

    package static func create(_ ctx: ServiceContext, _ input: PersonInput) async throws -> Person {
        let v = try input.validated()
        try await ctx.authorize(
            .create, .personalData(municipality: v.municipality, sharedWith: []), recordType: "person")
        try await checkHousehold(ctx, v)
        try await checkAdvisor(ctx, v)
        let p = Person()
        v.apply(to: p)
        try await p.create(on: ctx.db)
        try await ctx.audit("create", recordType: "person", recordID: p.id?.uuidString, municipality: v.municipality)
        try await p.$shares.load(on: ctx.db)
        return p
    }

    package static func update(_ ctx: ServiceContext, _ id: UUID?, _ input: PersonInput) async throws -> Person {
        let p = try await find(ctx, id, for: .update)
        let v = try input.validated()
        // Moving a file to another municipality needs the right to create there too.
        if v.municipality != p.$municipality.id {
            try await ctx.authorize(
                .create, .personalData(municipality: v.municipality, sharedWith: []), recordType: "person")
        }
        try await checkHousehold(ctx, v)
        try await checkAdvisor(ctx, v)
        v.apply(to: p)
        try await p.update(on: ctx.db)
        try await ctx.audit("update", recordType: "person", recordID: p.id?.uuidString, municipality: v.municipality)
        return p
    }

    package static func delete(_ ctx: ServiceContext, _ id: UUID?) async throws {
        let p = try await find(ctx, id, for: .delete)
        let m = p.$municipality.id
        try await p.delete(on: ctx.db)
        try await ctx.audit("delete", recordType: "person", recordID: id?.uuidString, municipality: m)
    }

    /// A household must exist and belong to the same municipality.
    package static func checkHousehold(_ ctx: ServiceContext, _ v: ValidPerson) async throws {
        guard let hid = v.householdID else { return }
        guard let h = try await Household.find(hid, on: ctx.db), h.$municipality.id == v.municipality else {
            throw ValidationFailure(field: "householdId", "invalid.household_elsewhere")
        }
    }

    /// An advisor must be integration staff serving the person's municipality.
    /// The programme advisor and the responsible case worker must be integration staff serving the municipality.
    package static func checkAdvisor(_ ctx: ServiceContext, _ v: ValidPerson) async throws {
        guard v.advisorID != nil || v.caseWorkerID != nil else { return }
        let staff = try await Advisors.available(in: v.municipality, on: ctx.db)
        if let aid = v.advisorID, !staff.contains(where: { $0.id == aid }) {
            throw ValidationFailure(field: "advisorId", "invalid.advisor_elsewhere")
        }
        if let cid = v.caseWorkerID, !staff.contains(where: { $0.id == cid }) {
            throw ValidationFailure(field: "caseWorkerId", "invalid.advisor_elsewhere")
        }
    }

    /// The persons `user` follows: as programme advisor or as responsible case worker ("Mine personer").
    package static func followedBy(_ query: QueryBuilder<Person>, _ user: UUID) -> QueryBuilder<Person> {
        query.group(.or) { $0.filter(\.$advisorID == user).filter(\.$caseWorkerID == user) }
    }

    /// What a move-out says: the day (as on the population register's notice, up to a year ahead for a move that is
    /// planned) and, when known, the municipality moved to.
    package struct MoveOutInput: Content {
        package var date: String?
        package var municipality: String?

        package init(date: String? = nil, municipality: String? = nil) {
            self.date = date
            self.municipality = municipality
        }
    }

    /// Records that the person moved out of the municipality (or corrects the record). The file stays: its history
    /// is the municipality's, and the settlement figures count the person as settled here.
    package static func moveOut(_ ctx: ServiceContext, _ id: UUID?, _ input: MoveOutInput) async throws -> Person {
        let p = try await find(ctx, id, for: .update, audited: false)
        guard let date = try Validate.optionalDate(input.date, "date") else {
            throw ValidationFailure(field: "date", "invalid.required")
        }
        if date > ctx.today.adding(days: 366) { throw ValidationFailure(field: "date", "invalid.too_far_ahead") }
        if date < p.birthDate { throw ValidationFailure(field: "date", "invalid.before_birth") }
        if let settled = p.settlementDate, date < settled {
            throw ValidationFailure(field: "date", "persons.invalid.move_before_settlement")
        }
        var to: Kommunenummer? = nil
        if let m = input.municipality {
            // The form leaves an unknown destination empty (and sends nil); the API names one or none.
            to = try Validate.municipality(m)
            if to == p.$municipality.id { throw ValidationFailure(field: "municipality", "persons.invalid.move_here") }
        }
        p.movedOutOn = date
        p.movedTo = to
        try await p.update(on: ctx.db)
        try await ctx.audit(
            "move_out", recordType: "person", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return p
    }

    /// Takes back a move-out registered by mistake (the move did not happen).
    package static func cancelMoveOut(_ ctx: ServiceContext, _ id: UUID?) async throws -> Person {
        let p = try await find(ctx, id, for: .update, audited: false)
        guard p.movedOutOn != nil else { return p }
        p.movedOutOn = nil
        p.movedTo = nil
        try await p.update(on: ctx.db)
        try await ctx.audit(
            "cancel_move_out", recordType: "person", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return p
    }

    package static func share(_ ctx: ServiceContext, _ id: UUID?, sector: String?, basis: String?, reference: String?)
        async throws -> Person
    {
        let p = try await find(ctx, id, for: .update)
        guard let s = sector.flatMap(Sector.init(rawValue:)), s != .integration else {
            throw ValidationFailure(field: "sector", "invalid.choice")
        }
        guard let b = basis.flatMap(ShareBasis.init(rawValue:)) else {
            throw ValidationFailure(field: "basis", "invalid.one_of", "consent, legal_basis")
        }
        guard let ref = try Validate.text(reference, "reference", max: 200, required: false) else {
            throw ValidationFailure(field: "reference", "invalid.share_reference")
        }
        if !p.activeSectors.contains(s) {
            try await PersonShare(person: p.id!, sector: s, basis: b, reference: ref, by: ctx.user?.id).create(
                on: ctx.db)
            try await ctx.audit(
                "share_\(s.rawValue)", recordType: "person", recordID: p.id?.uuidString,
                municipality: p.$municipality.id)
        }
        return p
    }

    package static func unshare(_ ctx: ServiceContext, _ id: UUID?, shareID: UUID?) async throws {
        let p = try await find(ctx, id, for: .update)
        guard let share = p.shares.first(where: { $0.id == shareID && $0.revokedAt == nil }) else {
            throw Abort(.notFound)
        }
        share.revokedAt = Oslo.now()
        try await share.update(on: ctx.db)
        try await ctx.audit(
            "unshare_\(share.sector.rawValue)", recordType: "person", recordID: p.id?.uuidString,
            municipality: p.$municipality.id)
    }
}
