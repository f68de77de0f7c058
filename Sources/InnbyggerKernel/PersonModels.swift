import Fluent
import SQLKit
import Vapor

/// A household (husstand) settled in a municipality.
package final class Household: Model, @unchecked Sendable {
    package static let schema = "households"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @Field(key: "name") package var name: String
    @OptionalField(key: "address") package var address: String?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?
    @Children(for: \.$household) package var members: [Person]

    package init() {}
}

/// A settled person's file. Further sections (programme, Norwegian, housing …) hang off it.
package final class Person: Model, @unchecked Sendable {
    package static let schema = "persons"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @OptionalParent(key: "household_id") package var household: Household?
    @Field(key: "given_name") package var givenName: String
    @Field(key: "family_name") package var familyName: String
    @Field(key: "birth_date") package var birthDate: LocalDate
    @Field(key: "sex") package var sex: Sex
    @Field(key: "citizenship") package var citizenship: String
    @Field(key: "residence_ground") package var residenceGround: PersonFacts.ResidenceGround
    @OptionalField(key: "arrival_date") package var arrivalDate: LocalDate?
    @OptionalField(key: "settlement_date") package var settlementDate: LocalDate?
    /// Fødselsnummer or D-nummer; nil while not yet assigned.
    @OptionalField(key: "national_id") package var nationalID: String?
    @OptionalField(key: "permit_date") package var permitDate: LocalDate?
    @OptionalField(key: "settled_by_agreement") package var settledByAgreement: Bool?
    @OptionalField(key: "education_level") package var educationLevel: PersonFacts.EducationLevel?
    /// The person's number in the immigration authorities' DUF system (12 digits).
    @OptionalField(key: "duf_number") package var dufNumber: String?
    @OptionalField(key: "country_of_birth") package var countryOfBirth: String?
    /// JSON list of `LanguageSkill`.
    @OptionalField(key: "languages") package var languagesJSON: String?
    /// The language an interpreter is needed in; nil when none is needed.
    @OptionalField(key: "interpreter_language") package var interpreterLanguage: String?
    @OptionalField(key: "education_years") package var educationYears: Int?
    @OptionalField(key: "work_experience") package var workExperience: String?
    /// The person has reserved against research use of directly identifying data (registered with IMDi).
    @OptionalField(key: "research_reservation") package var researchReservation: Bool?
    /// FamilyRelation to the household's main person.
    @OptionalField(key: "relation") package var relation: FamilyRelation?
    /// For family immigrants: the person they joined (integreringsloven § 9 første ledd bokstav f).
    @OptionalField(key: "reference_residence_ground") package var referenceResidenceGround: PersonFacts.ResidenceGround?
    @OptionalField(key: "reference_settlement_date") package var referenceSettlementDate: LocalDate?
    @OptionalField(key: "family_application_date") package var familyApplicationDate: LocalDate?
    /// The programme advisor or case worker who follows the person ("Mine frister", caseload).
    @OptionalField(key: "advisor_id") package var advisorID: UUID?
    /// The case worker responsible for the file (ansvarlig saksbehandler), besides the programme advisor.
    @OptionalField(key: "case_worker_id") package var caseWorkerID: UUID?
    @OptionalField(key: "phone") package var phone: String?
    @OptionalField(key: "email") package var email: String?
    @OptionalField(key: "contact_preference") package var contactPreference: ContactPreference?
    /// The CSV import that created the file, so an interrupted import can be reconciled with what was stored.
    @OptionalField(key: "import_job") package var importJob: UUID?
    /// The day the person moved out of the municipality (folkeregistrert utflytting), and where to when known: the
    /// file stays, but the municipality's deadlines end and the plan's figures count the departure (issue #14).
    @OptionalField(key: "moved_out_on") package var movedOutOn: LocalDate?
    @OptionalField(key: "moved_to") package var movedTo: Kommunenummer?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?
    @Children(for: \.$person) package var shares: [PersonShare]

    package init() {}

    package var fullName: String { "\(givenName) \(familyName)" }

    /// Whether the person has moved out of the municipality by `day`.
    package func hasMovedOut(by day: LocalDate) -> Bool { movedOutOn.map { $0 <= day } ?? false }

    /// Sectors the file is currently shared with (consent or legal basis not revoked).
    package var activeSectors: Set<Sector> {
        Set(($shares.value ?? []).filter { $0.revokedAt == nil }.map(\.sector))
    }

    package var resource: Resource { .personalData(municipality: $municipality.id, sharedWith: activeSectors) }

    /// What the rules engine needs from the file.
    package var facts: PersonFacts {
        PersonFacts(
            birthDate: birthDate, citizenship: citizenship, residenceGround: residenceGround,
            permitDate: permitDate,
            arrivalDate: arrivalDate,
            settlementDate: settlementDate, settledByAgreement: settledByAgreement,
            educationLevel: educationLevel,
            referencePerson: referencePerson,
            familyApplicationDate: familyApplicationDate,
            municipality: $municipality.id.value)
    }

    /// The family member the person joined, when any of it is on file.
    package var referencePerson: PersonFacts.ReferencePerson? {
        let ground = referenceResidenceGround
        let settled = referenceSettlementDate
        return ground == nil && settled == nil ? nil : .init(residenceGround: ground, settlementDate: settled)
    }

    package var languages: [LanguageSkill] {
        get { languagesJSON.flatMap { try? JSONDecoder().decode([LanguageSkill].self, from: Data($0.utf8)) } ?? [] }
        set {
            languagesJSON =
                newValue.isEmpty
                ? nil : String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data(), as: UTF8.self)
        }
    }
}

