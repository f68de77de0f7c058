import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The inter-sector inclusion team (inkluderingsteam, the KUN seed's module 1): one key person per partner with a
/// deputy, meetings at least twice a year from the municipality's meeting template, decisions that can create or
/// update a measure of the plan, and a yearly report to the municipal leadership.
package final class InclusionTeam: Model, @unchecked Sendable {
    package static let schema = "inclusion_teams"
    @ID(key: .id) package var id: UUID?
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "name") package var name: String
    /// The unit that leads the team ("Flyktningetjenesten").
    @OptionalField(key: "lead") package var lead: String?
    /// The agenda every meeting starts from.
    @OptionalField(key: "meeting_template") package var meetingTemplate: String?
    @Children(for: \.$team) package var members: [TeamMember]
    @Children(for: \.$team) package var meetings: [TeamMeeting]

    package init() {}
}

/// A partner's key person in the team, with a deputy; `userID` links a user of the service, who then reads the
/// team's pages even without the municipality's planning figures (a partner).
package final class TeamMember: Model, @unchecked Sendable {
    package static let schema = "inclusion_team_members"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "team_id") package var team: InclusionTeam
    /// The partner: a service unit or an outside organisation ("NAV", "Frivilligsentralen").
    @Field(key: "partner") package var partner: String
    @Field(key: "key_person") package var keyPerson: String
    @OptionalField(key: "deputy") package var deputy: String?
    @OptionalField(key: "user_id") package var userID: UUID?

    package init() {}
}

package final class TeamMeeting: Model, @unchecked Sendable {
    package static let schema = "inclusion_team_meetings"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "team_id") package var team: InclusionTeam
    @Field(key: "meeting_date") package var date: LocalDate
    @OptionalField(key: "place") package var place: String?
    @OptionalField(key: "attendees") package var attendees: String?
    @OptionalField(key: "agenda") package var agenda: String?
    @OptionalField(key: "minutes") package var minutes: String?
    @Children(for: \.$meeting) package var decisions: [TeamDecision]

    package init() {}
}

/// A decision of a meeting; when it created or updated a measure of a plan, the link is kept.
package final class TeamDecision: Model, @unchecked Sendable {
    package static let schema = "inclusion_team_decisions"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "meeting_id") package var meeting: TeamMeeting
    @Field(key: "text") package var text: String
    @OptionalField(key: "measure_id") package var measureID: UUID?

    package init() {}
}

/// The yearly report's own words: an introduction and a conclusion per plan and year.
package final class PlanReportText: Model, @unchecked Sendable {
    package static let schema = "plan_report_texts"
    @ID(key: .id) package var id: UUID?
    @Field(key: "plan_id") package var planID: UUID
    @Field(key: "year") package var year: Int
    @OptionalField(key: "introduction") package var introduction: String?
    @OptionalField(key: "conclusion") package var conclusion: String?

    package init() {}
}

package struct CreateInclusionTeams: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(InclusionTeam.schema)
            .id()
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("name", .string, .required)
            .field("lead", .string)
            .field("meeting_template", .string)
            .create()
        try await db.schema(TeamMember.schema)
            .id()
            .field("team_id", .uuid, .required, .references(InclusionTeam.schema, "id", onDelete: .cascade))
            .field("partner", .string, .required)
            .field("key_person", .string, .required)
            .field("deputy", .string)
            .field("user_id", .uuid, .references(User.schema, "id", onDelete: .setNull))
            .create()
        try await db.schema(TeamMeeting.schema)
            .id()
            .field("team_id", .uuid, .required, .references(InclusionTeam.schema, "id", onDelete: .cascade))
            .field("meeting_date", .string, .required)
            .field("place", .string)
            .field("attendees", .string)
            .field("agenda", .string)
            .field("minutes", .string)
            .create()
        try await db.schema(TeamDecision.schema)
            .id()
            .field("meeting_id", .uuid, .required, .references(TeamMeeting.schema, "id", onDelete: .cascade))
            .field("text", .string, .required)
            .field("measure_id", .uuid, .references(PlanMeasure.schema, "id", onDelete: .setNull))
            .create()
        try await db.schema(PlanReportText.schema)
            .id()
            .field("plan_id", .uuid, .required, .references(IntegrationPlan.schema, "id", onDelete: .cascade))
            .field("year", .int, .required)
            .field("introduction", .string)
            .field("conclusion", .string)
            .unique(on: "plan_id", "year")
            .create()
        let sql = db as! any SQLDatabase
        for (name, table, column) in [
            ("idx_teams_municipality", InclusionTeam.schema, "municipality"),
            ("idx_team_members_team", TeamMember.schema, "team_id"),
            ("idx_team_members_user", TeamMember.schema, "user_id"),
            ("idx_team_meetings_team", TeamMeeting.schema, "team_id"),
            ("idx_team_decisions_meeting", TeamDecision.schema, "meeting_id"),
        ] {
            try await sql.create(index: name).on(table).column(column).run()
        }
    }

    package func revert(on db: any Database) async throws {
        for t in [
            PlanReportText.schema, TeamDecision.schema, TeamMeeting.schema, TeamMember.schema, InclusionTeam.schema,
        ] {
            try await db.schema(t).delete()
        }
    }
}

