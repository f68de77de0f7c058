import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

extension DwellingOwner: Labelled { package static var labelPrefix: String { "dwelling_owner" } }
extension DwellingStatus: Labelled { package static var labelPrefix: String { "dwelling_status" } }
extension TenancyEnd: Labelled { package static var labelPrefix: String { "tenancy_end" } }
extension InspectionInterval: Labelled { package static var labelPrefix: String { "inspection_interval" } }

/// A dwelling the integration service lets or sublets to refugees, or a household's own lease it follows up. No
/// person's data is in it (the municipality's register kept with the housing sector, `Resource.register`).
package final class Dwelling: Model, @unchecked Sendable {
    package static let schema = "dwellings"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @Field(key: "address") package var address: String
    @Field(key: "owner_kind") package var owner: DwellingOwner
    @Field(key: "rooms") package var rooms: Int
    @OptionalField(key: "size_m2") package var sizeM2: Int?
    @OptionalField(key: "floor") package var floor: Int?
    @Field(key: "step_free") package var stepFree: Bool
    @Field(key: "furnished") package var furnished: Bool
    /// Monthly rent the household pays, whole kroner.
    @Field(key: "rent") package var rent: Int
    @OptionalField(key: "deposit") package var deposit: Int?
    /// The lease the service holds with a private owner: the owner, the period, the rent the service pays and the
    /// notice in months.
    @OptionalField(key: "landlord") package var landlord: String?
    @OptionalField(key: "lease_from") package var leaseFrom: LocalDate?
    @OptionalField(key: "lease_to") package var leaseTo: LocalDate?
    @OptionalField(key: "lease_rent") package var leaseRent: Int?
    @OptionalField(key: "lease_notice_months") package var leaseNoticeMonths: Int?
    @Field(key: "status") package var status: DwellingStatus
    /// The service unit that manages the dwelling.
    @OptionalField(key: "unit_id") package var unitID: UUID?
    /// Distance to the nearest school or kindergarten, kilometres, where known.
    @OptionalField(key: "school_km") package var schoolKm: Double?
    /// Reserved for an incoming household (IMDi's proposal) or a settled household, since a day.
    @OptionalField(key: "reserved_incoming") package var reservedIncoming: UUID?
    @OptionalField(key: "reserved_household") package var reservedHousehold: UUID?
    @OptionalField(key: "reserved_on") package var reservedOn: LocalDate?
    @OptionalField(key: "note") package var note: String?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?
    package init() {}

    package var resource: Resource { .register(municipality: $municipality.id, sector: .housing) }
}

/// A household's tenancy of a dwelling (issue #15): its terms, the move-in, the inspections of years 1–5 and the
/// way to one's own home. Personal data: the household's, read by the integration service and, on households shared
/// with it, the housing sector.
package final class Tenancy: Model, @unchecked Sendable {
    package static let schema = "tenancies"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @Parent(key: "dwelling_id") package var dwelling: Dwelling
    @Parent(key: "household_id") package var household: Household
    @Field(key: "start_date") package var start: LocalDate
    /// The agreed end of a time-limited stay.
    @OptionalField(key: "agreed_end") package var agreedEnd: LocalDate?
    @Field(key: "rent") package var rent: Int
    /// The deposit guarantee NAV gives (kroner), if any.
    @OptionalField(key: "nav_guarantee") package var navGuarantee: Int?
    @OptionalField(key: "keys") package var keys: Int?
    @OptionalField(key: "ended_on") package var endedOn: LocalDate?
    @OptionalField(key: "end_reason") package var endReason: TenancyEnd?
    /// The goal day of one's own home: the household's settlement + the years of the parameter.
    @Field(key: "goal_date") package var goalDate: LocalDate
    /// Whether the dwelling is one the service lets (not the household's own lease): what the goal counts.
    @Field(key: "service_held") package var serviceHeld: Bool
    /// Steps on the way to one's own home.
    @OptionalField(key: "housing_school_on") package var housingSchoolOn: LocalDate?
    @Field(key: "saving") package var saving: Bool
    @OptionalField(key: "start_loan_applied_on") package var startLoanAppliedOn: LocalDate?
    @OptionalField(key: "rental_search_on") package var rentalSearchOn: LocalDate?
    /// The next inspection the checklist asks for that is not yet made, and its tenancy year: stored on every change
    /// of the tenancy, its inspections or the checklist, so lists and the worklist read it in SQL.
    @OptionalField(key: "next_inspection") package var nextInspection: LocalDate?
    @OptionalField(key: "next_inspection_year") package var nextInspectionYear: Int?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Children(for: \.$tenancy) package var inspections: [Inspection]
    package init() {}

    package var active: Bool { endedOn == nil }
}

/// A visit to the dwelling: the move-in inspection or a follow-up of the checklist, with what was found and the next
/// steps agreed.
package final class Inspection: Model, @unchecked Sendable {
    package static let schema = "inspections"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "tenancy_id") package var tenancy: Tenancy
    @Field(key: "date") package var date: LocalDate
    @Field(key: "move_in") package var moveIn: Bool
    /// The checklist items gone through, as JSON list of titles.
    @Field(key: "items") package var itemsJSON: String
    @OptionalField(key: "findings") package var findings: String?
    @OptionalField(key: "next_steps") package var nextSteps: String?
    @OptionalField(key: "by_user") package var byUser: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Children(for: \.$inspection) package var photos: [InspectionPhoto]
    package init() {}

    package var items: [String] {
        (try? JSONDecoder().decode([String].self, from: Data(itemsJSON.utf8))) ?? []
    }
}

