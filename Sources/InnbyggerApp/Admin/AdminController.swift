import Fluent
import Vapor

/// Users and role assignments, municipalities, service units and agreements.
struct AdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get("users", use: users)
        admin.post("users", use: createUser)
        admin.post("users", ":userID", "deactivate", use: deactivate)
        admin.get("tenancy", use: tenancy)
        admin.post("tenancy", "agreements", use: createAgreement)
    }

    typealias Option = PersonsController.Option

    struct UsersView: Encodable {
        struct Row: Encodable { var id: UUID; var username: String; var displayName: String; var active: Bool; var roles: [String] }
        var rows: [Row]; var roles: [Option]; var municipalities: [Option]; var units: [Option]
        var error: String?; var passwordHint: String
    }

    func usersView(_ req: Request, error: String? = nil) async throws -> View {
        let codes = try await req.municipalities(where: .list) { .userAdministration(municipality: $0) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let names = try await req.municipalityNames()
        let assignments = try await RoleAssignment.query(on: req.db).filter(\.$municipality.$id ~~ codes).with(\.$user).all()
        var byUser: [UUID: (User, [String])] = [:]
        for a in assignments {
            let label = req.t("role.\(a.role)") + " – " + (names[a.$municipality.id] ?? a.$municipality.id)
            byUser[a.$user.id, default: (a.user, [])].1.append(label)
        }
        let units = try await ServiceUnit.query(on: req.db).filter(\.$host.$id ~~ codes).sort(\.$name).all()
        let assignable = Role.allCases.filter { $0 != .systemAdmin || req.may(.update, .tenancy) }
        return try await req.page("Admin/users", titleKey: "users.title", UsersView(
            rows: byUser.values.sorted { $0.0.username < $1.0.username }.map {
                .init(id: $0.0.id!, username: $0.0.username, displayName: $0.0.displayName, active: $0.0.isActive, roles: $0.1.sorted())
            },
            roles: assignable.map { Option(value: $0.rawValue, label: "role.\($0.rawValue)", selected: false) },
            municipalities: codes.map { Option(value: $0, label: names[$0] ?? $0, selected: false) },
            units: units.map { Option(value: $0.id!.uuidString, label: "\($0.name) (\(names[$0.$host.id] ?? ""))", selected: false) },
            error: error, passwordHint: req.t("password.rules", String(PasswordPolicy().minimumLength))))
    }

    func users(req: Request) async throws -> View { try await usersView(req) }

    struct NewUser: Content {
        var username: String?; var displayName: String?; var password: String?; var role: String?; var municipality: String?; var unit: String?
    }

    func createUser(req: Request) async throws -> Response {
        let f = try req.content.decode(NewUser.self)
        let m = f.municipality ?? ""
        try await req.authorize(.create, .userAdministration(municipality: m))
        func fail(_ message: String) async throws -> Response {
            let res = try await usersView(req, error: message).encodeResponse(for: req)
            res.status = .badRequest
            return res
        }
        let username = (f.username ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard username.count >= 3, username.count <= 60,
              username.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) }) else {
            return try await fail(req.t("users.bad_username"))
        }
        let display = (f.displayName ?? "").trimmingCharacters(in: .whitespaces)
        guard !display.isEmpty, display.count <= 100 else { return try await fail(req.t("users.bad_display_name")) }
        guard let role = f.role.flatMap(Role.init(rawValue:)) else { return try await fail(req.t("users.bad_role")) }
        if role == .systemAdmin { try await req.authorize(.update, .tenancy) }
        let problems = PasswordPolicy().problems(password: f.password ?? "", username: username)
        guard problems.isEmpty else { return try await fail(problems.map { req.t($0.rawValue) }.joined(separator: " ")) }
        var unitID: UUID? = nil
        if let u = f.unit, !u.isEmpty {
            guard let id = UUID(uuidString: u), let unit = try await ServiceUnit.find(id, on: req.db), unit.$host.id == m else {
                return try await fail(req.t("users.bad_unit"))
            }
            unitID = unit.id
        }
        if try await User.query(on: req.db).filter(\.$username == username).first() != nil {
            return try await fail(req.t("users.taken"))
        }
        let user = User(username: username, displayName: display, passwordHash: try await req.password.async.hash(f.password ?? ""))
        let unit = unitID
        try await req.db.transaction { tx in
            try await user.create(on: tx)
            try await RoleAssignment(user: user.id!, role: role, municipality: m, unit: unit).create(on: tx)
        }
        try await req.audit("create", recordType: "user", recordID: user.id?.uuidString, municipality: m)
        return req.redirect(to: "/admin/users?notice=created")
    }

    func deactivate(req: Request) async throws -> Response {
        guard let id = req.parameters.get("userID", as: UUID.self), let user = try await User.find(id, on: req.db) else { throw Abort(.notFound) }
        let codes = try await RoleAssignment.query(on: req.db).filter(\.$user.$id == id).all().map { $0.$municipality.id }
        // May deactivate only users whose every role lies in municipalities the admin administers.
        for c in Set(codes) { try await req.authorize(.update, .userAdministration(municipality: c)) }
        guard id != req.currentUser?.id else { throw APIError(.badRequest, "self", "you cannot deactivate yourself") }
        user.isActive = false
        try await user.update(on: req.db)
        try await UserSession.query(on: req.db).filter(\.$user.$id == id).delete()
        try await req.audit("deactivate", recordType: "user", recordID: id.uuidString, municipality: codes.first)
        return req.redirect(to: "/admin/users?notice=saved")
    }

    struct TenancyView: Encodable {
        struct MunicipalityRow: Encodable { var code: String; var name: String; var county: String; var units: [String] }
        struct AgreementRow: Encodable { var unit: String; var host: String; var served: String; var from: String; var to: String?; var reference: String }
        var municipalities: [MunicipalityRow]; var agreements: [AgreementRow]; var canEdit: Bool
        var unitOptions: [Option]; var municipalityOptions: [Option]; var error: String?
    }

    func tenancyView(_ req: Request, error: String? = nil) async throws -> View {
        try await req.authorize(.read, .tenancy)
        let municipalities = try await req.allMunicipalities()
        let names = Dictionary(uniqueKeysWithValues: municipalities.map { ($0.id!, $0.name) })
        let units = try await ServiceUnit.query(on: req.db).sort(\.$name).all()
        let agreements = try await ServiceAgreement.query(on: req.db).with(\.$unit).all()
        return try await req.page("Admin/tenancy", titleKey: "tenancy.title", TenancyView(
            municipalities: municipalities.map { m in
                .init(code: m.id!, name: m.name, county: m.county, units: units.filter { $0.$host.id == m.id }.map(\.name))
            },
            agreements: agreements.map {
                .init(unit: $0.unit.name, host: names[$0.unit.$host.id] ?? "", served: names[$0.$served.id] ?? $0.$served.id,
                      from: $0.validFrom, to: $0.validTo, reference: $0.reference)
            },
            canEdit: req.may(.update, .tenancy),
            unitOptions: units.map { Option(value: $0.id!.uuidString, label: "\($0.name) (\(names[$0.$host.id] ?? ""))", selected: false) },
            municipalityOptions: municipalities.map { Option(value: $0.id!, label: $0.name, selected: false) }, error: error))
    }

    func tenancy(req: Request) async throws -> View { try await tenancyView(req) }

    struct NewAgreement: Content { var unit: String?; var served: String?; var validFrom: String?; var reference: String? }

    func createAgreement(req: Request) async throws -> Response {
        try await req.authorize(.update, .tenancy)
        let f = try req.content.decode(NewAgreement.self)
        func fail(_ m: String) async throws -> Response {
            let res = try await tenancyView(req, error: m).encodeResponse(for: req); res.status = .badRequest; return res
        }
        guard let uid = f.unit.flatMap(UUID.init(uuidString:)), let unit = try await ServiceUnit.find(uid, on: req.db) else { return try await fail(req.t("tenancy.bad_unit")) }
        guard let served = f.served, try await Municipality.find(served, on: req.db) != nil, served != unit.$host.id else { return try await fail(req.t("tenancy.bad_served")) }
        guard let from = f.validFrom.flatMap(LocalDate.init(parsing:)) else { return try await fail(req.t("tenancy.bad_date")) }
        let ref = (f.reference ?? "").trimmingCharacters(in: .whitespaces)
        guard !ref.isEmpty, ref.count <= 200 else { return try await fail(req.t("tenancy.bad_reference")) }
        if try await ServiceAgreement.query(on: req.db).filter(\.$unit.$id == uid).filter(\.$served.$id == served).first() != nil {
            return try await fail(req.t("tenancy.exists"))
        }
        try await ServiceAgreement(unit: uid, served: served, validFrom: from, reference: ref).create(on: req.db)
        try await req.audit("create", recordType: "service_agreement", recordID: nil, municipality: served)
        return req.redirect(to: "/admin/tenancy?notice=created")
    }
}
