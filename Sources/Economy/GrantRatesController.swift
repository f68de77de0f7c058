import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `/economy/rates`: the grant rate tables by payment year, and the system administrator's form that adds the next
/// year's table (or replaces one) with its sources.
package struct GrantRatesController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let economy = routes.grouped("economy")
        economy.get("rates", use: show)
        economy.gated(.update, .tenancy).post("rates", use: save)
    }

    package func show(req: Request) async throws -> View {
        var model = try await GrantRatesPage.load(req.context, lang: req.language)
        if req.query[String.self, at: "notice"] == "saved" { model.notice = req.t("grant.rates_saved") }
        return try await req.page("Economy/rates", titleKey: "grant.rates_title", model)
    }

    package func save(req: Request) async throws -> Response {
        try await req.authorize(.update, .tenancy)
        let form = try FormReader(req)
        do {
            let table = try GrantRateForm.table(form)
            try await GrantRateStore.save(req.context, table)
            return req.redirect(to: "/economy/rates?notice=saved")
        } catch let failure as ValidationFailure {
            let model = try await GrantRatesPage.load(
                req.context, lang: req.language, posted: form.fields, error: failure)
            return try await req.page("Economy/rates", titleKey: "grant.rates_title", model).reshown(req)
        }
    }
}
