import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Every route, contributed by the features. Pages and API both pass the authenticated groups below; what a user may
/// do on a record is decided inside each handler by `req.authorize`, which asks `AccessPolicy`, and for writes first
/// by `gated(_:_:)`.
package func routes(_ app: Application) throws {
    // Browser pages: session cookie, then CSRF on every state-changing request.
    let web = app.grouped(SessionAuthenticator())
    let routes = FeatureRoutes(
        root: app,
        open: web,
        pages: web.grouped(RequireUser(), CSRFProtection()),
        // File uploads read a larger body before the CSRF check (the route allows the same).
        uploads: web.grouped(RequireUser(), CSRFProtection(maxBody: Uploads.maxSize)),
        // JSON API: bearer tokens only (no cookies, so no CSRF surface).
        api: app.grouped("api", "v1").grouped(BearerAuthenticator(), RequireUser()))
    for feature in app.features { try feature.routes(routes) }
}
