import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The signed-in user's own account: roles, password, API tokens.
package struct AccountController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let account = routes.grouped("account")
        account.get(use: show)
        account.post("password", use: changePassword)
        account.post("tokens", use: createToken)
        account.post("tokens", ":tokenID", "revoke", use: revokeToken)
    }

    package struct AccountView: Encodable {
        package struct RoleRow: Encodable {
            var role: String
            var municipalities: String
        }
        package struct TokenRow: Encodable {
            var id: UUID
            var name: String
            var created: String
            var lastUsed: String?
        }
        package var username: String
        package var displayName: String
        package var roles: [RoleRow]
        package var tokens: [TokenRow]
        package var newToken: String?
        package var passwordErrors: [String]
    }

    package func view(
        _ req: Request, newToken: String? = nil, passwordErrors: [String] = [], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let user = try req.requireUser()
        try await req.authorize(.read, .ownAccount)
        let names = try await req.municipalityNames()
        let tokens = try await APIToken.query(on: req.store).filter(\.$user.$id == user.id).filter(\.$revokedAt == nil)
            .sort(\.$createdAt).all()
        let v = AccountView(
            username: user.username, displayName: user.displayName,
            roles: user.principal.grants.map { g in
                let scope: String
                switch g.scope {
                case .all: scope = req.t("account.all_municipalities")
                case .municipalities(let s): scope = s.sorted().map { names[$0] ?? $0.value }.joined(separator: ", ")
                }
                return .init(role: g.role.labelKey, municipalities: scope)
            },
            tokens: tokens.map {
                .init(
                    id: $0.id!, name: $0.name, created: Oslo.stamp($0.createdAt),
                    lastUsed: $0.lastUsedAt.map { Oslo.stamp($0) })
            },
            newToken: newToken, passwordErrors: passwordErrors)
        return try await req.page("Account/account", titleKey: "account.title", v).reshown(req, status: status)
    }

    package func show(req: Request) async throws -> Response { try await view(req) }

    package struct PasswordForm: Content {
        var current: String?
        var new: String?
        var repeatNew: String?
    }

    package func changePassword(req: Request) async throws -> Response {
        let me = try req.requireUser()
        try await req.authorize(.update, .ownAccount)
        let f = try req.content.decode(PasswordForm.self)
        guard let user = try await User.find(me.id, on: req.store) else { throw Abort(.unauthorized) }
        // Guessing the current password here is throttled as the login is, on the same failures of the username: each
        // try is counted before the check, so parallel guesses see the ones before them (issue #30).
        let settings = req.application.settings
        let now = Date()
        let attempt = LoginAttempt(
            username: user.username, succeeded: false, at: now, source: req.remoteAddress?.ipAddress ?? "unknown")
        try await req.write { tx in try await attempt.create(on: tx) }
        let failures = try await LoginAttempt.query(on: req.store).filter(\.$username == user.username)
            .filter(\.$succeeded == false).filter(\.$at > now.addingTimeInterval(-settings.loginWindow)).count()
        if failures > settings.loginMaxFailures {
            try await req.write { tx in try await attempt.delete(on: tx) }
            let minutes = String(Int(settings.loginWindow / 60))
            return try await view(req, passwordErrors: [req.t("login.throttled", minutes)], status: .tooManyRequests)
        }
        guard (try? await req.password.async.verify(f.current ?? "", created: user.passwordHash)) == true else {
            try await req.audit(
                "password_change_failed", recordType: "user", recordID: me.id.uuidString, municipality: nil)
            return try await view(req, passwordErrors: [req.t("password.wrong_current")], status: .badRequest)
        }
        try await req.write { tx in
            attempt.succeeded = true
            try await attempt.update(on: tx)
        }
        let new = f.new ?? ""
        var problems = req.application.passwordPolicy.problems(
            password: new, username: user.username, names: user.displayName.split(separator: " ").map(String.init)
        ).map { req.t($0.rawValue) }
        if new != f.repeatNew { problems.append(req.t("password.mismatch")) }
        guard problems.isEmpty else { return try await view(req, passwordErrors: problems, status: .badRequest) }
        user.passwordHash = try await req.password.async.hash(new)
        try await user.update(on: req.store)
        // Other sessions and every API token of this user end when the password changes.
        if let current = me.session?.id {
            try await UserSession.query(on: req.store).filter(\.$user.$id == me.id).filter(\.$id != current).delete()
        }
        try await TokenIssuer.revokeAll(for: me.id, on: req.store)
        try await req.audit("password_changed", recordType: "user", recordID: me.id.uuidString, municipality: nil)
        return req.redirect(to: "/account?notice=password_changed")
    }

    package struct TokenForm: Content { var name: String? }

    package func createToken(req: Request) async throws -> Response {
        let me = try req.requireUser()
        try await req.authorize(.create, .ownAccount)
        let name = try Validate.text(try req.content.decode(TokenForm.self).name, "name", max: 60, required: false)
        let (token, _) = try await TokenIssuer.issue(for: me.id, name: name ?? "API", on: req.store)
        try await req.audit("token_created", recordType: "api_token", recordID: nil, municipality: nil)
        // Shown once; only its hash is stored.
        return try await view(req, newToken: token)
    }

    package func revokeToken(req: Request) async throws -> Response {
        let me = try req.requireUser()
        try await req.authorize(.update, .ownAccount)
        let id = try req.pathID("tokenID")
        guard let t = try await APIToken.query(on: req.store).filter(\.$id == id).filter(\.$user.$id == me.id).first()
        else {
            throw Abort(.notFound)
        }
        t.revokedAt = Date()
        try await t.update(on: req.store)
        try await req.audit("token_revoked", recordType: "api_token", recordID: id.uuidString, municipality: nil)
        return req.redirect(to: "/account?notice=token_revoked")
    }
}
