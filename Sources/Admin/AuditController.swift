import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The audit page for administrators: filter by user, record, municipality and period.
package struct AuditController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let audit = routes.grouped("admin", "audit")
        audit.get(use: list)
        audit.post("verify", use: verify)
        Export.routes(routes, ["admin"], last: "audit") { req, format in try await Self.export(req, format) }
    }

    package struct Filter: Content {
        package var user: String?
        package var record: String?
        package var municipality: String?
        package var from: String?
        package var to: String?
        package var page: Int?
        /// The pager's keyset links and rows a page (`PageWindow`).
        package var after: String?
        package var before: String?
        package var limit: Int?

        /// The filter as the pager's base address.
        var base: String {
            let parts = [
                ("user", user), ("record", record), ("municipality", municipality), ("from", from), ("to", to),
            ]
            return "/admin/audit?"
                + parts.compactMap { name, value in
                    guard let v = value, !v.isEmpty else { return nil }
                    return "\(name)=\(v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&"
                }.joined()
        }
    }

    package struct AuditView: Encodable {
        package struct Row: Encodable {
            package var seq: Int
            package var at: String
            package var user: String
            package var municipality: String
            package var action: String
            package var recordType: String
            package var recordID: String
            package var route: String
        }
        package var rows: [Row]
        package var filter: Filter
        package var municipalities: [Choice]
        package var pager: Pager
        package var verifyResult: String?
        package var verifyOK: Bool
    }

    /// Newest first. Every read appends to the log, so a page by number would shift while someone reads it.
    static let order = Keyset([.init("\"\(AuditEntry.schema)\".\"seq\"", ascending: false)])

    /// The entries the filter asks for, among those of the municipalities the user may read the log of.
    static func filtered(_ req: Request, _ f: Filter, _ codes: [Kommunenummer]) async throws -> QueryBuilder<AuditEntry>
    {
        let q = AuditEntry.query(on: req.store)
        // A system administrator also sees entries without a municipality (logins, tokens).
        let requested = try f.municipality.flatMap { $0.isEmpty ? nil : try Validate.municipality($0) }
        if req.may(.update, .tenancy) {
            if let m = requested { q.filter(\.$municipality == m) }
        } else {
            if let m = requested {
                guard codes.contains(m) else { throw Abort(.forbidden, reason: "access denied") }
                q.filter(\.$municipality == m)
            } else {
                q.filter(\.$municipality ~~ codes)
            }
        }
        if let u = f.user?.trimmingCharacters(in: .whitespaces).lowercased(), !u.isEmpty {
            let ids = try await User.query(on: req.store).filter(\.$username == u).all().compactMap {
                $0.id?.uuidString
            }
            q.filter(\.$userID ~~ ids)
        }
        if let r = f.record?.trimmingCharacters(in: .whitespaces), !r.isEmpty {
            // A list read names every id it showed, separated by spaces: a record is found there too.
            let pattern = "%\(Search.escapeLike(r))%"
            q.group(.or) {
                $0.filter(\.$recordID == r).filter(
                    Search.like("record_id", in: AuditEntry.schema, pattern, on: req.store))
            }
        }
        if let s = f.from, !s.isEmpty {
            guard let d = LocalDate(parsing: s) else {
                throw ValidationFailure(field: "from", "invalid.date")
            }
            q.filter(\.$atMillis >= Oslo.startMillis(d))
        }
        if let s = f.to, !s.isEmpty {
            guard let d = LocalDate(parsing: s) else {
                throw ValidationFailure(field: "to", "invalid.date")
            }
            q.filter(\.$atMillis < Oslo.startMillis(d.adding(days: 1)))
        }
        return q
    }

    static func codes(_ req: Request) async throws -> [Kommunenummer] {
        let codes = try await req.municipalities(where: .list) { .auditLog(municipality: $0) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        return codes
    }

    /// Usernames of the entries' users.
    static func usernames(_ req: Request, _ rows: [AuditEntry]) async throws -> [String: String] {
        let userIDs = Set(rows.compactMap { $0.userID.flatMap(UUID.init(uuidString:)) })
        guard !userIDs.isEmpty else { return [:] }
        return Dictionary(
            uniqueKeysWithValues:
                try await User.query(on: req.store).filter(\.$id ~~ Array(userIDs)).all().map {
                    ($0.id!.uuidString, $0.username)
                })
    }

    /// The most entries one export holds; a wider filter is refused with a message to narrow it.
    static let exportLimit = 50_000

    /// The filtered log, newest first, read 1 000 at a time by its keyset, as CSV or XLSX.
    static func export(_ req: Request, _ format: Export.Format) async throws -> Response {
        let codes = try await codes(req)
        let f = try req.query.decode(Filter.self)
        let names = try await req.municipalityNames()
        var rows: [[XLSX.Cell]] = []
        try await PageWindow.forEachBatch(cursor: { Cursor([.number($0.id!)]) }) {
            try await $0.rows(try await filtered(req, f, codes), Self.order)
        } each: { batch in
            let users = try await usernames(req, batch)
            rows += batch.map {
                [
                    .number($0.id!),
                    .text(Oslo.stamp(Date(timeIntervalSince1970: Double($0.atMillis) / 1000), seconds: true)),
                    .text($0.userID.flatMap { users[$0] } ?? ""),
                    .text($0.municipality.flatMap { names[$0] } ?? ""), .text($0.action), .text($0.recordType),
                    .text($0.recordID ?? ""), .text($0.route),
                ]
            }
            guard rows.count <= exportLimit else {
                throw ValidationFailure(field: "from", "audit.export_too_many", String(exportLimit))
            }
        }
        for m in codes { try await req.audit("export", recordType: "audit_log", recordID: nil, municipality: m) }
        return try Export.response(
            format, name: "logg-\(LocalDate.today.iso)", sheet: "Logg",
            header: ["seq", "at", "user", "municipality", "action", "record_type", "record_id", "route"], rows: rows)
    }

    package func render(_ req: Request, verifyResult: String? = nil, verifyOK: Bool = true) async throws -> View {
        let codes = try await Self.codes(req)
        let f = try req.query.decode(Filter.self)
        let window = try PageWindow(page: f.page, after: f.after, before: f.before, limit: f.limit)
        let q = try await Self.filtered(req, f, codes)
        // Not counted: the log is the largest table there is, and the page needs only whether another follows.
        let (rows, pager) = window.settle(
            try await window.rows(q, Self.order),
            total: nil, base: f.base
        ) { Cursor([.number($0.id!)]) }
        let users = try await Self.usernames(req, rows)
        let names = try await req.municipalityNames()
        return try await req.page(
            "Admin/audit", titleKey: "audit.title",
            AuditView(
                rows: rows.map {
                    .init(
                        seq: $0.id!,
                        at: Oslo.stamp(Date(timeIntervalSince1970: Double($0.atMillis) / 1000), seconds: true),
                        user: $0.userID.flatMap { users[$0] } ?? "–",
                        municipality: $0.municipality.flatMap { names[$0] } ?? "–",
                        action: $0.action, recordType: $0.recordType, recordID: $0.recordID ?? "", route: $0.route)
                },
                filter: f,
                municipalities: Choice.municipalities(codes, names: names, selected: f.municipality),
                pager: pager, verifyResult: verifyResult, verifyOK: verifyOK))
    }

    package func list(req: Request) async throws -> View { try await render(req) }

    package func verify(req: Request) async throws -> View {
        let codes = try await req.municipalities(where: .list) { .auditLog(municipality: $0) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let (checked, problem) = try await req.application.auditLog.verify(on: req.store)
        if let problem {
            return try await render(req, verifyResult: req.t("audit.broken", String(problem.sequence)), verifyOK: false)
        }
        return try await render(req, verifyResult: req.t("audit.intact", NorwegianFormat.grouped(checked)))
    }
}
