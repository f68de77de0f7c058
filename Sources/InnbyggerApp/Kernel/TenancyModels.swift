import Fluent
import Vapor

/// A municipality (kommune). Its four-digit number is the primary key, so every record's
/// owner is readable in the database itself.
final class Municipality: Model, Content, @unchecked Sendable {
    static let schema = "municipalities"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "county") var county: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(code: String, name: String, county: String) { self.id = code; self.name = name; self.county = county }
}

/// A service unit (e.g. Integreringstjenesten, NAV, Helsestasjon) hosted by one municipality.
final class ServiceUnit: Model, Content, @unchecked Sendable {
    static let schema = "service_units"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "sector") var sector: String
    @Parent(key: "host_municipality") var host: Municipality
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(id: UUID? = nil, name: String, sector: Sector, host: String) {
        self.id = id; self.name = name; self.sector = sector.rawValue; self.$host.id = host
    }
}

/// A host-municipality agreement (vertskommunesamarbeid, kommuneloven § 20-2): the unit also
/// serves another municipality, so its staff may work on that municipality's records.
final class ServiceAgreement: Model, Content, @unchecked Sendable {
    static let schema = "service_agreements"
    @ID(key: .id) var id: UUID?
    @Parent(key: "unit_id") var unit: ServiceUnit
    @Parent(key: "served_municipality") var served: Municipality
    @Field(key: "valid_from") var validFrom: String
    @OptionalField(key: "valid_to") var validTo: String?
    @Field(key: "reference") var reference: String

    init() {}
    init(unit: UUID, served: String, validFrom: LocalDate, validTo: LocalDate? = nil, reference: String) {
        self.$unit.id = unit; self.$served.id = served; self.validFrom = validFrom.iso; self.validTo = validTo?.iso
        self.reference = reference
    }

    func isActive(on date: LocalDate) -> Bool {
        guard let from = LocalDate(iso: validFrom), from <= date else { return false }
        if let to = validTo.flatMap(LocalDate.init(iso:)), to < date { return false }
        return true
    }
}

struct CreateTenancy: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Municipality.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("county", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema(ServiceUnit.schema)
            .id()
            .field("name", .string, .required)
            .field("sector", .string, .required)
            .field("host_municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("created_at", .datetime)
            .create()
        try await db.schema(ServiceAgreement.schema)
            .id()
            .field("unit_id", .uuid, .required, .references(ServiceUnit.schema, "id"))
            .field("served_municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("valid_from", .string, .required)
            .field("valid_to", .string)
            .field("reference", .string, .required)
            .unique(on: "unit_id", "served_municipality")
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema(ServiceAgreement.schema).delete()
        try await db.schema(ServiceUnit.schema).delete()
        try await db.schema(Municipality.schema).delete()
    }
}
