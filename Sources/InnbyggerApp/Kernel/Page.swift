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
struct NavigationKey: StorageKey { typealias Value = [NavEntry] }

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
        let path = url.path
        let nav = try await navigation().map { entry in
            Layout.NavItem(href: entry.href, key: entry.key,
                           current: entry.href == "/" ? path == "/" : path.hasPrefix(entry.href))
        }
        let notice = (try? query.get(String.self, at: "notice")).flatMap { k in
            Self.notices.contains(k) ? "notice.\(k)" : nil
        }
        return Layout(lang: language, otherLang: language == "nb" ? "en" : "nb", titleKey: titleKey,
                      user: currentUser?.displayName, nav: nav, csrf: currentUser?.session?.csrfToken,
                      demo: application.isDemo, path: InternalPath.page(path, in: application) ?? "/", notice: notice)
    }

    /// The menu: every feature's entries the user may follow, in their order. Asked once per request (a page and
    /// its sections share it).
    func navigation() async throws -> [NavEntry] {
        guard currentUser != nil else { return [] }
        if let cached = storage[NavigationKey.self] { return cached }
        var entries: [NavEntry] = []
        for feature in application.features { entries += try await feature.navigation(self) }
        let sorted = entries.sorted { $0.order < $1.order }
        storage[NavigationKey.self] = sorted
        return sorted
    }

    /// Messages shown after a redirect (`?notice=saved`). Only known keys, so no text can be injected.
    static let notices: Set<String> = ["pending", "saved", "created", "deleted", "shared", "unshared", "token_revoked", "password_changed", "logged_out"]
}

/// One choice of a select or a filter: the value sent, the translation key or text shown, whether it is chosen.
struct Choice: Encodable { var value: String; var label: String; var selected: Bool }
