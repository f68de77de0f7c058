import Vapor

/// Every route. Pages and API both pass the authenticated groups below; what a user may do
/// on a record is decided inside each handler by `req.authorize`, which asks `AccessPolicy`.
func routes(_ app: Application) throws {
    try app.register(collection: OperationsController())

    // Browser pages: session cookie, then CSRF on every state-changing request.
    let web = app.grouped(SessionAuthenticator())
    try web.register(collection: AuthController())
    web.get("lang", ":lang", use: AuthController.setLanguage)
    let pages = web.grouped(RequireUser(), CSRFProtection())
    pages.post("logout", use: AuthController.logout)
    try pages.register(collection: OverviewController())
    try pages.register(collection: PersonsController())
    try pages.register(collection: WorklistController())
    try pages.register(collection: JournalController())
    try pages.register(collection: SettlementController())
    try pages.register(collection: ProgrammeController())
    try pages.register(collection: NorwegianController())
    try pages.register(collection: ProgrammeSettingsController())
    // File uploads read a larger body before the CSRF check (the route allows the same).
    try web.grouped(RequireUser(), CSRFProtection(maxBody: ImportController.maxUpload)).register(collection: ImportController())
    try pages.register(collection: AccountController())
    try pages.register(collection: AdminController())
    try pages.register(collection: AuditController())

    // JSON API: bearer tokens only (no cookies, so no CSRF surface).
    let api = app.grouped("api", "v1").grouped(BearerAuthenticator(), RequireUser())
    try api.register(collection: MetaAPIController())
    try api.register(collection: PersonsAPIController())
    try api.register(collection: RulesController())
    try api.register(collection: BenefitController())
    try api.register(collection: JournalAPIController())
    try api.register(collection: SettlementAPIController())
    try api.register(collection: ProgrammeAPIController())
    try api.register(collection: NorwegianAPIController())
    try api.register(collection: ImportAPIController())
}
