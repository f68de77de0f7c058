import Vapor

/// What every page's layout needs: the user, navigation allowed by the policy, CSRF token, language.
struct Layout: Encodable {
    struct NavItem: Encodable { var href: String; var key: String; var current: Bool }
    var lang: String
    var otherLang: String
    var titleKey: String
    var user: String?
    var nav: [NavItem]
    var csrf: String?
    var demo: Bool
    var path: String
    var notice: String?
}

struct Page<Data: Encodable>: Encodable {
    var layout: Layout
    var data: Data
}

struct DemoFlagKey: StorageKey { typealias Value = Bool }

extension Application {
    /// True when the database holds the demo; shown as a banner on every page.
    var isDemo: Bool {
        get { storage[DemoFlagKey.self] ?? false }
        set { storage[DemoFlagKey.self] = newValue }
    }
}

extension Request {
    /// Renders `Resources/Views/<template>.leaf` inside the common layout.
    func page<D: Encodable>(_ template: String, titleKey: String, _ data: D) async throws -> View {
        let layout = try await makeLayout(titleKey: titleKey)
        return try await view.render(template, Page(layout: layout, data: data))
    }

    func makeLayout(titleKey: String) async throws -> Layout {
        var nav: [Layout.NavItem] = []
        let path = url.path
        func add(_ href: String, _ key: String) {
            let current = href == "/" ? path == "/" : path.hasPrefix(href)
            nav.append(.init(href: href, key: key, current: current))
        }
        if currentUser != nil {
            add("/", "nav.overview")
            let listsPersons = try await !municipalities(where: .list, { .personalDataList(municipality: $0) }).isEmpty
            let readsSettlement = try await !municipalities(where: .read, { .settlementPlan(municipality: $0) }).isEmpty
            if listsPersons || readsSettlement { add("/settlement", "nav.settlement") }
            if listsPersons {
                add("/worklist", "nav.worklist")
                add("/persons", "nav.persons")
                add("/households", "nav.households")
            }
            if try await !municipalities(where: .update, { .personalData(municipality: $0, sharedWith: []) }).isEmpty { add("/programme", "nav.programme") }
            if try await !municipalities(where: .create, { .personalData(municipality: $0, sharedWith: []) }).isEmpty { add("/import", "nav.import") }
            if try await !municipalities(where: .read, { .aggregates(municipality: $0) }).isEmpty { add("/reports", "nav.reports") }
            if try await !municipalities(where: .list, { .userAdministration(municipality: $0) }).isEmpty { add("/admin/users", "nav.users") }
            if may(.read, .tenancy) { add("/admin/tenancy", "nav.tenancy") }
            if try await !municipalities(where: .list, { .auditLog(municipality: $0) }).isEmpty { add("/admin/audit", "nav.audit") }
            if try await !municipalities(where: .update, { .roleApproval(municipality: $0) }).isEmpty {
                add("/admin/approvals", "nav.approvals")
            }
            add("/account", "nav.account")
        }
        let notice = (try? query.get(String.self, at: "notice")).flatMap { k in
            Self.notices.contains(k) ? "notice.\(k)" : nil
        }
        return Layout(lang: language, otherLang: language == "nb" ? "en" : "nb", titleKey: titleKey,
                      user: currentUser?.displayName, nav: nav, csrf: currentUser?.session?.csrfToken,
                      demo: application.isDemo, path: InternalPath.page(path, in: application) ?? "/", notice: notice)
    }

    /// Messages shown after a redirect (`?notice=saved`). Only known keys, so no text can be injected.
    static let notices: Set<String> = ["pending", "saved", "created", "deleted", "shared", "unshared", "token_revoked", "password_changed", "logged_out"]
}
