import Fluent
import Foundation
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The yearly report to the leadership (issue #14; the KUN seed: "Arbeidet rapporteres til kommuneledelsen
/// årlig"): settlement against the decision, people in follow-up, programme results, every indicator against its
/// target with its chart, measures by status, the inclusion team's meetings and decisions, and the municipality's
/// own introduction and conclusion. A printable page, and the same page as PDF from headless chromium.
package struct ReportPage: Encodable {
    struct StatusCount: Encodable {
        var statusKey: String
        var status: String
        var count: Int
    }
    struct Meeting: Encodable {
        var team: String
        var date: String
        var place: String?
        var decisions: [String]
    }
    var id: String
    var title: String
    var municipality: String
    var year: Int
    var years: [Choice]
    var introduction: String?
    var conclusion: String?
    var settlement: PlanPage.Indicator?
    /// Persons settled in the five years up to the report year's end: in follow-up (suppressed when few).
    var inFollowUp: Int?
    var followUpSuppressed: Bool
    var programme: [PlanPage.Indicator]
    var indicators: [PlanPage.Indicator]
    var measures: [StatusCount]
    var meetings: [Meeting]
    /// Nil without the economy feature.
    var grants: Grants?
    var canEdit: Bool
    var saved: Bool
    var error: String?
    var errorField: String?

    struct Query: Content {
        var year: Int?
        var saved: Int?
    }

    /// The grants of the report year per scheme, received against what the rules expect, and the forecast of the
    /// year after; a scheme for few persons is shown without its sums (the reports' disclosure rule).
    struct Grants: Encodable {
        struct Row: Encodable {
            var labelKey: String
            var shown: Bool
            var expectedOre: Int?
            var receivedOre: Int?
            var forecastOre: Int?
        }
        var year: Int
        var next: Int
        var rows: [Row]
        /// Nil when a scheme is hidden.
        var expectedOre: Int?
        var receivedOre: Int?
        var forecastOre: Int?
        var anyHidden: Bool

        static func load(_ ctx: ServiceContext, _ m: Kommunenummer, _ year: Int, threshold: Int) async throws
            -> Grants?
        {
            guard let now = try await ctx.app.sharedFacts.grantYear(m, year, ctx.db),
                let next = try await ctx.app.sharedFacts.grantYear(m, year + 1, ctx.db)
            else { return nil }
            func small(_ n: Int) -> Bool { n > 0 && n < threshold }
            var rows: [Row] = []
            for key in (now.map(\.labelKey) + next.map(\.labelKey)).reduce(
                into: [String](),
                {
                    if !$0.contains($1) { $0.append($1) }
                })
            {
                let a = now.first { $0.labelKey == key }
                let b = next.first { $0.labelKey == key }
                let shown = !small(a?.persons ?? 0) && !small(b?.persons ?? 0)
                rows.append(
                    Row(
                        labelKey: key, shown: shown, expectedOre: shown ? a?.expectedOre ?? 0 : nil,
                        receivedOre: shown ? a?.receivedOre ?? 0 : nil, forecastOre: shown ? b?.expectedOre ?? 0 : nil))
            }
            // The totals include every scheme: with one scheme hidden they would give it away, so they are left out.
            let hidden = rows.contains { !$0.shown }
            return Grants(
                year: year, next: year + 1, rows: rows,
                expectedOre: hidden ? nil : now.reduce(0) { $0 + $1.expectedOre },
                receivedOre: hidden ? nil : now.reduce(0) { $0 + $1.receivedOre },
                forecastOre: hidden ? nil : next.reduce(0) { $0 + $1.expectedOre }, anyHidden: hidden)
        }
    }

    static func load(_ req: Request, _ id: UUID, failure: ValidationFailure? = nil, posted: [String: String]? = nil)
        async throws -> ReportPage
    {
        let ctx = req.context
        let q = try req.query.decode(Query.self)
        let plan = try await PlanService.find(ctx, id)
        let year = try Validate.number(q.year, "year", 2000...2100) ?? ctx.today.year - 1
        let names = try await req.municipalityNames()
        let threshold = req.application.disclosure.threshold
        let catalogue = req.application.indicatorCatalogue
        // The report's own figures: the catalogue's settlement and programme indicators for the year.
        func computed(_ key: String) async throws -> PlanPage.Indicator? {
            guard let d = catalogue[key] else { return nil }
            let row = PlanIndicator()
            row.id = UUID()
            row.name = req.t(d.nameKey)
            row.unit = d.unit
            row.direction = d.direction
            row.computedKey = key
            row.$values.value = []
            return PlanPage.indicator(try await PlanService.evaluate(ctx, plan, row, year: year), req)
        }
        struct Count: Decodable { var n: Int }
        let followUp =
            try await (ctx.db as! any SQLDatabase).raw(
                """
                SELECT COUNT(*) AS n FROM \(ident: Person.schema) WHERE municipality = \(bind: plan.municipality.value)
                AND settlement_date > \(bind: "\(year - 5)-12-31") AND settlement_date <= \(bind: "\(year)-12-31")
                """
            ).first(decoding: Count.self)?.n ?? 0
        let followUpFigure = IndicatorFigure.count(followUp, threshold: threshold)
        var counts: [MeasureStatus: Int] = [:]
        for m in plan.areas.flatMap(\.goals).flatMap(\.measures) { counts[m.status, default: 0] += 1 }
        let text = try await PlanReportText.query(on: ctx.db).filter(\.$planID == id).filter(\.$year == year).first()
        let teams = try await InclusionTeam.query(on: ctx.db).filter(\.$municipality == plan.municipality)
            .with(\.$meetings, { $0.with(\.$decisions) }).all()
        return ReportPage(
            id: id.uuidString, title: plan.title, municipality: names[plan.municipality] ?? plan.municipality.value,
            year: year,
            years: (plan.firstYear...max(plan.lastYear, ctx.today.year)).reversed().map {
                Choice(value: String($0), label: String($0), selected: $0 == year)
            },
            introduction: posted?["introduction"] ?? text?.introduction,
            conclusion: posted?["conclusion"] ?? text?.conclusion,
            settlement: try await computed("settlement_fulfilled"),
            inFollowUp: followUpFigure.numerator, followUpSuppressed: followUpFigure.suppressed,
            programme: [try await computed("work_or_education_1y"), try await computed("programme_start_3m")]
                .compactMap { $0 },
            indicators: try await PlanService.indicators(ctx, plan, year: year).map { PlanPage.indicator($0, req) },
            measures: MeasureStatus.allCases.map {
                StatusCount(statusKey: $0.labelKey, status: $0.rawValue, count: counts[$0] ?? 0)
            },
            meetings: teams.flatMap { t in
                TeamService.meetings(t, in: year).map {
                    Meeting(team: t.name, date: $0.date.iso, place: $0.place, decisions: $0.decisions.map(\.text))
                }
            },
            grants: try await Grants.load(ctx, plan.municipality, year, threshold: threshold),
            canEdit: ctx.may(.update, .planning(municipality: plan.municipality)), saved: q.saved == 1,
            error: failure.map { req.message($0) }, errorField: failure?.field)
    }

    static func saveText(_ ctx: ServiceContext, _ id: UUID?, _ form: FormReader) async throws -> Int {
        let plan = try await PlanService.find(ctx, id, for: .update)
        let year = try Validate.number(try form.int("year"), "year", 2000...2100, required: true)!
        let intro = try Validate.text(
            form.text("introduction"), "introduction", max: 20000, required: false, multiline: true)
        let conclusion = try Validate.text(
            form.text("conclusion"), "conclusion", max: 20000, required: false, multiline: true)
        try await ctx.write { db in
            let t =
                try await PlanReportText.query(on: db).filter(\.$planID == plan.id!).filter(\.$year == year).first()
                ?? PlanReportText()
            t.planID = plan.id!
            t.year = year
            t.introduction = intro
            t.conclusion = conclusion
            try await t.save(on: db)
            try await ctx.audit(
                "update", recordType: "plan_report", recordID: plan.id!.uuidString, municipality: plan.municipality)
        }
        return year
    }
}

/// The report as PDF: the page's HTML with the stylesheet inlined, printed by headless chromium (Debian's
/// `chromium` package; `INNBYGGER_CHROMIUM` names another binary). Nothing is fetched over the network: the
/// charts are inline SVG.
enum ReportPDF {
    struct Unavailable: Error {}

    /// At most two chromium processes at once: a burst of downloads waits for a slot instead of starting a browser
    /// each, and one that waits too long is told to try again (503).
    actor Slots {
        private var free = 2
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func acquire() async {
            if free > 0 {
                free -= 1
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func release() {
            if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
        }

        var queued: Int { waiting.count }
    }

    static let slots = Slots()
    /// How many downloads may wait for a slot before the next is refused.
    static let maxQueued = 8
    /// The longest one rendering may take before chromium is stopped.
    static let timeout: Duration = .seconds(60)

    static func chromium() -> String? {
        if let p = Environment.get("INNBYGGER_CHROMIUM"), !p.isEmpty { return p }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static func render(_ html: String, app: Application) async throws -> Data {
        guard let binary = chromium() else { throw Unavailable() }
        guard await slots.queued < maxQueued else { throw Unavailable() }
        await slots.acquire()
        do {
            let data = try await print(html, binary: binary, app: app)
            await slots.release()
            return data
        } catch {
            await slots.release()
            throw error
        }
    }

    static func print(_ html: String, binary: String, app: Application) async throws -> Data {
        let css =
            (try? String(contentsOfFile: app.directory.publicDirectory + "css/innbygger.css", encoding: .utf8)) ?? ""
        let page = html.replacingOccurrences(
            of: #"<link rel="stylesheet" href="/css/innbygger.css">"#, with: "<style>\(css)</style>")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("innbygger-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("report.html")
        let output = dir.appendingPathComponent("report.pdf")
        try page.write(to: input, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(dir.appendingPathComponent("profile").path)", "--no-pdf-header-footer",
            "--print-to-pdf=\(output.path)", input.absoluteString,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // Stopped if it hangs, so a slot is never held for ever.
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if process.isRunning { process.terminate() }
        }
        defer { watchdog.cancel() }
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in c.resume() }
            do { try process.run() } catch { c.resume(throwing: error) }
        }
        guard process.terminationStatus == 0, let data = try? Data(contentsOf: output),
            data.starts(with: Array("%PDF".utf8))
        else { throw Unavailable() }
        return data
    }
}
