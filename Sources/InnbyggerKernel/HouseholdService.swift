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

    package static func list(_ ctx: ServiceContext) async throws -> [Household] {
        let codes = try await ctx.municipalities(where: .list) { .personalDataList(municipality: $0) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let rows = try await Household.query(on: ctx.db).filter(\.$municipality.$id ~~ codes)
            .with(\.$members) { $0.with(\.$shares) }.sort(\.$name).all()
        let visible = rows.filter { ctx.may(.read, resource($0)) }
        try await ctx.auditList("household", records: visible.map { ($0.id!, $0.$municipality.id) })
        return visible
    }

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
