import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// What a client sends for a settlement year. The page form uses the same names.
package struct SettlementYearInput: Content {
    package var municipality: String?
    package var year: Int?
    package var requested: Int?
    package var requestedMinors: Int?
    package var requestDate: String?
    package var decided: Int?
    package var decidedMinors: Bool?
    package var decisionDate: String?
    package var decisionReference: String?
    package var note: String?

    package struct Valid {
        package var municipality: Kommunenummer
        package var year: Int
        package var requested: Int
        package var requestedMinors: Int
        package var requestDate: LocalDate?
        package var decided: Int?
        package var decidedMinors: Bool?
        package var decisionDate: LocalDate?
        package var decisionReference: String?
        package var note: String?

        package func apply(to y: SettlementYear) {
            y.$municipality.id = municipality
            y.year = year
            y.requested = requested
            y.requestedMinors = requestedMinors
            y.requestDate = requestDate
            y.decided = decided
            y.decidedMinors = decidedMinors
            y.decisionDate = decisionDate
            y.decisionReference = decisionReference
            y.note = note
        }
    }

    package func validated() throws -> Valid {
        let m = try Validate.municipality(municipality)
        guard let year, (2000...2100).contains(year) else {
            throw ValidationFailure(field: "year", "invalid.range", "2000", "2100")
        }
        let count = 0...100_000
        guard let requested, count.contains(requested) else {
            throw ValidationFailure(field: "requested", "invalid.not_negative")
        }
        let minors = requestedMinors ?? 0
        guard count.contains(minors), minors <= requested else {
            throw ValidationFailure(field: "requestedMinors", "settlement.invalid.minors")
        }
        if let d = decided, !count.contains(d) {
            throw ValidationFailure(field: "decided", "invalid.not_negative")
        }
        let requestDay = try Validate.optionalDate(requestDate, "requestDate")
        let decisionDay = try Validate.optionalDate(decisionDate, "decisionDate")
        if decisionDay != nil && decided == nil {
            throw ValidationFailure(field: "decided", "settlement.invalid.decided_required")
        }
        return Valid(
            municipality: m, year: year, requested: requested, requestedMinors: minors, requestDate: requestDay,
            decided: decided, decidedMinors: decidedMinors, decisionDate: decisionDay,
            decisionReference: try Validate.text(decisionReference, "decisionReference", max: 100, required: false),
            note: try Validate.text(note, "note", max: 1000, required: false, multiline: true))
    }
}

package struct SettlementYearDTO: Content {
    /// Counts of persons, each null when suppressed by the one rule for figures about few persons
    /// (`SettlementFigures`), exactly as the overview page shows them.
    package struct Progress: Content {
        package var counted: Int?
        package var remaining: Int?
        package var familyReunified: Int?
        package var notByAgreement: Int?
        package var monthly: [Int?]
        package var monthlyFamilyReunified: [Int?]
    }
    package var id: UUID
    package var municipality: Kommunenummer
    package var year: Int
    package var requested: Int
    package var requestedMinors: Int
    package var requestDate: LocalDate?
    package var decided: Int?
    package var decidedMinors: Bool?
    package var decisionDate: LocalDate?
    package var decisionReference: String?
    package var note: String?
    package var progress: Progress

    package init(_ y: SettlementYear, _ p: SettlementProgress, rule: DisclosureControl) {
        let f = SettlementFigures(p, rule)
        id = y.id!
        municipality = y.$municipality.id
        year = y.year
        requested = y.requested
        requestedMinors = y.requestedMinors
        requestDate = y.requestDate
        decided = y.decided
        decidedMinors = y.decidedMinors
        decisionDate = y.decisionDate
        decisionReference = y.decisionReference
        note = y.note
        progress = .init(
            counted: f.counted.value, remaining: f.remaining?.value, familyReunified: f.familyReunified.value,
            notByAgreement: f.notByAgreement.value, monthly: f.monthly.map(\.value),
            monthlyFamilyReunified: f.monthlyFamily.map(\.value))
    }
}

