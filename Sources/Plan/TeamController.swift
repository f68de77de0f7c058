import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `/teams`: the inclusion teams; `/teams/:id`: members, meetings with their decisions, and the forms that add to
/// them.
package struct TeamController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("teams", use: list)
        routes.grouped("teams").gated(.create, .planning).post(use: create)
        routes.get("teams", ":teamID", use: show)
        Export.routes(routes, ["teams", ":teamID"], last: "meetings", aggregate: true) { req, format in
            try await Self.exportMeetings(req, format)
        }
        let writes = routes.grouped("teams", ":teamID").gated(.update, .planning)
        let steps: [(String, @Sendable (ServiceContext, UUID?, FormReader) async throws -> Void)] = [
            ("members", TeamService.addMember), ("meetings", TeamService.addMeeting),
            ("decisions", TeamService.addDecision),
        ]
        for (path, step) in steps {
            writes.post(PathComponent(stringLiteral: path)) { req async throws -> Response in
                let id = try req.pathID("teamID")
                let form = try FormReader(req)
                do {
                    try await step(req.context, id, form)
                    return req.redirect(to: "/teams/\(id.uuidString)?saved=1#\(path)")
                } catch let failure as ValidationFailure {
                    let model = try await TeamPage.load(req, id, failure: failure, posted: form.fields)
                    return try await req.page("Plan/team", titleKey: "team.title", model).reshown(req)
                }
            }
        }
    }

    package struct ListPage: Encodable {
        struct Row: Encodable {
            var id: String
            var name: String
            var municipality: String
            var meetings: Int
            var tooFew: Bool
        }
        var rows: [Row]
        var year: Int
        var municipalities: [Choice]
        var canCreate: Bool
        var error: String?
        var errorField: String?
        var posted: [String: String]
    }

    func listPage(_ req: Request, failure: ValidationFailure? = nil, posted: [String: String] = [:]) async throws
        -> View
    {
        let ctx = req.context
        let (teams, codes) = try await TeamService.list(ctx)
        let names = try await req.municipalityNames()
        let year = ctx.today.year
        let creatable = codes.filter { ctx.may(.create, .planning(municipality: $0)) }
        return try await req.page(
            "Plan/teams", titleKey: "team.list_title",
            ListPage(
                rows: teams.map {
                    let n = TeamService.meetings($0, in: year).count
                    return .init(
                        id: $0.id!.uuidString, name: $0.name,
                        municipality: names[$0.municipality] ?? $0.municipality.value,
                        meetings: n, tooFew: n < TeamService.meetingsPerYear)
                }, year: year,
                municipalities: Choice.municipalities(creatable, names: names, selected: posted["municipality"]),
                canCreate: !creatable.isEmpty, error: failure.map { req.message($0) }, errorField: failure?.field,
                posted: posted))
    }

    func list(req: Request) async throws -> View { try await listPage(req) }

    func create(req: Request) async throws -> Response {
        let form = try FormReader(req)
        do {
            let team = try await TeamService.create(req.context, form)
            return req.redirect(to: "/teams/\(team.id!.uuidString)")
        } catch let failure as ValidationFailure {
            return try await listPage(req, failure: failure, posted: form.fields).reshown(req)
        }
    }

    func show(req: Request) async throws -> View {
        let model = try await TeamPage.load(req, try req.pathID("teamID"))
        return try await req.page("Plan/team", titleKey: "team.title", model)
    }

    /// The team's meetings, oldest first, with their decisions, as CSV or XLSX (a team has a few meetings a year).
    static func exportMeetings(_ req: Request, _ format: Export.Format) async throws -> Response {
        let team = try await TeamService.find(req.context, try req.pathID("teamID"))
        let rows: [[XLSX.Cell]] = team.meetings.sorted { $0.date < $1.date }.map { m in
            [
                .text(m.date.iso), .text(m.place ?? ""), .text(m.attendees ?? ""), .text(m.agenda ?? ""),
                .text(m.minutes ?? ""), .text(m.decisions.map(\.text).joined(separator: " | ")),
                .number(m.decisions.filter { $0.measureID != nil }.count),
            ]
        }
        return try Export.response(
            format, name: "inkluderingsteam-motter", sheet: "Møter",
            header: ["date", "place", "attendees", "agenda", "minutes", "decisions", "measures_created"], rows: rows)
    }
}