/// Sharing a person's file with a partner sector, on consent or a named legal basis.
/// Revoking keeps the row (who shared what, when, on which basis stays documented).
package final class PersonShare: Model, @unchecked Sendable {
    package static let schema = "person_shares"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "person_id") package var person: Person
    @Field(key: "sector") package var sector: Sector
    @Field(key: "basis") package var basis: ShareBasis
    @Field(key: "reference") package var reference: String
    @Field(key: "granted_at") package var grantedAt: Date
    @OptionalField(key: "granted_by") package var grantedBy: UUID?
    @OptionalField(key: "revoked_at") package var revokedAt: Date?

    package init() {}
    package init(person: UUID, sector: Sector, basis: ShareBasis, reference: String, by: UUID?) {
        self.$person.id = person
        self.sector = sector
        self.basis = basis
        self.reference = reference
        self.grantedAt = Oslo.now()
        self.grantedBy = by
    }
}

extension PersonShare {
    /// `EXISTS (…)`: the file whose id is `person` (a column of the enclosing query, such as `d.person_id`) is shared
    /// with one of `sectors` and not revoked: the policy's partner rule as SQL, so that lists pick a partner's rows in
    /// the database. No sector matches no file (and makes no empty `IN` list).
    package static func active(with sectors: [Sector], person: String) -> SQLQueryString {
        let names = sectors.isEmpty ? [""] : sectors.map(\.rawValue)
        return """
            EXISTS (SELECT 1 FROM \(ident: schema) sh WHERE sh.person_id = \(unsafeRaw: person)
            AND sh.sector IN (\(binds: names)) AND sh.revoked_at IS NULL)
            """
    }
}

/// A language and level as a form or the API gives it, before validation.
package struct LanguageInput: Codable, Equatable {
    package var code: String
    package var level: String

    package init(code: String, level: String) {
        self.code = code
        self.level = level
    }
}

/// A language the person speaks and how well.
package struct LanguageSkill: Codable, Equatable {
    package enum Level: String, CaseIterable, Codable { case motherTongue = "mother_tongue", fluent, good, basic }
    /// ISO 639-1 or 639-3 code, lower case ("ar", "ti", "prs").
    package var code: String
    package var level: Level

    package init(code: String, level: Level) {
        self.code = code
        self.level = level
    }
}

package typealias EducationLevel = PersonFacts.EducationLevel
/// Residence grounds as listed in the rules-engine contract (integreringsloven §§ 8–9 and NIR).
package typealias ResidenceGround = PersonFacts.ResidenceGround