/// Settlement years: numbers, not names, so reads are not audited as personal data; changes are.
package enum SettlementYearService {
    package static func list(_ ctx: ServiceContext, municipality: String? = nil) async throws -> [SettlementYear] {
        let codes = try await ctx.scope(where: .list, requested: municipality) { .settlementPlan(municipality: $0) }
        return try await SettlementYear.query(on: ctx.db).filter(\.$municipality.$id ~~ codes)
            .sort(\.$year, .descending).sort(\.$municipality.$id).all()
    }

    package static func find(_ ctx: ServiceContext, _ id: UUID?, for action: Action = .read) async throws
        -> SettlementYear
    {
        // The plan's numbers are not personal data: reads are not audited.
        try await ctx.guarded(
            action, recordType: "settlement_year", id: id, auditsRead: false,
            find: { try await SettlementYear.find($0, on: ctx.db) },
            resource: { .settlementPlan(municipality: $0.$municipality.id) }, municipality: { $0.$municipality.id })
    }

    package static func create(_ ctx: ServiceContext, _ input: SettlementYearInput) async throws -> SettlementYear {
        let v = try input.validated()
        try await ctx.authorize(.create, .settlementPlan(municipality: v.municipality))
        try await ensureUnique(ctx, v, except: nil)
        let y = SettlementYear()
        v.apply(to: y)
        try await y.create(on: ctx.db)
        try await ctx.audit(
            "create", recordType: "settlement_year", recordID: y.id?.uuidString, municipality: v.municipality)
        return y
    }

    package static func update(_ ctx: ServiceContext, _ id: UUID?, _ input: SettlementYearInput) async throws
        -> SettlementYear
    {
        let y = try await find(ctx, id, for: .update)
        let v = try input.validated()
        guard v.municipality == y.$municipality.id else {
            throw ValidationFailure(field: "municipality", "invalid.move_municipality")
        }
        try await ensureUnique(ctx, v, except: y.id)
        v.apply(to: y)
        try await y.update(on: ctx.db)
        try await ctx.audit(
            "update", recordType: "settlement_year", recordID: y.id?.uuidString, municipality: v.municipality)
        return y
    }

    package static func delete(_ ctx: ServiceContext, _ id: UUID?) async throws {
        let y = try await find(ctx, id, for: .delete)
        try await y.delete(on: ctx.db)
        try await ctx.audit(
            "delete", recordType: "settlement_year", recordID: id?.uuidString, municipality: y.$municipality.id)
    }

    package static func ensureUnique(_ ctx: ServiceContext, _ v: SettlementYearInput.Valid, except: UUID?) async throws
    {
        let q = SettlementYear.query(on: ctx.db).filter(\.$municipality.$id == v.municipality).filter(
            \.$year == v.year)
        if let except { q.filter(\.$id != except) }
        if try await q.first() != nil {
            throw APIError(
                .conflict, "conflict", "the settlement year \(v.year) is already registered for \(v.municipality)")
        }
    }

    /// Counts the year's settlements from the person files (aggregates only: no names leave this function).
    package static func progress(_ ctx: ServiceContext, _ y: SettlementYear) async throws -> SettlementProgress {
        struct Row: Decodable {
            var month: String
            var agreement: Int
            var family: Int
            var n: Int
        }
        // One aggregate query over the year's settlements (issue #12), not the files themselves.
        let sql = ctx.db as! any SQLDatabase
        let family = ResidenceGround.familyReunification.rawValue
        let rows = try await sql.raw(
            """
            SELECT substr(settlement_date, 6, 2) AS month,
            CASE WHEN settled_by_agreement THEN 1 ELSE 0 END AS agreement,
            CASE WHEN residence_ground = \(bind: family) THEN 1 ELSE 0 END AS family,
            COUNT(*) AS n
            FROM \(ident: Person.schema)
            WHERE municipality = \(bind: y.$municipality.id.value)
            AND settlement_date >= \(bind: "\(y.year)-01-01") AND settlement_date <= \(bind: "\(y.year)-12-31")
            GROUP BY 1, 2, 3
            """
        ).all(decoding: Row.self)
        return SettlementProgress(
            year: y.year, decided: y.decided,
            groups: rows.compactMap { r in
                Int(r.month).map {
                    .init(month: $0, byAgreement: r.agreement == 1, familyReunification: r.family == 1, count: r.n)
                }
            })
    }
}
