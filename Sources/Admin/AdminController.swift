import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// Users and role assignments, municipalities, service units and agreements.
package struct AdminController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get("users", use: users)
        admin.gated(.create, .userAdministration).post("users", use: createUser)
        admin.gated(.update, .userAdministration).post("users", ":userID", "deactivate", use: deactivate)
        admin.gated(.update, .userAdministration).post("users", ":userID", "reactivate", use: reactivate)
        admin.get("approvals", use: approvals)
        admin.gated(.update, .roleApproval).post("approvals", ":assignmentID", "approve", use: approve)
        admin.gated(.update, .roleApproval).post("approvals", ":assignmentID", "reject", use: reject)
        admin.get("tenancy", use: tenancy)
        admin.get("parameters", use: parameters)
        admin.gated(.update, .tenancy).post("tenancy", "agreements", use: createAgreement)
        admin.gated(.update, .tenancy).post("tenancy", "municipalities", use: createMunicipality)
        admin.gated(.update, .tenancy).post("tenancy", "units", use: createUnit)
        admin.get("tenancy", "agreements", ":agreementID", "end", use: endAgreementForm)
        admin.gated(.update, .tenancy).post("tenancy", "agreements", ":agreementID", "end", use: endAgreement)
    }

    package struct UsersView: Encodable {
        package struct Row: Encodable {
            var id: UUID
            var username: String
            var displayName: String
            var active: Bool
            var roles: [String]
        }
        package var rows: [Row]
        package var pager: Pager
        package var roles: [Choice]
        package var municipalities: [Choice]
        package var units: [Choice]
        package var error: String?
        /// The field the message is about (shown next to it).
        package var errorField: String?
        package var passwordHint: String
    }

    package func usersView(_ req: Request, error: String? = nil, field: String? = nil) async throws -> View {
        let codes = try await req.municipalities(where: .list) { .userAdministration(municipality: $0) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let names = try await req.municipalityNames()
        let seesSystem = req.may(.update, .tenancy)
        // The users with a role in the municipalities, 50 a page by username (keyset, issue #12). System roles are not
        // scoped to a municipality: only system administrators see (and change) their holders.
        let q = try req.query.decode(UserPage.self)
        let window = try PageWindow(page: q.page, after: q.after, before: q.before, limit: q.limit)
        let (u, a) = (User.schema, RoleAssignment.schema)
        let own: SQLQueryString = "r.user_id = \(ident: u).id"
        var condition: SQLQueryString =
            "EXISTS (SELECT 1 FROM \(ident: a) r WHERE " + own
            + " AND r.municipality IN (\(binds: codes.map(\.value))))"
        if !seesSystem {
            let system = Role.systemAdmin.rawValue
            condition += " AND NOT EXISTS (SELECT 1 FROM \(ident: a) r WHERE " + own + " AND r.role = \(bind: system))"
        }
        let listed = User.query(on: req.store).filter(.sql(embed: condition))
        let total = try await listed.count()
        let (pageUsers, pager) = window.settle(
            try await window.rows(listed, Self.userOrder), total: total, base: "/admin/users?"
        ) { Cursor([.text($0.username), .id($0.id!)]) }
        let ids = pageUsers.compactMap(\.id)
        let assignments =
            ids.isEmpty
            ? [] : try await RoleAssignment.query(on: req.store).filter(\.$user.$id ~~ ids).all()
        var byUser: [UUID: [String]] = [:]
        for a in assignments where seesSystem || !a.isSystemRole {
            guard a.isSystemRole || codes.contains(a.$municipality.id) else { continue }
            var label = req.t(a.role.labelKey)
            if !a.isSystemRole { label += " – " + (names[a.$municipality.id] ?? a.$municipality.id.value) }
            if a.pending { label += " (" + req.t("users.pending") + ")" }
            byUser[a.$user.id, default: []].append(label)
        }
        let units = try await ServiceUnit.query(on: req.store).filter(\.$host.$id ~~ codes).sort(\.$name).all()
        let assignable = Role.allCases.filter { $0 != .systemAdmin || req.may(.update, .tenancy) }
        return try await req.page(
            "Admin/users", titleKey: "users.title",
            UsersView(
                rows: pageUsers.map {
                    .init(
                        id: $0.id!, username: $0.username, displayName: $0.displayName, active: $0.isActive,
                        roles: (byUser[$0.id!] ?? []).sorted())
                }, pager: pager,
                roles: assignable.map { Choice(value: $0.rawValue, label: $0.labelKey, selected: false) },
                municipalities: Choice.municipalities(codes, names: names),
                units: units.map {
                    Choice(value: $0.id!.uuidString, label: "\($0.name) (\(names[$0.$host.id] ?? ""))", selected: false)
                },
                error: error, errorField: field,
                passwordHint: req.t("password.rules", String(PasswordPolicy().minimumLength))))
    }

    package func users(req: Request) async throws -> View { try await usersView(req) }

    struct UserPage: Content {
        var page: Int?
        var after: String?
        var before: String?
        var limit: Int?
    }

    /// The user list's order: by username, the id last.
    static let userOrder = Keyset([
        .init("\"\(User.schema)\".\"username\""), .init("\"\(User.schema)\".\"id\""),
    ])

    package struct NewUser: Content {
        package var username: String?
        package var displayName: String?
        package var password: String?
        package var role: String?
        package var municipality: String?
        package var unit: String?
    }

    package func createUser(req: Request) async throws -> Response {
        let f = try req.content.decode(NewUser.self)
        func fail(_ message: String, _ field: String) async throws -> Response {
            return try await usersView(req, error: message, field: field).reshown(req)
        }
        // A number no one may administer is refused like any other outside the user's reach; only the system
        // administrator, who reaches every municipality, is told that it does not exist.
        guard let m = f.municipality.flatMap(Kommunenummer.init(_:)) else {
            try await req.authorize(.update, .tenancy)
            return try await fail(req.t("users.bad_municipality"), "municipality")
        }
        try await req.authorize(.create, .userAdministration(municipality: m))
        guard try await Municipality.find(m, on: req.store) != nil else {
            return try await fail(req.t("users.bad_municipality"), "municipality")
        }
        let username = (f.username ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard username.count >= 3, username.count <= 60,
            username.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) })
        else {
            return try await fail(req.t("users.bad_username"), "username")
        }
        guard let display = try? Validate.required(f.displayName, "displayName", max: 100) else {
            return try await fail(req.t("users.bad_display_name"), "displayName")
        }
        guard let role = f.role.flatMap(Role.init(rawValue:)) else {
            return try await fail(req.t("users.bad_role"), "role")
        }
        if role == .systemAdmin { try await req.authorize(.update, .tenancy) }
        let problems = req.application.passwordPolicy.problems(
            password: f.password ?? "", username: username, names: display.split(separator: " ").map(String.init))
        guard problems.isEmpty else {
            return try await fail(problems.map { req.t($0.rawValue) }.joined(separator: " "), "password")
        }
        var unitID: UUID? = nil
        if let u = f.unit, !u.isEmpty {
            guard let id = UUID(uuidString: u), let unit = try await ServiceUnit.find(id, on: req.store),
                unit.$host.id == m
            else {
                return try await fail(req.t("users.bad_unit"), "unit")
            }
            unitID = unit.id
        }
        if try await User.query(on: req.store).filter(\.$username == username).first() != nil {
            return try await fail(req.t("users.taken"), "username")
        }
        let user = User(
            username: username, displayName: display, passwordHash: try await req.password.async.hash(f.password ?? ""))
        // A role that opens person files or approves such roles takes effect only when a second person approves it.
        let pending = role.needsApproval
        try await user.create(on: req.store)
        let assignment = RoleAssignment(
            user: user.id!, role: role, municipality: m, unit: unitID, pending: pending,
            requestedBy: req.currentUser?.id)
        try await assignment.create(on: req.store)
        try await req.audit("create", recordType: "user", recordID: user.id?.uuidString, municipality: m)
        if pending {
            try await req.audit(
                "role_requested", recordType: "role_assignment", recordID: assignment.id?.uuidString, municipality: m)
        }
        return req.redirect(to: "/admin/users?notice=\(pending ? "pending" : "created")")
    }

    /// Who may change a user's status: a system administrator is changed only by a system administrator; anyone else
    /// by an administrator of every municipality where the user holds a role.
    package func authorizeStatusChange(_ req: Request, _ id: UUID) async throws -> [RoleAssignment] {
        let assignments = try await RoleAssignment.query(on: req.store).filter(\.$user.$id == id).all()
        if assignments.contains(where: \.isSystemRole) {
            try await req.authorize(.update, .tenancy)
        }
        for a in assignments where !a.isSystemRole {
            try await req.authorize(.update, .userAdministration(municipality: a.$municipality.id))
        }
        if assignments.isEmpty { try await req.authorize(.update, .tenancy) }
        return assignments
    }

    package func deactivate(req: Request) async throws -> Response {
        let id = try req.pathID("userID")
        guard let user = try await User.find(id, on: req.store)
        else { throw Abort(.notFound) }
        let assignments = try await authorizeStatusChange(req, id)
        guard id != req.currentUser?.id else { throw APIError(.badRequest, "self", "you cannot deactivate yourself") }
        if assignments.contains(where: \.isSystemRole) {
            let others = try await RoleAssignment.query(on: req.store).join(
                User.self, on: \RoleAssignment.$user.$id == \User.$id
            )
            .filter(\.$role == Role.systemAdmin).filter(\.$pending == false)
            .filter(User.self, \.$isActive == true).filter(User.self, \.$id != id).count()
            guard others > 0 else {
                throw APIError(
                    .conflict, "last_system_admin", "the last active system administrator cannot be deactivated")
            }
        }
        user.isActive = false
        try await user.update(on: req.store)
        try await UserSession.query(on: req.store).filter(\.$user.$id == id).delete()
        try await TokenIssuer.revokeAll(for: id, on: req.store)
        try await req.audit(
            "deactivate", recordType: "user", recordID: id.uuidString, municipality: assignments.first?.$municipality.id
        )
        return req.redirect(to: "/admin/users?notice=saved")
    }

    package func reactivate(req: Request) async throws -> Response {
        let id = try req.pathID("userID")
        guard let user = try await User.find(id, on: req.store)
        else { throw Abort(.notFound) }
        let assignments = try await authorizeStatusChange(req, id)
        user.isActive = true
        try await user.update(on: req.store)
        try await req.audit(
            "reactivate", recordType: "user", recordID: id.uuidString, municipality: assignments.first?.$municipality.id
        )
        return req.redirect(to: "/admin/users?notice=saved")
    }

    package struct ApprovalsView: Encodable {
        package struct Row: Encodable {
            package var id: UUID
            package var username: String
            package var displayName: String
            package var role: String
            package var municipality: String
            package var requestedBy: String
            package var own: Bool
        }
        package var rows: [Row]
    }

    /// Roles that read personal data, waiting for the second person: the municipality's leader or a system
    /// administrator.
    package func approvals(req: Request) async throws -> View {
        let codes = try await req.municipalities(where: .update) { .roleApproval(municipality: $0) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let names = try await req.municipalityNames()
        let pending = try await RoleAssignment.query(on: req.store).filter(\.$pending == true)
            .filter(\.$municipality.$id ~~ codes).with(\.$user).all()
        let requesterIDs = Array(Set(pending.compactMap(\.requestedBy)))
        let requesters =
            requesterIDs.isEmpty
            ? [:]
            : Dictionary(
                uniqueKeysWithValues:
                    try await User.query(on: req.store).filter(\.$id ~~ requesterIDs).all().map {
                        ($0.id!, $0.username)
                    })
        return try await req.page(
            "Admin/approvals", titleKey: "approvals.title",
            ApprovalsView(
                rows: pending.map {
                    .init(
                        id: $0.id!, username: $0.user.username, displayName: $0.user.displayName,
                        role: $0.role.labelKey,
                        municipality: names[$0.$municipality.id] ?? $0.$municipality.id.value,
                        requestedBy: $0.requestedBy.flatMap { requesters[$0] } ?? "–",
                        own: $0.requestedBy == req.currentUser?.id)
                }))
    }

    package func pendingAssignment(_ req: Request) async throws -> RoleAssignment {
        let id = try req.pathID("assignmentID")
        guard let a = try await RoleAssignment.find(id, on: req.store), a.pending
        else { throw Abort(.notFound) }
        try await req.authorize(.update, .roleApproval(municipality: a.$municipality.id))
        // Four eyes: whoever asked for the grant cannot be the one who approves it …
        let approver = req.currentUser?.id
        guard a.requestedBy != approver else {
            throw APIError(
                .forbidden, "same_person", "a grant is approved by someone other than the person who asked for it")
        }
        // … nor someone whose own roles the requester asked for or approved: the second pair of eyes must not be the
        // requester's own making (issue #30: an administrator made a leader, and as it approved its case workers).
        if let requester = a.requestedBy, let approver {
            let mine = try await RoleAssignment.query(on: req.store).filter(\.$user.$id == approver).all()
            if mine.contains(where: { $0.requestedBy == requester || $0.approvedBy == requester }) {
                throw APIError(
                    .forbidden, "requester_made_approver",
                    "a grant is approved by someone whose own roles the person who asked for it did not give")
            }
        }
        return a
    }

    package func approve(req: Request) async throws -> Response {
        let a = try await pendingAssignment(req)
        a.pending = false
        a.approvedBy = req.currentUser?.id
        a.approvedAt = Date()
        try await a.update(on: req.store)
        try await req.audit(
            "role_approved", recordType: "role_assignment", recordID: a.id?.uuidString, municipality: a.$municipality.id
        )
        return req.redirect(to: "/admin/approvals?notice=saved")
    }

    package func reject(req: Request) async throws -> Response {
        let a = try await pendingAssignment(req)
        try await a.delete(on: req.store)
        try await req.audit(
            "role_rejected", recordType: "role_assignment", recordID: a.id?.uuidString, municipality: a.$municipality.id
        )
        return req.redirect(to: "/admin/approvals?notice=saved")
    }

    package struct TenancyView: Encodable {
        package struct MunicipalityRow: Encodable {
            var code: String
            var name: String
            var county: String
            var units: [String]
        }
        package struct AgreementRow: Encodable {
            var id: UUID
            var active: Bool
            var unit: String
            var host: String
            var served: String
            var from: String
            var to: String?
            var reference: String
        }
        package var municipalities: [MunicipalityRow]
        package var agreements: [AgreementRow]
        package var canEdit: Bool
        package var unitOptions: [Choice]
        package var municipalityOptions: [Choice]
        /// Norway's municipalities not yet in the service (`Resources/Reference/municipalities.json`).
        package var newMunicipalities: [Choice]
        package var listValidFrom: String?
        package var sectors: [Choice]
        package var error: String?
        package var errorField: String?
    }

    package func tenancyView(_ req: Request, error: String? = nil, field: String? = nil) async throws -> View {
        try await req.authorize(.read, .tenancy)
        let municipalities = try await req.allMunicipalities()
        let names = Dictionary(uniqueKeysWithValues: municipalities.map { ($0.id!, $0.name) })
        let units = try await ServiceUnit.query(on: req.store).sort(\.$name).all()
        let agreements = try await ServiceAgreement.query(on: req.store).with(\.$unit).all()
        return try await req.page(
            "Admin/tenancy", titleKey: "tenancy.title",
            TenancyView(
                municipalities: municipalities.map { m in
                    .init(
                        code: m.id!.value, name: m.name, county: m.county,
                        units: units.filter { $0.$host.id == m.id }.map(\.name))
                },
                agreements: agreements.map {
                    .init(
                        id: $0.id!, active: $0.isActive(on: .today), unit: $0.unit.name,
                        host: names[$0.unit.$host.id] ?? "",
                        served: names[$0.$served.id] ?? $0.$served.id.value,
                        from: $0.validFrom.iso, to: $0.validTo?.iso, reference: $0.reference)
                },
                canEdit: req.may(.update, .tenancy),
                unitOptions: units.map {
                    Choice(value: $0.id!.uuidString, label: "\($0.name) (\(names[$0.$host.id] ?? ""))", selected: false)
                },
                municipalityOptions: municipalities.map {
                    Choice(value: $0.id!.value, label: $0.name, selected: false)
                },
                newMunicipalities: req.application.referenceNames.municipalities.filter { names[$0.key] == nil }
                    .sorted { $0.key < $1.key }.map {
                        Choice(value: $0.key.value, label: "\($0.key.value) \($0.value)", selected: false)
                    },
                listValidFrom: req.application.referenceNames.municipalitiesValidFrom?.norwegian,
                sectors: Sector.allCases.map { Choice(value: $0.rawValue, label: $0.labelKey, selected: false) },
                error: error, errorField: field))
    }

    package func tenancy(req: Request) async throws -> View { try await tenancyView(req) }

    package struct ParametersView: Encodable {
        package var tables: [ParameterTable]
        package var needing: Int
    }

    /// Every dated parameter table with its newest entry and source; those needing a new entry first.
    package func parameters(req: Request) async throws -> View {
        try await req.authorize(.read, .tenancy)
        var tables = try ParameterTables.all(resources: req.application.directory.resourcesDirectory)
        let warnings = req.application.features.flatMap { $0.parameterWarnings(req) }
        for i in tables.indices {
            tables[i].warning = warnings.first { $0.file == tables[i].file && $0.path == tables[i].path }?.message
        }
        tables.sort { ($0.warning == nil ? 1 : 0, $0.file, $0.path) < ($1.warning == nil ? 1 : 0, $1.file, $1.path) }
        return try await req.page(
            "Admin/parameters", titleKey: "parameters.title",
            ParametersView(tables: tables, needing: tables.filter { $0.warning != nil }.count))
    }

    package struct NewAgreement: Content {
        var unit: String?
        var served: String?
        var validFrom: String?
        var validTo: String?
        var reference: String?
    }

    /// Adds a municipality to the service: its number must be in Norway's list, which gives its name and county.
    package func createMunicipality(req: Request) async throws -> Response {
        try await req.authorize(.update, .tenancy)
        let code = (try? req.content.get(String.self, at: "code")).flatMap(Kommunenummer.init(_:))
        let names = req.application.referenceNames
        guard let code, let name = names.municipalities[code] else {
            return try await tenancyView(req, error: req.t("tenancy.not_in_list"), field: "code").reshown(req)
        }
        guard try await Municipality.find(code, on: req.store) == nil else {
            return try await tenancyView(req, error: req.t("tenancy.municipality_exists"), field: "code").reshown(req)
        }
        try await Municipality(code: code, name: name, county: names.counties[String(code.value.prefix(2))] ?? "")
            .create(on: req.store)
        try await req.audit("create", recordType: "municipality", recordID: code.value, municipality: code)
        return req.redirect(to: "/admin/tenancy?notice=created")
    }

    /// Adds a service unit (the integration service, a health station …) hosted by a municipality of the service.
    package func createUnit(req: Request) async throws -> Response {
        try await req.authorize(.update, .tenancy)
        struct Form: Content {
            var name: String?
            var sector: String?
            var host: String?
        }
        let f = try req.content.decode(Form.self)
        guard let name = try? Validate.required(f.name, "name", max: 200) else {
            return try await tenancyView(req, error: req.t("tenancy.bad_unit_name"), field: "unit-name").reshown(req)
        }
        guard let sector = f.sector.flatMap(Sector.init(rawValue:)) else {
            return try await tenancyView(req, error: req.t("tenancy.bad_sector"), field: "unit-sector").reshown(req)
        }
        guard let host = f.host.flatMap(Kommunenummer.init(_:)), try await Municipality.find(host, on: req.store) != nil
        else { return try await tenancyView(req, error: req.t("tenancy.bad_served"), field: "unit-host").reshown(req) }
        let unit = ServiceUnit(name: name, sector: sector, host: host)
        try await unit.create(on: req.store)
        try await req.audit("create", recordType: "service_unit", recordID: unit.id?.uuidString, municipality: host)
        return req.redirect(to: "/admin/tenancy?notice=created")
    }

    /// Names the unit and the municipality that lose the agreement before it ends.
    package func endAgreementForm(req: Request) async throws -> View {
        try await req.authorize(.update, .tenancy)
        guard
            let a = try await ServiceAgreement.query(on: req.store).filter(\.$id == req.pathID("agreementID"))
                .with(\.$unit).first(), a.isActive(on: .today) || (a.validTo ?? .today) >= .today
        else { throw Abort(.notFound) }
        let names = try await req.municipalityNames()
        return try await req.confirmation(
            titleKey: "tenancy.end_title",
            Confirmation(
                subject: req.text("tenancy.end_subject", [a.unit.name, names[a.$served.id] ?? a.$served.id.value]),
                lead: req.text("tenancy.end_lead", [names[a.$served.id] ?? a.$served.id.value]),
                action: "/admin/tenancy/agreements/\(a.id!)/end", confirm: req.text("tenancy.end"),
                cancel: "/admin/tenancy"))
    }

    /// Ends an agreement at once: from today the unit's staff no longer reach the served municipality.
    package func endAgreement(req: Request) async throws -> Response {
        try await req.authorize(.update, .tenancy)
        guard let a = try await ServiceAgreement.find(try req.pathID("agreementID"), on: req.store) else {
            throw Abort(.notFound)
        }
        let yesterday = LocalDate.today.adding(days: -1)
        a.validTo = min(a.validTo ?? yesterday, yesterday)
        try await a.update(on: req.store)
        try await req.audit(
            "end", recordType: "service_agreement", recordID: a.id?.uuidString, municipality: a.$served.id)
        return req.redirect(to: "/admin/tenancy?notice=saved")
    }

    package func createAgreement(req: Request) async throws -> Response {
        try await req.authorize(.update, .tenancy)
        let f = try req.content.decode(NewAgreement.self)
        func fail(_ m: String, _ field: String) async throws -> Response {
            return try await tenancyView(req, error: m, field: field).reshown(req)
        }
        guard let uid = f.unit.flatMap(UUID.init(uuidString:)),
            let unit = try await ServiceUnit.find(uid, on: req.store)
        else { return try await fail(req.t("tenancy.bad_unit"), "unit") }
        guard let served = f.served.flatMap(Kommunenummer.init(_:)),
            try await Municipality.find(served, on: req.store) != nil,
            served != unit.$host.id
        else { return try await fail(req.t("tenancy.bad_served"), "served") }
        guard let from = f.validFrom.flatMap(LocalDate.init(parsing:)) else {
            return try await fail(req.t("tenancy.bad_date"), "validFrom")
        }
        var to: LocalDate? = nil
        if let t = f.validTo, !t.isEmpty {
            guard let d = LocalDate(parsing: t), d >= from else {
                return try await fail(req.t("tenancy.bad_end"), "validTo")
            }
            to = d
        }
        guard let ref = try? Validate.required(f.reference, "reference", max: 200) else {
            return try await fail(req.t("tenancy.bad_reference"), "reference")
        }
        if try await ServiceAgreement.query(on: req.store).filter(\.$unit.$id == uid).filter(\.$served.$id == served)
            .first() != nil
        {
            return try await fail(req.t("tenancy.exists"), "served")
        }
        try await ServiceAgreement(unit: uid, served: served, validFrom: from, validTo: to, reference: ref)
            .create(on: req.store)
        try await req.audit("create", recordType: "service_agreement", recordID: nil, municipality: served)
        return req.redirect(to: "/admin/tenancy?notice=created")
    }
}
