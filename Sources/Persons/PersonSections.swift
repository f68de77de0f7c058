import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

// The person record's own sections of the person page. Which sectors read each is the table in docs/privacy.md; the
// kernel renders a section only for a reader the table allows.

/// Birth date and age, sex, the national id (masked for readers who may not change the file), the municipality.
package struct IdentitySection: PersonSection {
    package let id = "identity"
    package let order = 0

    package struct Model: Encodable {
        var birthDate: String
        var age: Int
        var sex: String
        var nationalId: String?
        var municipality: String
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        let names = try await req.municipalityNames()
        let full = req.may(.update, p.resource)
        return try await req.section(
            "Persons/section-identity",
            Model(
                birthDate: p.birthDate.iso, age: p.birthDate.age(on: .today), sex: p.sex.labelKey,
                nationalId: PersonDTO(p, sections: [id], fullIdentity: full).nationalId,
                municipality: names[p.$municipality.id] ?? p.$municipality.id.value))
    }
}

/// Languages, the interpreter, how to reach the person and their contact in the integration service: what every
/// partner needs to talk with them.
package struct ContactSection: PersonSection {
    package let id = "contact"
    package let order = 10

    package struct Model: Encodable {
        package struct Language: Encodable {
            var code: String
            var level: String
        }
        var languages: [Language]
        var interpreterLanguage: String?
        var phone: String?
        var email: String?
        var preference: String?
        var advisor: String?
        var caseWorker: String?
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        var advisor: String? = nil
        if let a = p.advisorID { advisor = try await User.find(a, on: req.store)?.displayName }
        var caseWorker: String? = nil
        if let c = p.caseWorkerID { caseWorker = try await User.find(c, on: req.store)?.displayName }
        return try await req.section(
            "Persons/section-contact",
            Model(
                languages: p.languages.map { .init(code: $0.code, level: $0.level.labelKey) },
                interpreterLanguage: p.interpreterLanguage, phone: p.phone, email: p.email,
                preference: p.contactPreference?.labelKey, advisor: advisor, caseWorker: caseWorker))
    }
}

/// Citizenship, country of birth, education and work experience: for planning the programme, work and training.
package struct BackgroundSection: PersonSection {
    package let id = "background"
    package let order = 20

    package struct Model: Encodable {
        var citizenship: String
        var countryOfBirth: String?
        var educationLevel: String
        var educationYears: Int?
        var workExperience: String?
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        try await req.section(
            "Persons/section-background",
            Model(
                citizenship: p.citizenship, countryOfBirth: p.countryOfBirth,
                educationLevel: p.educationLevel.map { $0.labelKey } ?? "persons.unknown",
                educationYears: p.educationYears, workExperience: p.workExperience))
    }
}

/// The residence ground and permit, arrival and settlement, the DUF number and family immigration: the facts the
/// rules run on, kept by the integration service.
package struct ResidenceSection: PersonSection {
    package let id = "residence"
    package let order = 30

    package struct Model: Encodable {
        package struct FamilyImmigration: Encodable {
            var ground: String
            var settlementDate: String?
            var applicationDate: String?
        }
        var residenceGround: String
        var arrivalDate: String?
        var settlementDate: String?
        var permitDate: String?
        var settledByAgreement: String
        var dufNumber: String?
        var familyImmigration: FamilyImmigration?
        var id: UUID
        var movedOutOn: String?
        /// The destination's name (or number, outside the service); nil when not known.
        var movedTo: String?
        /// The integration service registers the move-out (and takes it back).
        var canMove: Bool
        var moveError: String?
        var moveField: String?
        var posted: [String: String]
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        let family =
            p.residenceGround == .familyReunification || p.referencePerson != nil || p.familyApplicationDate != nil
        let problem = req.sectionProblem.flatMap { $0.form == "move-out" ? $0 : nil }
        var destination: String? = nil
        if let to = p.movedTo {
            destination = try await req.municipalityNames()[to].map { "\($0) (\(to.value))" } ?? to.value
        }
        return try await req.section(
            "Persons/section-residence",
            Model(
                residenceGround: p.residenceGround.labelKey, arrivalDate: p.arrivalDate?.iso,
                settlementDate: p.settlementDate?.iso, permitDate: p.permitDate?.iso,
                settledByAgreement: p.settledByAgreement.map { "agreement.\($0)" } ?? "persons.unknown",
                dufNumber: p.dufNumber,
                familyImmigration: family
                    ? .init(
                        ground: p.referenceResidenceGround.map { $0.labelKey } ?? "persons.unknown",
                        settlementDate: p.referenceSettlementDate?.iso,
                        applicationDate: p.familyApplicationDate?.iso) : nil,
                id: p.id!, movedOutOn: p.movedOutOn?.iso, movedTo: destination, canMove: req.may(.update, p.resource),
                moveError: problem?.message, moveField: problem?.field, posted: problem?.posted ?? [:]))
    }
}

/// The household the person lives in, their relation in it and the address; the link to the household page only
/// for a reader who may open it (every member shared with the reader's sector).
package struct HouseholdMembershipSection: PersonSection {
    package let id = "household"
    package let order = 40

    package struct Model: Encodable {
        var householdId: UUID?
        var household: String?
        var address: String?
        var relation: String?
        var canOpen: Bool
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        guard let householdID = p.$household.id else { return nil }
        let h = try await Household.query(on: req.store).filter(\.$id == householdID)
            .with(\.$members) { $0.with(\.$shares) }.first()
        return try await req.section(
            "Persons/section-household",
            Model(
                householdId: householdID, household: h?.name, address: h?.address,
                relation: p.relation.map { $0.labelKey },
                canOpen: h.map { req.may(.read, HouseholdService.resource($0)) } ?? false))
    }
}

/// Which sectors the file is shared with, on what basis, and the research reservation; the forms to share and to
/// revoke. The integration service's own: it would tell a partner which other services are involved.
package struct SharingSection: PersonSection {
    package let id = "sharing"
    package let order = 800

    package struct Model: Encodable {
        package struct Share: Encodable {
            var id: UUID
            var sector: String
            var basis: String
            var reference: String
            var grantedAt: String
        }
        var id: UUID
        var name: String
        var researchReservation: String
        var shares: [Share]
        var canEdit: Bool
        var sectors: [Choice]
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        try await req.section(
            "Persons/section-sharing",
            Model(
                id: p.id!, name: p.fullName, researchReservation: "reservation.\(p.researchReservation ?? false)",
                shares: p.shares.filter { $0.revokedAt == nil }.map {
                    .init(
                        id: $0.id!, sector: $0.sector.labelKey, basis: $0.basis.labelKey, reference: $0.reference,
                        grantedAt: Oslo.day($0.grantedAt).iso)
                },
                canEdit: req.may(.update, p.resource),
                sectors: Sector.allCases.filter { $0 != .integration }.map {
                    Choice(value: $0.rawValue, label: $0.labelKey, selected: false)
                }))
    }
}
