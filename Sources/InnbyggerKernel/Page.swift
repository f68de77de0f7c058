import Vapor

/// What every page's layout needs: the user, navigation allowed by the policy, CSRF token, language.
package struct Layout: Encodable {
    package struct NavItem: Encodable {
        package var href: String
        package var key: String
        package var current: Bool
    }
    package var lang: String
    package var otherLang: String
    package var titleKey: String
    package var user: String?
    package var nav: [NavItem]
    package var csrf: String?
    package var demo: Bool
    package var path: String
    package var notice: String?

    package init(
        lang: String, otherLang: String, titleKey: String, user: String? = nil, nav: [NavItem], csrf: String? = nil,
        demo: Bool, path: String, notice: String? = nil
    ) {
        self.lang = lang
        self.otherLang = otherLang
        self.titleKey = titleKey
        self.user = user
        self.nav = nav
        self.csrf = csrf
        self.demo = demo
        self.path = path
        self.notice = notice
    }
}

package struct Page<Data: Encodable>: Encodable {
    package var layout: Layout
    package var data: Data

    package init(layout: Layout, data: Data) {
        self.layout = layout
        self.data = data
    }
}

package struct DemoFlagKey: StorageKey { package typealias Value = Bool }
package struct NavigationKey: StorageKey { package typealias Value = [NavEntry] }
package struct LayoutKey: StorageKey { package typealias Value = Layout }

extension Application {
    /// True when the database holds the demo; shown as a banner on every page.
    package var isDemo: Bool {
        get { storage[DemoFlagKey.self] ?? false }
        set { storage[DemoFlagKey.self] = newValue }
    }
}

extension Request {
    /// Renders the template (`<Feature>/<file>`, from the feature's `Views/`) inside the common layout.
    package func page<D: Encodable>(_ template: String, titleKey: String, _ data: D) async throws -> View {
        let layout = try await makeLayout(titleKey: titleKey)
        return try await view.render(template, Page(layout: layout, data: data))
    }

    /// The layout is made once per request (a page and its sections share it); only the title differs.
    package func makeLayout(titleKey: String) async throws -> Layout {
        if var cached = storage[LayoutKey.self] {
            cached.titleKey = titleKey
            return cached
        }
        let path = url.path
        let nav = try await navigation().map { entry in
            Layout.NavItem(
                href: entry.href, key: entry.key,
                current: entry.href == "/" ? path == "/" : path.hasPrefix(entry.href))
        }
        let notice = (try? query.get(String.self, at: "notice")).flatMap { k in
            Self.notices.contains(k) ? "notice.\(k)" : nil
        }
        let layout = Layout(
            lang: language, otherLang: language == "nb" ? "en" : "nb", titleKey: titleKey,
            user: currentUser?.displayName, nav: nav, csrf: currentUser?.session?.csrfToken,
            demo: application.isDemo, path: InternalPath.page(path, in: application) ?? "/", notice: notice)
        storage[LayoutKey.self] = layout
        return layout
    }

    /// The menu: every feature's entries the user may follow, in their order. Asked once per request (a page and
    /// its sections share it).
    package func navigation() async throws -> [NavEntry] {
        guard currentUser != nil else { return [] }
        if let cached = storage[NavigationKey.self] { return cached }
        var entries: [NavEntry] = []
        for feature in application.features { entries += try await feature.navigation(self) }
        let sorted = entries.sorted { $0.order < $1.order }
        storage[NavigationKey.self] = sorted
        return sorted
    }

    /// Messages shown after a redirect (`?notice=saved`). Only known keys, so no text can be injected.
    package static let notices: Set<String> = [
        "pending", "saved", "created", "deleted", "shared", "unshared", "token_revoked", "password_changed",
        "logged_out",
    ]
}

/// One choice of a select or a filter: the value sent, the translation key or text shown, whether it is chosen.
package struct Choice: Encodable {
    package var value: String
    package var label: String
    package var selected: Bool

    package init(value: String, label: String, selected: Bool) {
        self.value = value
        self.label = label
        self.selected = selected
    }
    /// A municipality select's options: the number as value, the name as label, the one the form holds selected.
    package static func municipalities(
        _ codes: [Kommunenummer], names: [Kommunenummer: String], selected: String? = nil
    ) -> [Choice] {
        codes.map { Choice(value: $0.value, label: names[$0] ?? $0.value, selected: $0.value == selected) }
    }

    package static func municipalities(
        _ codes: [Kommunenummer], names: [Kommunenummer: String], selected: Kommunenummer?
    ) -> [Choice] {
        municipalities(codes, names: names, selected: selected?.value)
    }
}

extension View {
    /// The page shown again after a refused form, with what the user sent and what is wrong: 400 unless `status`
    /// says otherwise (409 for a conflict). The one way a page answers invalid input.
    package func reshown(_ req: Request, status: HTTPResponseStatus = .badRequest) async throws -> Response {
        let res = try await encodeResponse(for: req)
        res.status = status
        return res
    }
}

/// The step before an irreversible action: what it is about, what will be lost, and a form that does it (works
/// without JavaScript; the action itself stays a POST with the CSRF token).
package struct Confirmation: Encodable {
    package struct Field: Encodable {
        var name: String
        var value: String
    }
    /// The record, by name ("Amina Hassan, født 01.02.1990").
    package var subject: String
    /// What happens, in the page's language.
    package var lead: String
    /// What goes with it, one line each ("12 journalnotater").
    package var losses: [String]
    package var action: String
    package var confirm: String
    package var cancel: String
    /// Asks for a reason when the action needs one (kept with the record).
    package var reasonLabel: String?
    package var fields: [Field]

    package init(
        subject: String, lead: String, losses: [String] = [], action: String, confirm: String, cancel: String,
        reasonLabel: String? = nil, fields: [(String, String)] = []
    ) {
        self.subject = subject
        self.lead = lead
        self.losses = losses
        self.action = action
        self.confirm = confirm
        self.cancel = cancel
        self.reasonLabel = reasonLabel
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }
}

extension Request {
    /// Shows a confirmation page titled `titleKey`.
    package func confirmation(titleKey: String, _ c: Confirmation) async throws -> View {
        try await page("Shared/confirm", titleKey: titleKey, c)
    }

    /// A text in the request's language.
    package func text(_ key: String, _ args: [String] = []) -> String {
        application.translations.text(key, language, args)
    }
}
