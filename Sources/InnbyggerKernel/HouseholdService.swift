import Fluent
import Vapor

package struct HouseholdInput: Content {
    package var municipality: String?
    package var name: String?
    package var address: String?

    package func validated() throws -> (municipality: Kommunenummer, name: String, address: String?) {
        (
            try Validate.municipality(municipality), try Validate.required(name, "name"),
            try Validate.text(address, "address", max: 200, required: false)
        )
    }

    package init(municipality: String? = nil, name: String? = nil, address: String? = nil) {
        self.municipality = municipality
        self.name = name
        self.address = address
    }
}

package struct HouseholdDTO: Content {
    package var id: UUID
    package var municipality: Kommunenummer
    package var name: String
    package var address: String?
    package var memberIds: [UUID]
    package init(_ h: Household) {
        id = h.id!
        municipality = h.$municipality.id
        name = h.name
        address = h.address
        memberIds = (h.$members.value ?? []).compactMap(\.id)
    }
}

/// Households are personal data: only integration staff handle them, as the policy decides.
package enum HouseholdService {
    /// A household's resource: shared with a sector only if every member is.
    package static func resource(_ h: Household) -> Resource {
        let members = h.$members.value ?? []
        let shared =
            members.isEmpty ? [] : members.map(\.activeSectors).reduce(Set(Sector.allCases)) { $0.intersection($1) }
        return .personalData(municipality: h.$municipality.id, sharedWith: shared)
    }

    /// One page of the households the user may see, by name, paged in the database (issue #12), with the total.
    /// A partner's rows are those whose every member is shared with one of its sectors, as the policy says (it
    /// re-checks each row).
    package static func list(_ ctx: ServiceContext, _ window: PageWindow, base: String = "/households?")
        async throws -> (households: [Household], total: Int, pager: Pager, next: Cursor?)
    {
        let user = try ctx.requireUser()
        let codes = try await ctx.municipalities(where: .list) { .personalDataList(municipality: $0) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let q = Household.query(on: ctx.db).filter(\.$municipality.$id ~~ codes)
        if !user.principal.roles.contains(where: \.isIntegrationStaff) {
            let shared = PersonShare.active(with: user.principal.roles.compactMap(\.partnerSector), person: "m.id")
            let h = Household.schema
            q.filter(
                .sql(
                    embed: """
                        EXISTS (SELECT 1 FROM \(ident: Person.schema) m WHERE m.household_id = \(ident: h).id)
                        AND NOT EXISTS (SELECT 1 FROM \(ident: Person.schema) m WHERE m.household_id = \(ident: h).id
                        AND NOT
                        """ + " " + shared + ")"))
        }
        let total = try await q.count()
        let fetched = try await window.rows(q.with(\.$members) { $0.with(\.$shares) }, listOrder)
        let place = { (h: Household) in Cursor([.text(h.name), .id(h.id!)]) }
        let (rows, pager) = window.settle(fetched, total: total, base: base, cursor: place)
        let visible = rows.filter { ctx.may(.read, resource($0)) }
        try await ctx.auditList("household", records: visible.map { ($0.id!, $0.$municipality.id) })
        return (visible, total, pager, window.next(fetched, cursor: place))
    }

    /// The list's order as a keyset: by name, the id last.
    static let listOrder = Keyset([
        .init("\"\(Household.schema)\".\"name\""), .init("\"\(Household.schema)\".\"id\""),
    ])

    package static func find(_ ctx: ServiceContext, _ id: UUID?, for action: Action = .read) async throws -> Household {
        try await ctx.guarded(
            action, recordType: "household", id: id,
            find: { id in
                try await Household.query(on: ctx.db).filter(\.$id == id).with(\.$members, { $0.with(\.$shares) })
                    .first()
            },
            resource: resource, municipality: { $0.$municipality.id })
    }

    package static func create(_ ctx: ServiceContext, _ input: HouseholdInput) async throws -> Household {
        let v = try input.validated()
        try await ctx.authorize(
            .create, .personalData(municipality: v.municipality, sharedWith: []), recordType: "household")
        let h = Household()
        h.$municipality.id = v.municipality
        h.name = v.name
        h.address = v.address
        try await h.create(on: ctx.db)
        h.$members.value = []
        try await ctx.audit("create", recordType: "household", recordID: h.id?.uuidString, municipality: v.municipality)
        return h
    }

    package static func update(_ ctx: ServiceContext, _ id: UUID?, _ input: HouseholdInput) async throws -> Household {
        let h = try await find(ctx, id, for: .update)
        let v = try input.validated()
        guard v.municipality == h.$municipality.id else {
            throw ValidationFailure(field: "municipality", "invalid.move_municipality")
        }
        h.name = v.name
        h.address = v.address
        try await h.update(on: ctx.db)
        try await ctx.audit("update", recordType: "household", recordID: h.id?.uuidString, municipality: v.municipality)
        return h
    }

    package static func delete(_ ctx: ServiceContext, _ id: UUID?) async throws {
        let h = try await find(ctx, id, for: .delete)
        let m = h.$municipality.id
        try await h.delete(on: ctx.db)
        try await ctx.audit("delete", recordType: "household", recordID: id?.uuidString, municipality: m)
    }
}
