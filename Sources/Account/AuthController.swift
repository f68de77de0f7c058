import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Login and logout. Passwords are bcrypt; failures are throttled per username across processes.
package struct AuthController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: form)
        routes.post("login", use: login).ownWrites()
    }

    package struct LoginView: Encodable {
        var csrf: String
        var next: String
        var error: String?
        var username: String
    }

    /// Only paths of this application's own pages, so neither the login form nor the language switch can redirect
    /// off-site or smuggle a header into `Location` (see `InternalPath`).
    package static func safeNext(_ s: String?, _ app: Application) -> String {
        InternalPath.page(s, in: app) ?? "/"
    }

    package func render(_ req: Request, next: String, error: String?, username: String, status: HTTPResponseStatus)
        async throws -> Response
    {
        let token = Secrets.token(prefix: "")
        let view = try await req.page(
            "Account/login", titleKey: "login.title",
            LoginView(csrf: token, next: next, error: error, username: username))
        let res = try await view.encodeResponse(for: req)
        res.status = status
        res.cookies[SessionCookie.loginCSRF] = SessionCookie.make(
            token, maxAge: 3600, secure: req.application.settings.secureCookies)
        return res
    }

    package func form(req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: "/") }
        return try await render(
            req, next: Self.safeNext(try? req.query.get(String.self, at: "next"), req.application), error: nil,
            username: "", status: .ok)
    }

    package struct LoginForm: Content {
        var username: String?
        var password: String?
        var _csrf: String?
        var next: String?
    }

    package func login(req: Request) async throws -> Response {
        let f = try req.content.decode(LoginForm.self)
        let next = Self.safeNext(f.next, req.application)
        guard let cookie = req.cookies[SessionCookie.loginCSRF]?.string, let sent = f._csrf, Secrets.equal(cookie, sent)
        else {
            throw Abort(.forbidden, reason: "csrf")
        }
        let username = (f.username ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let password = f.password ?? ""
        let settings = req.application.settings
        let now = Date()
        let since = now.addingTimeInterval(-settings.loginWindow)
        let source = req.remoteAddress?.ipAddress ?? "unknown"
        func throttled() async throws -> Response {
            try await render(
                req, next: next, error: req.t("login.throttled", String(Int(settings.loginWindow / 60))),
                username: username, status: .tooManyRequests)
        }
        // One client may not spend more than its share of failures across all usernames.
        let fromSource = try await LoginAttempt.query(on: req.store).filter(\.$source == source)
            .filter(\.$succeeded == false).filter(\.$at > since).count()
        if fromSource >= settings.loginMaxFailuresPerSource { return try await throttled() }
        // The attempt is counted as a failure before the password is checked, so that parallel guesses each see the
        // ones before them: at most `loginMaxFailures` wrong passwords are ever tried in a window.
        let attempt = LoginAttempt(username: username, succeeded: false, at: now, source: source)
        try await req.write { tx in try await attempt.create(on: tx) }
        let failures = try await LoginAttempt.query(on: req.store).filter(\.$username == username)
            .filter(\.$succeeded == false).filter(\.$at > since).count()
        if failures > settings.loginMaxFailures {
            // Not tried, so not held against the username beyond the failures that locked it.
            try await req.write { tx in try await attempt.delete(on: tx) }
            return try await throttled()
        }
        let user = try await User.query(on: req.store).filter(\.$username == username).first()
        // Verify against a dummy hash when the user is unknown, so timing does not reveal usernames.
        let hash = user?.passwordHash ?? "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5CtA1Yb6Bv5jN5x7lN8r9dVvQq1f5jK"
        let ok = (try? await req.password.async.verify(password, created: hash)) ?? false
        guard ok, let user, user.isActive, !username.isEmpty else {
            try await req.audit("login_failed", recordType: "user", recordID: user?.id?.uuidString, municipality: nil)
            return try await render(
                req, next: next, error: req.t("login.failed"), username: username, status: .unauthorized)
        }
        let token = Secrets.token(prefix: "")
        let session = UserSession()
        session.$user.id = user.id!
        session.tokenHash = Secrets.sha256Hex(token)
        session.csrfToken = Secrets.token(prefix: "")
        session.createdAt = now
        session.lastSeenAt = now
        session.expiresAt = now.addingTimeInterval(settings.sessionMaxAge)
        try await req.write { tx in
            attempt.succeeded = true
            try await attempt.update(on: tx)
            try await session.create(on: tx)
            try await req.audit("login", recordType: "user", recordID: user.id?.uuidString, municipality: nil)
        }
        let res = req.redirect(to: next)
        res.cookies[SessionCookie.name] = SessionCookie.make(
            token, maxAge: Int(settings.sessionMaxAge), secure: settings.secureCookies)
        res.cookies[SessionCookie.loginCSRF] = SessionCookie.make("", maxAge: 0, secure: settings.secureCookies)
        return res
    }

    /// Registered inside the CSRF-protected group.
    package static func logout(req: Request) async throws -> Response {
        if let s = req.currentUser?.session {
            try await s.delete(on: req.store)
            try await req.audit(
                "logout", recordType: "user", recordID: req.currentUser?.id.uuidString, municipality: nil)
        }
        let res = req.redirect(to: "/login?notice=logged_out")
        res.cookies[SessionCookie.name] = SessionCookie.make(
            "", maxAge: 0, secure: req.application.settings.secureCookies)
        return res
    }

    /// `GET /lang/nb` or `/lang/en`: sets the language cookie and goes back.
    package static func setLanguage(req: Request) async throws -> Response {
        let lang = req.parameters.get("lang") ?? ""
        guard Translations.languages.contains(lang) else { throw Abort(.notFound) }
        let res = req.redirect(to: safeNext(try? req.query.get(String.self, at: "back"), req.application))
        res.cookies["lang"] = HTTPCookies.Value(
            string: lang, maxAge: 365 * 24 * 3600, path: "/", isSecure: req.application.settings.secureCookies,
            isHTTPOnly: true, sameSite: .lax)
        return res
    }
}