/// The team's records behind the policy: the municipality's planning figures, or membership of the team.
package enum TeamService {
    /// The KUN seed: "Teamet møtes minst to ganger årlig".
    package static let meetingsPerYear = 2

    package static func list(_ ctx: ServiceContext) async throws -> (teams: [InclusionTeam], codes: [Kommunenummer]) {
        let user = try ctx.requireUser()
        let codes = try await ctx.municipalities(where: .list) { .planning(municipality: $0) }
        let member = try await TeamMember.query(on: ctx.db).filter(\.$userID == user.id).all().map { $0.$team.id }
        let q = InclusionTeam.query(on: ctx.db).with(\.$meetings)
        q.group(.or) {
            $0.filter(\.$municipality ~~ codes)
            if !member.isEmpty { $0.filter(\.$id ~~ member) }
        }
        if codes.isEmpty && member.isEmpty { throw Abort(.forbidden, reason: "access denied") }
        return (try await q.sort(\.$municipality).sort(\.$name).all(), codes)
    }

    /// A team with its members and its meetings' decisions; readable with the planning figures or as a member.
    package static func find(_ ctx: ServiceContext, _ id: UUID?, for action: Action = .read) async throws
        -> InclusionTeam
    {
        let user = try ctx.requireUser()
        guard let id,
            let team = try await InclusionTeam.query(on: ctx.db).filter(\.$id == id).with(\.$members)
                .with(\.$meetings, { $0.with(\.$decisions) }).first()
        else { throw Abort(.notFound) }
        let resource = Resource.planning(municipality: team.municipality)
        if action == .read && !ctx.may(.read, resource) && team.members.contains(where: { $0.userID == user.id }) {
            return team
        }
        try await ctx.authorize(action, resource)
        return team
    }

    /// Meetings held or planned in `year`.
    package static func meetings(_ team: InclusionTeam, in year: Int) -> [TeamMeeting] {
        team.meetings.filter { $0.date.year == year }.sorted { $0.date < $1.date }
    }

    package static func create(_ ctx: ServiceContext, _ form: FormReader) async throws -> InclusionTeam {
        let m = try Validate.municipality(form.text("municipality"))
        try await ctx.authorize(.create, .planning(municipality: m))
        let t = InclusionTeam()
        t.municipality = m
        t.name = try Validate.required(form.text("name"), "name", max: 200)
        t.lead = try Validate.text(form.text("lead"), "lead", max: 200, required: false)
        t.meetingTemplate = try Validate.text(
            form.text("meetingTemplate"), "meetingTemplate", max: 4000, required: false, multiline: true)
        return try await ctx.write { db in
            try await t.save(on: db)
            try await ctx.audit("create", recordType: "inclusion_team", recordID: t.id!.uuidString, municipality: m)
            return t
        }
    }

    static func change(
        _ ctx: ServiceContext, _ teamID: UUID?,
        _ body: @escaping @Sendable (InclusionTeam, any Database) async throws -> Void
    ) async throws {
        let team = try await find(ctx, teamID, for: .update)
        try await ctx.write { db in
            try await body(team, db)
            try await ctx.audit(
                "update", recordType: "inclusion_team", recordID: team.id!.uuidString, municipality: team.municipality)
        }
    }

    package static func addMember(_ ctx: ServiceContext, _ teamID: UUID?, _ form: FormReader) async throws {
        let partner = try Validate.required(form.text("partner"), "partner", max: 200)
        let keyPerson = try Validate.required(form.text("keyPerson"), "keyPerson", max: 200)
        let deputy = try Validate.text(form.text("deputy"), "deputy", max: 200, required: false)
        var userID: UUID? = nil
        if let name = form.text("username")?.lowercased() {
            guard let u = try await User.query(on: ctx.db).filter(\.$username == name).first() else {
                throw ValidationFailure(field: "username", "plan.invalid.unknown_user")
            }
            userID = u.id
        }
        let linked = userID
        try await change(ctx, teamID) { team, db in
            let m = TeamMember()
            m.$team.id = team.id!
            m.partner = partner
            m.keyPerson = keyPerson
            m.deputy = deputy
            m.userID = linked
            try await m.save(on: db)
        }
    }

    package static func addMeeting(_ ctx: ServiceContext, _ teamID: UUID?, _ form: FormReader) async throws {
        guard let date = try Validate.optionalDate(form.text("meetingDate"), "meetingDate") else {
            throw ValidationFailure(field: "meetingDate", "invalid.required")
        }
        let place = try Validate.text(form.text("place"), "place", max: 200, required: false)
        let attendees = try Validate.text(
            form.text("attendees"), "attendees", max: 2000, required: false, multiline: true)
        let agenda = try Validate.text(form.text("agenda"), "agenda", max: 4000, required: false, multiline: true)
        let minutes = try Validate.text(form.text("minutes"), "minutes", max: 20000, required: false, multiline: true)
        try await change(ctx, teamID) { team, db in
            let m = TeamMeeting()
            m.$team.id = team.id!
            m.date = date
            m.place = place
            m.attendees = attendees
            // A meeting without its own agenda gets the team's template.
            m.agenda = agenda ?? team.meetingTemplate
            m.minutes = minutes
            try await m.save(on: db)
        }
    }

    /// A decision of a meeting; with a goal of one of the municipality's plans, it creates a measure there
    /// (planned, owned by the unit named), linked to the decision.
    package static func addDecision(_ ctx: ServiceContext, _ teamID: UUID?, _ form: FormReader) async throws {
        let meetingID = try form.id("meetingId")
        let text = try Validate.required(form.text("decision"), "decision", max: 2000, multiline: true)
        let goalID = try form.id("decisionGoalId")
        let owner = try Validate.text(form.text("decisionOwner"), "decisionOwner", max: 200, required: false)
        let sector = try PlanService.ownerSector(form.text("decisionOwnerSector"), "decisionOwnerSector")
        let deadline = try Validate.optionalDate(form.text("decisionDeadline"), "decisionDeadline")
        let today = ctx.today
        try await change(ctx, teamID) { team, db in
            guard let meeting = team.meetings.first(where: { $0.id == meetingID }) else {
                throw ValidationFailure(field: "meetingId", "invalid.reference")
            }
            let d = TeamDecision()
            d.$meeting.id = meeting.id!
            d.text = text
            if let goalID {
                // The goal must belong to a plan of the team's own municipality.
                guard
                    let goal = try await PlanGoal.query(on: db).filter(\.$id == goalID).with(
                        \.$area, { $0.with(\.$plan) }
                    )
                    .first(), goal.area.plan.municipality == team.municipality
                else { throw ValidationFailure(field: "decisionGoalId", "invalid.reference") }
                let m = PlanMeasure()
                m.$goal.id = goal.id!
                m.title = String(text.prefix(300))
                m.ownerUnit = owner
                m.ownerSector = sector
                m.status = .planned
                m.startDate = meeting.date
                m.deadline = deadline
                m.statusDate = today
                m.statusNote = "Vedtatt i inkluderingsteamet \(meeting.date.norwegian)"
                try await m.save(on: db)
                d.measureID = m.id
                try await ctx.audit(
                    "create", recordType: "plan_measure", recordID: m.id!.uuidString, municipality: team.municipality)
            }
            try await d.save(on: db)
        }
    }
}
