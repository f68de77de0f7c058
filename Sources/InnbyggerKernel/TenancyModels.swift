import Fluent
import NIOConcurrencyHelpers
import Vapor

/// A municipality (kommune). Its four-digit number is the primary key, so every record's
/// owner is readable in the database itself.
package final class Municipality: Model, Content, @unchecked Sendable {
    package static let schema = "municipalities"
    @ID(custom: "code", generatedBy: .user) package var id: Kommunenummer?
    @Field(key: "name") package var name: String
    @Field(key: "county") package var county: String
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}
    package init(code: Kommunenummer, name: String, county: String) {
        self.id = code
        self.name = name
        self.county = county
    }
}

/// The municipalities, read once and kept: municipalities are only ever added (the tenancy page, `setup`, the demo),
/// never renamed or removed, so one `COUNT(*)` per request tells whether the list kept is still the list stored,
/// also when another process of the service added one.
package final class MunicipalityCache: Sendable {
    private let kept = NIOLockedValueBox<[Municipality]?>(nil)

    package init() {}

    package func all(on db: any Database) async throws -> [Municipality] {
        let stored = try await Municipality.query(on: db).count()
        if let list = kept.withLockedValue({ $0 }), list.count == stored { return list }
        let list = try await Municipality.query(on: db).sort(\.$name).all()
        kept.withLockedValue { $0 = list }
        return list
    }
}

package struct MunicipalityCacheKey: StorageKey { package typealias Value = MunicipalityCache }

extension Application {
    package var municipalityCache: MunicipalityCache {
        get {
            guard let c = storage[MunicipalityCacheKey.self] else { fatalError("configure() sets the cache") }
            return c
        }
        set { storage[MunicipalityCacheKey.self] = newValue }
    }
}

/// A service unit (e.g. Integreringstjenesten, NAV, Helsestasjon) hosted by one municipality.
package final class ServiceUnit: Model, Content, @unchecked Sendable {
    package static let schema = "service_units"
    @ID(key: .id) package var id: UUID?
    @Field(key: "name") package var name: String
    @Field(key: "sector") package var sector: Sector
    @Parent(key: "host_municipality") package var host: Municipality
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}
    package init(id: UUID? = nil, name: String, sector: Sector, host: Kommunenummer) {
        self.id = id
        self.name = name
        self.sector = sector
        self.$host.id = host
    }
}

/// A host-municipality agreement (vertskommunesamarbeid, kommuneloven § 20-2): the unit also
/// serves another municipality, so its staff may work on that municipality's records.
package final class ServiceAgreement: Model, Content, @unchecked Sendable {
    package static let schema = "service_agreements"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "unit_id") package var unit: ServiceUnit
    @Parent(key: "served_municipality") package var served: Municipality
    @Field(key: "valid_from") package var validFrom: LocalDate
    @OptionalField(key: "valid_to") package var validTo: LocalDate?
    @Field(key: "reference") package var reference: String

    package init() {}
    package init(unit: UUID, served: Kommunenummer, validFrom: LocalDate, validTo: LocalDate? = nil, reference: String)
    {
        self.$unit.id = unit
        self.$served.id = served
        self.validFrom = validFrom
        self.validTo = validTo
        self.reference = reference
    }

    package func isActive(on date: LocalDate) -> Bool {
        guard validFrom <= date else { return false }
        if let to = validTo, to < date { return false }
        return true
    }
}

package struct CreateTenancy: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
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
    package func revert(on db: any Database) async throws {
        try await db.schema(ServiceAgreement.schema).delete()
        try await db.schema(ServiceUnit.schema).delete()
        try await db.schema(Municipality.schema).delete()
    }
}
