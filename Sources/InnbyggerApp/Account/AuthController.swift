import Fluent
import Vapor

/// Login and logout. Passwords are bcrypt; failures are throttled per username across processes.
struct AuthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: form)
        routes.post("login", use: login)
    }

    struct LoginView: Encodable { var csrf: String; var next: String; var error: String?; var username: String }

    /// Only local paths, so the login form cannot be used as an open redirect.
    static func safeNext(_ s: String?) -> String {
        guard let s, s.hasPrefix("/"), !s.hasPrefix("//"), !s.hasPrefix("/\\"), !s.hasPrefix("/login") else { return "/" }
        return s
    }

    func render(_ req: Request, next: String, error: String?, username: String, status: HTTPResponseStatus) async throws -> Response {
        let token = Secrets.token(prefix: "")
        let view = try await req.page("Account/login", titleKey: "login.title",
                                      LoginView(csrf: token, next: next, error: error, username: username))
        let res = try await view.encodeResponse(for: req)
        res.status = status
        res.cookies[SessionCookie.loginCSRF] = SessionCookie.make(token, maxAge: 3600, secure: req.application.settings.secureCookies)
        return res
    }

    func form(req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: "/") }
        return try await render(req, next: Self.safeNext(try? req.query.get(String.self, at: "next")), error: nil, username: "", status: .ok)
    }

    struct LoginForm: Content { var username: String?; var password: String?; var _csrf: String?; var next: String? }

    func login(req: Request) async throws -> Response {
        let f = try req.content.decode(LoginForm.self)
        let next = Self.safeNext(f.next)
        guard let cookie = req.cookies[SessionCookie.loginCSRF]?.string, let sent = f._csrf, Secrets.equal(cookie, sent) else {
            throw Abort(.forbidden, reason: "csrf")
        }
        let username = (f.username ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let password = f.password ?? ""
        let settings = req.application.settings
        let since = Date().addingTimeInterval(-settings.loginWindow)
        let failures = try await LoginAttempt.query(on: req.db).filter(\.$username == username)
            .filter(\.$succeeded == false).filter(\.$at > since).count()
        if failures >= settings.loginMaxFailures {
            return try await render(req, next: next, error: req.t("login.throttled", String(Int(settings.loginWindow / 60))),
                                    username: username, status: .tooManyRequests)
        }
        let user = try await User.query(on: req.db).filter(\.$username == username).first()
        // Verify against a dummy hash when the user is unknown, so timing does not reveal usernames.
        let hash = user?.passwordHash ?? "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5CtA1Yb6Bv5jN5x7lN8r9dVvQq1f5jK"
        let ok = (try? await req.password.async.verify(password, created: hash)) ?? false
        guard ok, let user, user.isActive, !username.isEmpty else {
            try await LoginAttempt(username: username, succeeded: false, at: Date()).create(on: req.db)
            try await AuditLog(db: req.db, lock: req.application.auditLock).append(
                userID: user?.id?.uuidString, municipality: nil, action: "login_failed", recordType: "user",
                recordID: user?.id?.uuidString, route: req.routeLabel)
            return try await render(req, next: next, error: req.t("login.failed"), username: username, status: .unauthorized)
        }
        try await LoginAttempt(username: username, succeeded: true, at: Date()).create(on: req.db)
        let token = Secrets.token(prefix: "")
        let now = Date()
        let session = UserSession()
        session.$user.id = user.id!
        session.tokenHash = Secrets.sha256Hex(token)
        session.csrfToken = Secrets.token(prefix: "")
        session.createdAt = now; session.lastSeenAt = now; session.expiresAt = now.addingTimeInterval(settings.sessionMaxAge)
        try await session.create(on: req.db)
        try await AuditLog(db: req.db, lock: req.application.auditLock).append(
            userID: user.id?.uuidString, municipality: nil, action: "login", recordType: "user",
            recordID: user.id?.uuidString, route: req.routeLabel)
        let res = req.redirect(to: next)
        res.cookies[SessionCookie.name] = SessionCookie.make(token, maxAge: Int(settings.sessionMaxAge), secure: settings.secureCookies)
        res.cookies[SessionCookie.loginCSRF] = SessionCookie.make("", maxAge: 0, secure: settings.secureCookies)
        return res
    }

    /// Registered inside the CSRF-protected group.
    static func logout(req: Request) async throws -> Response {
        if let s = req.currentUser?.session {
            try await s.delete(on: req.db)
            try await req.audit("logout", recordType: "user", recordID: req.currentUser?.id.uuidString, municipality: nil)
        }
        let res = req.redirect(to: "/login?notice=logged_out")
        res.cookies[SessionCookie.name] = SessionCookie.make("", maxAge: 0, secure: req.application.settings.secureCookies)
        return res
    }

    /// `GET /lang/nb` or `/lang/en`: sets the language cookie and goes back.
    static func setLanguage(req: Request) async throws -> Response {
        let lang = req.parameters.get("lang") ?? ""
        guard Translations.languages.contains(lang) else { throw Abort(.notFound) }
        let res = req.redirect(to: safeNext(try? req.query.get(String.self, at: "back")))
        res.cookies["lang"] = HTTPCookies.Value(string: lang, maxAge: 365 * 24 * 3600, path: "/", isHTTPOnly: true, sameSite: .lax)
        return res
    }
}