/// A photo taken at an inspection, stored under the data directory (`housing-photos/<id>`), never in the database.
package final class InspectionPhoto: Model, @unchecked Sendable {
    package static let schema = "inspection_photos"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "inspection_id") package var inspection: Inspection
    @Field(key: "content_type") package var contentType: String
    @Field(key: "bytes") package var bytes: Int
    package init() {}
}

/// One item of a municipality's inspection checklist; the municipality starts from the shipped list and edits it.
package final class ChecklistRow: Model, @unchecked Sendable {
    package static let schema = "housing_checklist_items"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @Field(key: "position") package var position: Int
    @Field(key: "title") package var title: String
    @Field(key: "from_year") package var fromYear: Int
    @Field(key: "to_year") package var toYear: Int
    @Field(key: "interval") package var interval: InspectionInterval
    package init() {}

    package var item: ChecklistItem {
        ChecklistItem(title: title, fromYear: fromYear, toYear: toYear, interval: interval)
    }
}

/// A municipality's own housing settings where it departs from the parameters: the longest stay and the years to
/// the goal of one's own home.
package final class HousingSetting: Model, @unchecked Sendable {
    package static let schema = "housing_settings"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @OptionalField(key: "max_stay_months") package var maxStayMonths: Int?
    @OptionalField(key: "own_home_years") package var ownHomeYears: Int?
    /// Whether the municipality has its own checklist (else the shipped one applies).
    @Field(key: "own_checklist") package var ownChecklist: Bool
    package init() {}
}

package struct CreateHousing: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        let municipality = { (b: SchemaBuilder) in
            b.field("municipality", .string, .required, .references(Municipality.schema, "code"))
        }
        try await municipality(db.schema(Dwelling.schema).id())
            .field("address", .string, .required).field("owner_kind", .string, .required)
            .field("rooms", .int, .required).field("size_m2", .int).field("floor", .int)
            .field("step_free", .bool, .required).field("furnished", .bool, .required)
            .field("rent", .int, .required).field("deposit", .int).field("landlord", .string)
            .field("lease_from", .string).field("lease_to", .string).field("lease_rent", .int)
            .field("lease_notice_months", .int).field("status", .string, .required).field("unit_id", .uuid)
            .field("school_km", .double).field("reserved_incoming", .uuid).field("reserved_household", .uuid)
            .field("reserved_on", .string).field("note", .string)
            .field("created_at", .datetime).field("updated_at", .datetime).create()
        try await municipality(db.schema(Tenancy.schema).id())
            .field("dwelling_id", .uuid, .required, .references(Dwelling.schema, "id", onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, "id", onDelete: .cascade))
            .field("start_date", .string, .required).field("agreed_end", .string).field("rent", .int, .required)
            .field("nav_guarantee", .int).field("keys", .int).field("ended_on", .string).field("end_reason", .string)
            .field("goal_date", .string, .required).field("service_held", .bool, .required)
            .field("housing_school_on", .string).field("saving", .bool, .required)
            .field("start_loan_applied_on", .string).field("rental_search_on", .string)
            .field("next_inspection", .string).field("next_inspection_year", .int)
            .field("created_at", .datetime).create()
        try await db.schema(Inspection.schema).id()
            .field("tenancy_id", .uuid, .required, .references(Tenancy.schema, "id", onDelete: .cascade))
            .field("date", .string, .required).field("move_in", .bool, .required).field("items", .string, .required)
            .field("findings", .string).field("next_steps", .string).field("by_user", .uuid)
            .field("created_at", .datetime).create()
        try await db.schema(InspectionPhoto.schema).id()
            .field("inspection_id", .uuid, .required, .references(Inspection.schema, "id", onDelete: .cascade))
            .field("content_type", .string, .required).field("bytes", .int, .required).create()
        try await municipality(db.schema(ChecklistRow.schema).id())
            .field("position", .int, .required).field("title", .string, .required)
            .field("from_year", .int, .required).field("to_year", .int, .required)
            .field("interval", .string, .required).create()
        try await municipality(db.schema(HousingSetting.schema).id())
            .field("max_stay_months", .int).field("own_home_years", .int).field("own_checklist", .bool, .required)
            .unique(on: "municipality").create()
    }

    package func revert(on db: any Database) async throws {
        for s in [
            HousingSetting.schema, ChecklistRow.schema, InspectionPhoto.schema, Inspection.schema, Tenancy.schema,
            Dwelling.schema,
        ] {
            try await db.schema(s).delete()
        }
    }
}

package let housingIndexes = IndexMigration(
    name: "HousingIndexes",
    [
        ("idx_dwellings_municipality_status", Dwelling.schema, ["municipality", "status", "rooms"]),
        ("idx_dwellings_address", Dwelling.schema, ["municipality", "address"]),
        ("idx_tenancies_household", Tenancy.schema, ["household_id"]),
        ("idx_tenancies_dwelling", Tenancy.schema, ["dwelling_id"]),
        ("idx_tenancies_next", Tenancy.schema, ["municipality", "ended_on", "next_inspection"]),
        ("idx_tenancies_goal", Tenancy.schema, ["municipality", "goal_date"]),
        ("idx_inspections_tenancy", Inspection.schema, ["tenancy_id", "date"]),
        ("idx_photos_inspection", InspectionPhoto.schema, ["inspection_id"]),
        ("idx_checklist_municipality", ChecklistRow.schema, ["municipality", "position"]),
    ])
