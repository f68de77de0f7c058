import Fluent
import Vapor

package enum SessionCookie {
    package static let name = "innbygger_session"
    /// Double-submit cookie that protects the login form before there is a session.
    package static let loginCSRF = "innbygger_login_csrf"

    package static func make(_ value: String, maxAge: Int?, secure: Bool) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: nil, maxAge: maxAge, domain: nil, path: "/",
            isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}

/// Resolves the browser session cookie to a user. Sessions are rows in the database, so any
/// app process behind a load balancer can serve any user.
package struct SessionAuthenticator: AsyncMiddleware {
    package init() {}

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let token = req.cookies[SessionCookie.name]?.string, !token.isEmpty {
            let now = Date()
            let settings = req.application.settings
            if let session = try await UserSession.query(on: req.store)
                .filter(\.$tokenHash == Secrets.sha256Hex(token)).with(\.$user).first()
            {
                let idle = now.timeIntervalSince(session.lastSeenAt) > settings.sessionIdleTimeout
                if session.expiresAt < now || idle || !session.user.isActive {
                    try await req.write { tx in try await session.delete(on: tx) }
                } else {
                    // Touch at most once a minute to keep writes low on busy pages.
                    if now.timeIntervalSince(session.lastSeenAt) > 60 {
                        session.lastSeenAt = now
                        // Through the one write path, so that it waits its turn like every other write.
                        try await req.write { tx in try await session.update(on: tx) }
                    }
                    req.currentUser = try await .load(session.user, session: session, on: req.store)
                }
            }
        }
        return try await next.respond(to: req)
    }
}

/// Resolves `Authorization: Bearer …` to a user for the JSON API.
package struct BearerAuthenticator: AsyncMiddleware {
    package init() {}

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = req.headers.bearerAuthorization {
            guard
                let token = try await APIToken.query(on: req.store)
                    .filter(\.$tokenHash == Secrets.sha256Hex(bearer.token)).filter(\.$revokedAt == nil)
                    .with(\.$user).first(), token.user.isActive
            else {
                throw Abort(.unauthorized, reason: "invalid or revoked token")
            }
            let now = Date()
            if token.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
                token.lastUsedAt = now
                try await req.write { tx in try await token.update(on: tx) }
            }
            req.currentUser = try await .load(token.user, on: req.store)
        }
        return try await next.respond(to: req)
    }
}

/// Refuses anonymous requests: pages redirect to the login form, the API answers 401.
package struct RequireUser: AsyncMiddleware {
    package init() {}

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.currentUser != nil else { throw Abort(.unauthorized, reason: "login required") }
        return try await next.respond(to: req)
    }
}

/// Every state-changing request from a browser must carry the session's CSRF token,
/// as the form field `_csrf` or the header `X-CSRF-Token`.
package struct CSRFProtection: AsyncMiddleware {

    /// The largest body read to find the token; routes taking uploads are grouped with a larger limit.
    package var maxBody: ByteCount? = nil

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if ![.GET, .HEAD, .OPTIONS].contains(req.method) {
            guard let expected = req.currentUser?.session?.csrfToken else {
                throw Abort(.forbidden, reason: "csrf")
            }
            // Middleware runs before the route collects the body: a form that arrives in several packets
            // must be read whole before its _csrf field can be found.
            if req.headers.first(name: "X-CSRF-Token") == nil, req.body.data == nil {
                _ = try await req.body.collect(max: (maxBody ?? req.application.routes.defaultMaxBodySize).value).get()
            }
            let sent = req.headers.first(name: "X-CSRF-Token") ?? (try? req.content.get(String.self, at: "_csrf"))
            guard let sent, Secrets.equal(sent, expected) else { throw Abort(.forbidden, reason: "csrf") }
        }
        return try await next.respond(to: req)
    }

    package init(maxBody: ByteCount? = nil) {
        self.maxBody = maxBody
    }
}

/// Creates API tokens for the account page and the `token` command.
package enum TokenIssuer {
    package static func issue(for userID: UUID, name: String, on db: any Database) async throws -> (String, APIToken) {
        let token = Secrets.token(prefix: "inb_")
        let t = APIToken()
        t.$user.id = userID
        t.name = name
        t.tokenHash = Secrets.sha256Hex(token)
        t.createdAt = Date()
        try await t.create(on: db)
        return (token, t)
    }

    /// Ends every API token of a user (deactivation, password change).
    package static func revokeAll(for userID: UUID, on db: any Database) async throws {
        try await APIToken.query(on: db).filter(\.$user.$id == userID).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: Date()).update()
    }
}
