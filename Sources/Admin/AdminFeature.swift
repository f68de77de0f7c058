import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Users and roles with their approval, the municipalities and agreements of the service, and the audit log.
package struct AdminFeature: Feature {
    package init() {}

    package let id = "admin"

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: AdminController())
        try routes.pages.register(collection: AuditController())
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        var out: [NavEntry] = []
        if try await !req.municipalities(where: .list, { .userAdministration(municipality: $0) }).isEmpty {
            out.append(NavEntry(order: 700, href: "/admin/users", key: "nav.users"))
        }
        if req.may(.read, .tenancy) {
            out.append(NavEntry(order: 710, href: "/admin/tenancy", key: "nav.tenancy"))
            out.append(NavEntry(order: 715, href: "/admin/parameters", key: "nav.parameters"))
        }
        if try await !req.municipalities(where: .list, { .auditLog(municipality: $0) }).isEmpty {
            out.append(NavEntry(order: 720, href: "/admin/audit", key: "nav.audit"))
        }
        if try await !req.municipalities(where: .update, { .roleApproval(municipality: $0) }).isEmpty {
            out.append(NavEntry(order: 730, href: "/admin/approvals", key: "nav.approvals"))
        }
        return out
    }

    package var commands: [(name: String, command: any AsyncCommand)] { [("audit", AuditCommand())] }
}