package struct TeamPage: Encodable {
    struct Member: Encodable {
        var partner: String
        var keyPerson: String
        var deputy: String?
        var linked: Bool
    }
    struct Decision: Encodable {
        var text: String
        var measure: String?
    }
    struct Meeting: Encodable {
        var id: String
        var date: String
        var place: String?
        var attendees: String?
        var agenda: String?
        var minutes: String?
        var decisions: [Decision]
        var planned: Bool
    }
    var id: String
    var name: String
    var municipality: String
    var lead: String?
    var meetingTemplate: String?
    var members: [Member]
    var meetings: [Meeting]
    var year: Int
    var meetingsThisYear: Int
    var tooFew: Bool
    var canEdit: Bool
    var meetingChoices: [Choice]
    var goalChoices: [Choice]
    var sectors: [Choice]
    var saved: Bool
    var error: String?
    var errorField: String?
    var posted: [String: String]

    struct Query: Content {
        var saved: Int?
    }

    static func load(_ req: Request, _ id: UUID, failure: ValidationFailure? = nil, posted: [String: String] = [:])
        async throws -> TeamPage
    {
        let ctx = req.context
        let team = try await TeamService.find(ctx, id)
        let names = try await req.municipalityNames()
        let canEdit = ctx.may(.update, .planning(municipality: team.municipality))
        // The measures decisions created, and the goals of the municipality's plans a decision can add one to.
        let measureIDs = team.meetings.flatMap(\.decisions).compactMap(\.measureID)
        let measures =
            measureIDs.isEmpty
            ? [:]
            : Dictionary(
                uniqueKeysWithValues: try await PlanMeasure.query(on: ctx.db).filter(\.$id ~~ measureIDs).all().map {
                    ($0.id!, $0.title)
                })
        var goals: [Choice] = []
        if canEdit {
            for plan in try await IntegrationPlan.query(on: ctx.db).filter(\.$municipality == team.municipality)
                .with(\.$areas, { $0.with(\.$goals) }).sort(\.$firstYear, .descending).all()
            {
                for a in plan.areas.sorted(by: { $0.position < $1.position }) {
                    for g in a.goals.sorted(by: { $0.position < $1.position }) {
                        goals.append(
                            Choice(
                                value: g.id!.uuidString,
                                label: "\(plan.firstYear)–\(plan.lastYear) · \(a.title): \(g.text.prefix(60))",
                                selected: posted["decisionGoalId"] == g.id!.uuidString))
                    }
                }
            }
        }
        let year = ctx.today.year
        let thisYear = TeamService.meetings(team, in: year).count
        let meetings = team.meetings.sorted { $0.date > $1.date }
        return TeamPage(
            id: id.uuidString, name: team.name, municipality: names[team.municipality] ?? team.municipality.value,
            lead: team.lead, meetingTemplate: team.meetingTemplate,
            members: team.members.sorted { $0.partner < $1.partner }.map {
                Member(partner: $0.partner, keyPerson: $0.keyPerson, deputy: $0.deputy, linked: $0.userID != nil)
            },
            meetings: meetings.map { m in
                Meeting(
                    id: m.id!.uuidString, date: m.date.iso, place: m.place, attendees: m.attendees, agenda: m.agenda,
                    minutes: m.minutes,
                    decisions: m.decisions.map {
                        Decision(text: $0.text, measure: $0.measureID.flatMap { measures[$0] })
                    },
                    planned: m.date > ctx.today)
            },
            year: year, meetingsThisYear: thisYear, tooFew: thisYear < TeamService.meetingsPerYear, canEdit: canEdit,
            meetingChoices: meetings.map {
                Choice(
                    value: $0.id!.uuidString, label: $0.date.norwegian,
                    selected: posted["meetingId"] == $0.id!.uuidString)
            },
            goalChoices: goals, sectors: PlanMeasures.sectorChoices(selected: posted["decisionOwnerSector"]),
            saved: try req.query.decode(Query.self).saved == 1,
            error: failure.map { req.message($0) }, errorField: failure?.field, posted: posted)
    }
}
