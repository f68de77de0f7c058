import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// A household IMDi proposes, as a client sends it. The page form uses the same names.
package struct IncomingInput: Content {
    package struct Member: Content {
        package var givenName: String?
        package var familyName: String?
        package var birthDate: String?
        package var sex: String?
        package var relation: String?
        package var citizenship: String?
        package var residenceGround: String?
    }
    package var municipality: String?
    package var imdiReference: String?
    package var label: String?
    package var urgent: Bool?
    package var rooms: Int?
    package var accessibleHousing: Bool?
    package var kindergartenPlaces: Int?
    package var schoolPlaces: Int?
    package var healthNeeds: String?
    package var otherNeeds: String?
    package var expectedArrival: String?
    package var members: [Member]?

    package struct Valid {
        package struct Member {
            package var givenName: String
            package var familyName: String
            package var birthDate: LocalDate
            package var sex: Sex
            package var relation: FamilyRelation
            package var citizenship: String
            package var residenceGround: ResidenceGround
        }
        package var municipality: Kommunenummer
        package var imdiReference: String
        package var label: String
        package var urgent: Bool
        package var rooms: Int?
        package var accessibleHousing: Bool
        package var kindergartenPlaces: Int
        package var schoolPlaces: Int
        package var healthNeeds: String?
        package var otherNeeds: String?
        package var expectedArrival: LocalDate?
        package var members: [Member]
    }

    package func validated(today: LocalDate = .today) throws -> Valid {
        let members = members ?? []
        guard !members.isEmpty else {
            throw ValidationFailure(field: "members", "settlement.invalid.no_members")
        }
        guard members.count <= 30 else {
            throw ValidationFailure(field: "members", "invalid.at_most", "30")
        }
        let valid = try members.enumerated().map { i, m -> Valid.Member in
            let f = "members[\(i)]"
            guard let birth = m.birthDate.flatMap(LocalDate.init(parsing:)), birth <= today, birth.year >= 1900 else {
                throw ValidationFailure(field: "\(f).birthDate", "invalid.birth_date")
            }
            guard let sex = m.sex.flatMap(Sex.init(rawValue:)) else {
                throw ValidationFailure(
                    field: "\(f).sex", "invalid.one_of", Sex.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let relation = m.relation.flatMap(FamilyRelation.init(rawValue:)) else {
                throw ValidationFailure(
                    field: "\(f).relation", "invalid.one_of",
                    FamilyRelation.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let ground = m.residenceGround.flatMap(ResidenceGround.init(rawValue:)) else {
                throw ValidationFailure(
                    field: "\(f).residenceGround", "invalid.one_of",
                    ResidenceGround.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return Valid.Member(
                givenName: try Validate.required(m.givenName, "\(f).givenName"),
                familyName: try Validate.required(m.familyName, "\(f).familyName"), birthDate: birth, sex: sex,
                relation: relation, citizenship: try Validate.country(m.citizenship, "\(f).citizenship")!,
                residenceGround: ground)
        }
        return Valid(
            municipality: try Validate.municipality(municipality),
            imdiReference: try Validate.required(imdiReference, "imdiReference", max: 50),
            label: try Validate.required(label, "label"), urgent: urgent ?? false,
            rooms: try Validate.number(rooms, "rooms", 0...20), accessibleHousing: accessibleHousing ?? false,
            kindergartenPlaces: try Validate.number(kindergartenPlaces, "kindergartenPlaces", 0...20) ?? 0,
            schoolPlaces: try Validate.number(schoolPlaces, "schoolPlaces", 0...20) ?? 0,
            healthNeeds: try Validate.text(healthNeeds, "healthNeeds", max: 1000, required: false, multiline: true),
            otherNeeds: try Validate.text(otherNeeds, "otherNeeds", max: 1000, required: false, multiline: true),
            expectedArrival: try Validate.optionalDate(expectedArrival, "expectedArrival"), members: valid)
    }
}

package struct IncomingDTO: Content {
    package struct Member: Content {
        package var givenName: String
        package var familyName: String
        package var birthDate: LocalDate
        package var sex: Sex
        package var relation: FamilyRelation
        package var citizenship: String
        package var residenceGround: ResidenceGround
    }
    package struct Assessment: Content {
        var housing: AssessmentStatus
        var kindergarten: AssessmentStatus
        var school: AssessmentStatus
        var health: AssessmentStatus
        var note: String?
    }
    package var id: UUID
    package var municipality: Kommunenummer
    package var imdiReference: String
    package var label: String
    package var urgent: Bool
    package var receivedAt: Date
    package var answerDueAt: Date
    package var answerStatus: String
    package var rooms: Int?
    package var accessibleHousing: Bool
    package var kindergartenPlaces: Int
    package var schoolPlaces: Int
    package var healthNeeds: String?
    package var otherNeeds: String?
    package var expectedArrival: LocalDate?
    package var members: [Member]
    package var assessment: Assessment
    package var decision: SettlementDecision
    package var decisionReason: String?
    package var decidedAt: Date?
    package var householdId: UUID?

    package init(_ h: IncomingHousehold, now: Date = Oslo.now()) {
        id = h.id!
        municipality = h.$municipality.id
        imdiReference = h.imdiReference
        label = h.label
        urgent = h.urgent
        receivedAt = h.receivedAt
        answerDueAt = h.answerDueAt
        answerStatus = AnswerClock(h, now: now).status.rawValue
        rooms = h.rooms
        accessibleHousing = h.accessibleHousing
        kindergartenPlaces = h.kindergartenPlaces
        schoolPlaces = h.schoolPlaces
        healthNeeds = h.healthNeeds
        otherNeeds = h.otherNeeds
        expectedArrival = h.expectedArrival
        members = (h.$members.value ?? []).sorted { $0.birthDate < $1.birthDate }.map {
            .init(
                givenName: $0.givenName, familyName: $0.familyName, birthDate: $0.birthDate, sex: $0.sex,
                relation: $0.relation,
                citizenship: $0.citizenship, residenceGround: $0.residenceGround)
        }
        assessment = .init(
            housing: h.housingStatus, kindergarten: h.kindergartenStatus, school: h.schoolStatus,
            health: h.healthStatus, note: h.assessmentNote)
        decision = h.decision
        decisionReason = h.decisionReason
        decidedAt = h.decidedAt
        householdId = h.householdID
    }
}

/// The answer deadline as a countdown: answered, overdue, due within a quarter of its window (soon), or open.
package struct AnswerClock {
    package enum Status: String { case answered, overdue, soon, open }
    package var status: Status
    /// Whole minutes left (negative when overdue).
    package var minutesLeft: Int

    package init(_ h: IncomingHousehold, now: Date) {
        minutesLeft = Int((h.answerDueAt.timeIntervalSince(now) / 60).rounded(.down))
        let window = h.answerDueAt.timeIntervalSince(h.receivedAt)
        if h.decision != .pending {
            status = .answered
        } else if now >= h.answerDueAt {
            status = .overdue
        } else if h.answerDueAt.timeIntervalSince(now) <= window / 4 {
            status = .soon
        } else {
            status = .open
        }
    }
}

package struct AssessmentInput: Content {
    var sector: String?
    var status: String?
    var note: String?
}
package struct DecisionInput: Content {
    var decision: String?
    var reason: String?
    /// Answering yes while a sector has not assessed the proposal: only as a deliberate choice, with a reason.
    var override: Bool?
}
/// A checklist for a household registered without a proposal: the day it arrived.
package struct ChecklistInput: Content { var arrivalDate: String? }
/// The arrival step: the day the household settles in the municipality, the day it came to Norway and the date of
/// the residence permit; the rules' clocks (the programme's 3 months, the 14 days for TB screening) run from these.
package struct ArrivalInput: Content {
    var settlementDate: String?
    var arrivalDate: String?
    var permitDate: String?
}

/// Proposed households: the integration service registers and answers them; the assessing sectors record
/// their part of the assessment. Every read and change is audited as personal data.
package enum IncomingService {
    package static func list(_ ctx: ServiceContext, municipality: String? = nil) async throws -> [IncomingHousehold] {
        let codes = try await ctx.scope(where: .list, requested: municipality) { .personalDataList(municipality: $0) }
        // Unanswered first, the most pressing at the top; then the answered, newest first.
        let rows = try await IncomingHousehold.query(on: ctx.db).filter(\.$municipality.$id ~~ codes).with(
            \.$members
        ).all()
            .filter { ctx.may(.read, $0.resource) }
            .sorted { a, b in
                let pa = a.decision == .pending
                let pb = b.decision == .pending
                if pa != pb { return pa }
                return pa ? a.answerDueAt < b.answerDueAt : a.receivedAt > b.receivedAt
            }
        try await ctx.auditList("incoming_household", municipalities: rows.map { $0.$municipality.id })
        return rows
    }

    package static func find(_ ctx: ServiceContext, _ id: UUID?, for action: Action = .read) async throws
        -> IncomingHousehold
    {
        try await ctx.guarded(
            action, recordType: "incoming_household", id: id,
            find: { try await IncomingHousehold.query(on: ctx.db).filter(\.$id == $0).with(\.$members).first() },
            resource: \.resource, municipality: { $0.$municipality.id })
    }

    package static func create(_ ctx: ServiceContext, _ input: IncomingInput) async throws -> IncomingHousehold {
        let v = try input.validated()
        try await ctx.authorize(
            .create, .personalData(municipality: v.municipality, sharedWith: []), recordType: "incoming_household")
        let settings = try await SettlementSettings.settings(for: v.municipality, ctx)
        let h = IncomingHousehold()
        h.$municipality.id = v.municipality
        h.receivedAt = Oslo.now()
        h.receivedOn = Oslo.day(h.receivedAt)
        h.urgent = v.urgent
        h.answerDueAt = h.receivedAt.addingTimeInterval(
            Double(v.urgent ? settings.answerHoursUrgent : settings.answerHoursOrdinary) * 3600)
        for s in IncomingHousehold.assessingSectors { h.setStatus(.pending, for: s) }
        h.decision = .pending
        apply(v, to: h)
        try await ctx.write { db in
            try await h.create(on: db)
            try await replaceMembers(h, v.members, on: db)
        }
        try await h.$members.load(on: ctx.db)
        try await ctx.audit(
            "create", recordType: "incoming_household", recordID: h.id?.uuidString, municipality: v.municipality)
        return h
    }

    /// Changes the proposal while it is still unanswered (IMDi sometimes corrects a proposal).
    package static func update(_ ctx: ServiceContext, _ id: UUID?, _ input: IncomingInput) async throws
        -> IncomingHousehold
    {
        let h = try await find(ctx, id, for: .update)
        let v = try input.validated()
        guard v.municipality == h.$municipality.id else {
            throw ValidationFailure(field: "municipality", "invalid.move_municipality")
        }
        guard h.decision == .pending else {
            throw APIError(.conflict, "already_answered", "the proposal is answered and can no longer change")
        }
        apply(v, to: h)
        try await ctx.write { db in
            try await h.update(on: db)
            try await replaceMembers(h, v.members, on: db)
        }
        try await h.$members.load(on: ctx.db)
        try await ctx.audit(
            "update", recordType: "incoming_household", recordID: h.id?.uuidString, municipality: v.municipality)
        return h
    }

    package static func delete(_ ctx: ServiceContext, _ id: UUID?) async throws {
        let h = try await find(ctx, id, for: .delete)
        try await h.delete(on: ctx.db)
        try await ctx.audit(
            "delete", recordType: "incoming_household", recordID: id?.uuidString, municipality: h.$municipality.id)
    }

    package static func apply(_ v: IncomingInput.Valid, to h: IncomingHousehold) {
        h.imdiReference = v.imdiReference
        h.label = v.label
        h.rooms = v.rooms
        h.accessibleHousing = v.accessibleHousing
        h.kindergartenPlaces = v.kindergartenPlaces
        h.schoolPlaces = v.schoolPlaces
        h.healthNeeds = v.healthNeeds
        h.otherNeeds = v.otherNeeds
        h.expectedArrival = v.expectedArrival
    }

    package static func replaceMembers(
        _ h: IncomingHousehold, _ members: [IncomingInput.Valid.Member], on db: any Database
    ) async throws {
        try await IncomingMember.query(on: db).filter(\.$incoming.$id == h.id!).delete()
        for m in members {
            let row = IncomingMember()
            row.$incoming.id = h.id!
            row.givenName = m.givenName
            row.familyName = m.familyName
            row.birthDate = m.birthDate
            row.sex = m.sex
            row.relation = m.relation
            row.citizenship = m.citizenship
            row.residenceGround = m.residenceGround
            try await row.create(on: db)
        }
    }

    /// One sector's part of the inter-sector assessment (capacity for housing, kindergarten, school, health).
    package static func assess(_ ctx: ServiceContext, _ id: UUID?, _ input: AssessmentInput) async throws
        -> IncomingHousehold
    {
        guard let id,
            let h = try await IncomingHousehold.query(on: ctx.db).filter(\.$id == id).with(\.$members).first()
        else {
            throw Abort(.notFound)
        }
        guard let sector = input.sector.flatMap(Sector.init(rawValue:)),
            IncomingHousehold.assessingSectors.contains(sector)
        else {
            throw ValidationFailure(field: "sector", "invalid.one_of", "housing, kindergarten, school, health")
        }
        guard let status = input.status.flatMap(AssessmentStatus.init(rawValue:)) else {
            throw ValidationFailure(field: "status", "invalid.one_of", "pending, ok, concern")
        }
        let note = try Validate.text(input.note, "note", max: 1000, required: false, multiline: true)
        try await ctx.authorize(
            .update,
            .sectorPart(
                municipality: h.$municipality.id, sharedWith: IncomingHousehold.assessingSectors, sector: sector),
            recordType: "incoming_household", recordID: id.uuidString)
        guard h.decision == .pending else {
            throw APIError(.conflict, "already_answered", "the proposal is answered; the assessment is closed")
        }
        h.setStatus(status, for: sector)
        if let note {
            // Each sector's remark is kept, labelled, in one running note.
            let line = "[\(sector.rawValue)] \(note)"
            h.assessmentNote = [h.assessmentNote, line].compactMap { $0 }.joined(separator: "\n")
        }
        try await h.update(on: ctx.db)
        try await ctx.audit(
            "assess_\(sector.rawValue)", recordType: "incoming_household", recordID: id.uuidString,
            municipality: h.$municipality.id)
        return h
    }

    /// A dwelling is reserved for the proposal (issue #15): the housing part of the assessment is "ok" while it is
    /// open, and the reservation is noted with the address, by whoever may record the housing sector's part.
    package static func dwellingReserved(_ ctx: ServiceContext, _ id: UUID, address: String) async throws {
        let h = try await find(ctx, id, for: .read)
        // The partners read the proposal while it is assessed (`resource`); after that only the service records it.
        let open = h.decision == .pending && h.householdID == nil
        try await ctx.authorize(
            .update,
            .sectorPart(
                municipality: h.$municipality.id, sharedWith: open ? IncomingHousehold.assessingSectors : [],
                sector: .housing),
            recordType: "incoming_household", recordID: id.uuidString)
        if h.decision == .pending { h.housingStatus = .ok }
        let line = "[housing] Bolig reservert: \(address)"
        h.assessmentNote = [h.assessmentNote, line].compactMap { $0 }.joined(separator: "\n")
        try await h.update(on: ctx.db)
        try await ctx.audit(
            "reserve_dwelling", recordType: "incoming_household", recordID: id.uuidString,
            municipality: h.$municipality.id)
    }

    /// The answer to IMDi. Declining needs a reason; so does accepting against a concern from a sector.
    package static func decide(_ ctx: ServiceContext, _ id: UUID?, _ input: DecisionInput) async throws
        -> IncomingHousehold
    {
        let h = try await find(ctx, id, for: .update)
        guard let decision = input.decision.flatMap(SettlementDecision.init(rawValue:)), decision != .pending else {
            throw ValidationFailure(field: "decision", "invalid.one_of", "accepted, declined")
        }
        let reason = try Validate.text(input.reason, "reason", max: 1000, required: false, multiline: true)
        let concerns = IncomingHousehold.assessingSectors.contains {
            h.status(for: $0) == .concern
        }
        // "Yes" is never the default: while a sector has not assessed the proposal, accepting is a deliberate
        // override with its reason.
        if decision == .accepted && !pendingSectors(h).isEmpty && input.override != true {
            throw ValidationFailure(field: "override", "settlement.invalid.pending_override")
        }
        if reason == nil && (decision == .declined || concerns || input.override == true) {
            throw ValidationFailure(
                field: "reason", "settlement.invalid.decision_reason",
                decision == .declined ? "declining" : "accepting despite a concern")
        }
        guard h.decision == .pending else {
            throw APIError(.conflict, "already_answered", "the proposal is already answered")
        }
        h.decisionReason = reason
        h.answer(decision, at: Oslo.now())
        try await h.update(on: ctx.db)
        try await ctx.audit(
            "decide_\(decision.rawValue)", recordType: "incoming_household", recordID: h.id?.uuidString,
            municipality: h.$municipality.id)
        return h
    }

    /// The assessing sectors that have not yet said whether they can receive the household.
    package static func pendingSectors(_ h: IncomingHousehold) -> [Sector] {
        IncomingHousehold.assessingSectors.sorted { $0.rawValue < $1.rawValue }.filter {
            (h.status(for: $0) ?? .pending) == .pending
        }
    }

    /// The family has arrived: the proposal becomes a household with person files (settled by agreement on the
    /// arrival date) and the arrival checklist is made from the municipality's template.
    package static func arrive(_ ctx: ServiceContext, _ id: UUID?, _ input: ArrivalInput) async throws -> Household {
        let h = try await find(ctx, id, for: .update)
        try await ctx.authorize(
            .create, .personalData(municipality: h.$municipality.id, sharedWith: []), recordType: "household")
        let settled = try Validate.pastDate(input.settlementDate, "settlementDate")
        let arrival = try Validate.pastDate(input.arrivalDate, "arrivalDate")
        let permit = try Validate.pastDate(input.permitDate, "permitDate")
        guard arrival <= settled else {
            throw ValidationFailure(field: "arrivalDate", "settlement.invalid.arrival_after_settlement")
        }
        guard permit <= settled else {
            throw ValidationFailure(field: "permitDate", "settlement.invalid.permit_after_settlement")
        }
        if let born = h.members.map(\.birthDate).max(), arrival < born || permit < born {
            throw ValidationFailure(field: arrival < born ? "arrivalDate" : "permitDate", "invalid.before_birth")
        }
        guard h.decision == .accepted else {
            throw APIError(.conflict, "not_accepted", "only an accepted proposal can arrive")
        }
        guard h.householdID == nil else {
            throw APIError(.conflict, "already_arrived", "the household has already arrived")
        }
        let template = try await SettlementSettings.template(for: h.$municipality.id, ctx)
        let household = Household()
        let created: [UUID] = try await ctx.write { db in
            var created: [UUID] = []
            household.$municipality.id = h.$municipality.id
            household.name = h.label
            try await household.create(on: db)
            for m in h.members {
                let p = m.person(municipality: h.$municipality.id, household: household.id, settledOn: settled)
                p.arrivalDate = arrival
                p.permitDate = permit
                try await p.create(on: db)
                created.append(p.id!)
            }
            try await ArrivalChecklist.generate(for: household, arrival: settled, template: template, on: db)
            h.householdID = household.id
            try await h.update(on: db)
            return created
        }
        try await ctx.audit(
            "arrive", recordType: "incoming_household", recordID: h.id?.uuidString, municipality: h.$municipality.id)
        try await ctx.audit(
            "create", recordType: "household", recordID: household.id?.uuidString, municipality: h.$municipality.id)
        for p in created {
            try await ctx.audit(
                "create", recordType: "person", recordID: p.uuidString, municipality: h.$municipality.id)
        }
        return household
    }
}