/// The facts the rules engine needs: national id, permit date, settlement by agreement, education.
package struct AddPersonRuleFacts: AsyncMigration {
    package init() {}

    // SQLite alters one column per statement.
    package func prepare(on db: any Database) async throws {
        try await db.schema(Person.schema).field("national_id", .string).update()
        try await db.schema(Person.schema).field("permit_date", .string).update()
        try await db.schema(Person.schema).field("settled_by_agreement", .bool).update()
        try await db.schema(Person.schema).field("education_level", .string).update()
    }
    package func revert(on db: any Database) async throws {
        for f in ["education_level", "settled_by_agreement", "permit_date", "national_id"] {
            try await db.schema(Person.schema).deleteField(.string(f)).update()
        }
    }
}

/// The case worker responsible for a file.
package struct AddPersonCaseWorker: AsyncMigration {
    package init() {}
    package func prepare(on db: any Database) async throws {
        try await db.schema(Person.schema).field("case_worker_id", .uuid).update()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema(Person.schema).deleteField("case_worker_id").update()
    }
}

/// How to reach the person: phone, e-mail and the way they prefer.
package struct AddPersonContact: AsyncMigration {
    package init() {}

    package static let columns = ["phone", "email", "contact_preference"]

    package func prepare(on db: any Database) async throws {
        for name in Self.columns { try await db.schema(Person.schema).field(.string(name), .string).update() }
    }
    package func revert(on db: any Database) async throws {
        for name in Self.columns.reversed() { try await db.schema(Person.schema).deleteField(.string(name)).update() }
    }
}

/// The move-out date and the destination municipality (issue #14: arrivals and departures over time).
package struct AddPersonMoveOut: AsyncMigration {
    package init() {}
    package func prepare(on db: any Database) async throws {
        try await db.schema(Person.schema).field("moved_out_on", .string).update()
        try await db.schema(Person.schema).field("moved_to", .string).update()
        try await (db as! any SQLDatabase).create(index: "idx_persons_moved_out").on(Person.schema)
            .column("municipality").column("moved_out_on").run()
    }
    package func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "idx_persons_moved_out").run()
        try await db.schema(Person.schema).deleteField("moved_to").update()
        try await db.schema(Person.schema).deleteField("moved_out_on").update()
    }
}

/// DUF number, birth country, languages, education years, work experience, research reservation,
/// household relation, the family-immigration facts and the advisor.
package struct AddPersonDetails: AsyncMigration {
    package init() {}

    package static let columns: [(String, DatabaseSchema.DataType)] = [
        ("duf_number", .string), ("country_of_birth", .string), ("languages", .string),
        ("interpreter_language", .string),
        ("education_years", .int), ("work_experience", .string), ("research_reservation", .bool), ("relation", .string),
        ("reference_residence_ground", .string), ("reference_settlement_date", .string),
        ("family_application_date", .string),
        ("advisor_id", .uuid),
    ]
    package func prepare(on db: any Database) async throws {
        for (name, type) in Self.columns { try await db.schema(Person.schema).field(.string(name), type).update() }
    }
    package func revert(on db: any Database) async throws {
        for (name, _) in Self.columns.reversed() {
            try await db.schema(Person.schema).deleteField(.string(name)).update()
        }
    }
}

package struct CreatePersons: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
        try await db.schema(Household.schema)
            .id()
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("name", .string, .required)
            .field("address", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema(Person.schema)
            .id()
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("household_id", .uuid, .references(Household.schema, "id", onDelete: .setNull))
            .field("given_name", .string, .required)
            .field("family_name", .string, .required)
            .field("birth_date", .string, .required)
            .field("sex", .string, .required)
            .field("citizenship", .string, .required)
            .field("residence_ground", .string, .required)
            .field("arrival_date", .string)
            .field("settlement_date", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema(PersonShare.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("sector", .string, .required)
            .field("basis", .string, .required)
            .field("reference", .string, .required)
            .field("granted_at", .datetime, .required)
            .field("granted_by", .uuid)
            .field("revoked_at", .datetime)
            .create()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema(PersonShare.schema).delete()
        try await db.schema(Person.schema).delete()
        try await db.schema(Household.schema).delete()
    }
}
