import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The settlement pages: the year's request, decision and progress; proposals from IMDi with the inter-sector
/// assessment, the answer and the arrival; and each municipality's answer times and arrival-checklist template.
package struct SettlementController: RouteCollection {

    package func boot(routes: any RoutesBuilder) throws {
        let s = routes.grouped("settlement")
        s.get(use: overview)
        s.get("years", "new", use: newYear)
        s.gated(.create, .settlementPlan).post("years", use: createYear)
        s.get("years", ":yearID", "edit", use: editYear)
        s.gated(.update, .settlementPlan).post("years", ":yearID", use: updateYear)
        s.gated(.delete, .settlementPlan).post("years", ":yearID", "delete", use: deleteYear)
        s.get("incoming", "new", use: newIncoming)
        s.gated(.create, .personalData).post("incoming", use: createIncoming)
        s.get("incoming", ":incomingID", use: showIncoming)
        s.gated(.update, .sectorPart).post("incoming", ":incomingID", "assessment", use: assess)
        s.gated(.update, .personalData).post("incoming", ":incomingID", "decision", use: decide)
        s.gated(.update, .personalData).post("incoming", ":incomingID", "arrival", use: arrive)
        s.get("incoming", ":incomingID", "delete", use: deleteIncomingForm)
        s.gated(.delete, .personalData).post("incoming", ":incomingID", "delete", use: deleteIncoming)
        s.get("settings", use: settings)
        s.gated(.update, .municipalSettings).post("settings", use: updateSettings)
        s.gated(.update, .municipalSettings).post("checklist", use: addTemplateItem)
        s.gated(.update, .municipalSettings).post("checklist", ":itemID", use: updateTemplateItem)
        s.gated(.update, .municipalSettings).post("checklist", ":itemID", "delete", use: deleteTemplateItem)
        routes.gated(.update, .personalData).post("households", ":householdID", "checklist", use: createChecklist)
        routes.gated(.update, .sectorPart).post("households", ":householdID", "tasks", ":taskID", use: markTask)
    }

    // MARK: Overview

    package struct OverviewQuery: Content {
        var municipality: String?
        var year: Int?
    }

    package struct OverviewView: Encodable {
        package struct YearRow: Encodable {
            package var id: UUID
            package var municipality: String
            package var year: Int
            package var requested: Int
            package var requestedMinors: Int
            package var decided: Int?
            package var decidedMinors: String
            package var decisionDate: String?
            package var decisionReference: String?
            package var counted: DisclosureControl.Shown
            package var remaining: DisclosureControl.Shown?
            package var overDecision: Int?
            package var familyReunified: DisclosureControl.Shown
            package var notByAgreement: DisclosureControl.Shown
            package var canEdit: Bool
            package var chart: SettlementChart
            package var months: [MonthRow]
        }
        package struct MonthRow: Encodable {
            var label: String
            var counted: DisclosureControl.Shown
            var cumulative: DisclosureControl.Shown
            var family: DisclosureControl.Shown
        }
        package struct IncomingRow: Encodable {
            package var id: UUID
            package var label: String
            package var imdiReference: String
            package var municipality: String
            package var size: Int
            package var urgent: Bool
            package var answerDueAt: String
            package var answerDueISO: String
            package var clock: String
            package var clockText: String
            package var decision: String
        }
        package var canReadYears: Bool
        package var years: [YearRow]
        package var canCreateYear: Bool
        package var canListIncoming: Bool
        package var incoming: [IncomingRow]
        package var canCreateIncoming: Bool
        package var municipalities: [Choice]
        package var yearFilter: Int
        package var canEditSettings: Bool
        package var canReadMovements: Bool
    }

    package func overview(req: Request) async throws -> View {
        let q = try req.query.decode(OverviewQuery.self)
        let municipality = q.municipality?.isEmpty == false ? q.municipality : nil
        let names = try await req.municipalityNames()
        let yearCodes = try await req.municipalities(where: .read) { .settlementPlan(municipality: $0) }
        let listCodes = try await req.municipalities(where: .list) { .personalDataList(municipality: $0) }
        guard !yearCodes.isEmpty || !listCodes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let currentYear = LocalDate.today.year
        let year = q.year ?? currentYear
        guard (2000...2100).contains(year) else {
            throw ValidationFailure(field: "year", "invalid.range", "2000", "2100")
        }
        let months = (1...12).map { req.application.translations.text("month.\($0)", req.language) }
        let disclosure = req.application.disclosure

        var yearRows: [OverviewView.YearRow] = []
        if !yearCodes.isEmpty {
            for y in try await SettlementYearService.list(
                req.context, municipality: municipality.flatMap { m in yearCodes.contains { $0.value == m } ? m : nil })
            where y.year == year {
                let p = try await SettlementYearService.progress(req.context, y)
                let f = SettlementFigures(p, disclosure)
                yearRows.append(
                    .init(
                        id: y.id!, municipality: names[y.$municipality.id] ?? y.$municipality.id.value, year: y.year,
                        requested: y.requested,
                        requestedMinors: y.requestedMinors, decided: y.decided,
                        decidedMinors: y.decidedMinors.map { "settlement.minors_\($0)" } ?? "persons.unknown",
                        decisionDate: y.decisionDate?.iso, decisionReference: y.decisionReference, counted: f.counted,
                        remaining: f.remaining, overDecision: f.overDecision,
                        familyReunified: f.familyReunified, notByAgreement: f.notByAgreement,
                        canEdit: req.may(.update, .settlementPlan(municipality: y.$municipality.id)),
                        chart: SettlementChart(f, monthLabels: months),
                        months: (0..<12).map {
                            .init(
                                label: months[$0], counted: f.monthly[$0], cumulative: f.cumulative[$0],
                                family: f.monthlyFamily[$0])
                        }))
            }
        }
        var incomingRows: [OverviewView.IncomingRow] = []
        if !listCodes.isEmpty {
            let now = Oslo.now()
            for h in try await IncomingService.list(
                req.context, municipality: municipality.flatMap { m in listCodes.contains { $0.value == m } ? m : nil })
            where h.householdID == nil || Oslo.day(h.receivedAt).year == year {
                let clock = AnswerClock(h, now: now)
                incomingRows.append(
                    .init(
                        id: h.id!, label: h.label, imdiReference: h.imdiReference,
                        municipality: names[h.$municipality.id] ?? "",
                        size: h.members.count, urgent: h.urgent, answerDueAt: Oslo.stamp(h.answerDueAt),
                        answerDueISO: ISO8601DateFormatter().string(from: h.answerDueAt), clock: clock.status.rawValue,
                        clockText: Self.clockText(clock, req), decision: h.decision.labelKey))
            }
        }
        let creatableIncoming = try await req.municipalities(where: .create) {
            .personalData(municipality: $0, sharedWith: [])
        }
        let creatableYears = try await req.municipalities(where: .create) { .settlementPlan(municipality: $0) }
        let settingsCodes = try await req.municipalities(where: .update) { .municipalSettings(municipality: $0) }
        let all = Set(yearCodes).union(listCodes).sorted()
        return try await req.page(
            "Settlement/overview", titleKey: "settlement.title",
            OverviewView(
                canReadYears: !yearCodes.isEmpty, years: yearRows, canCreateYear: !creatableYears.isEmpty,
                canListIncoming: !listCodes.isEmpty, incoming: incomingRows,
                canCreateIncoming: !creatableIncoming.isEmpty,
                municipalities: all.count > 1
                    ? Choice.municipalities(all, names: names, selected: municipality) : [],
                yearFilter: year, canEditSettings: !settingsCodes.isEmpty,
                canReadMovements: try await !req.municipalities(where: .read) { .aggregates(municipality: $0) }
                    .isEmpty))
    }

    /// "12 t 5 min igjen" / "over fristen med 3 t" in the user's language.
    package static func clockText(_ c: AnswerClock, _ req: Request) -> String {
        let tr = req.application.translations
        let lang = req.language
        if c.status == .answered { return tr.text("clock.answered", lang) }
        let m = abs(c.minutesLeft)
        let span =
            m >= 48 * 60
            ? tr.text("clock.days", lang, ["\(m / (24 * 60))"])
            : tr.text("clock.hours", lang, ["\(m / 60)", "\(m % 60)"])
        return tr.text(c.minutesLeft < 0 ? "clock.overdue" : "clock.left", lang, [span])
    }

    // MARK: Settlement years

    package struct YearFormView: Encodable {
        package var action: String
        package var input: SettlementYearInput
        package var error: String?
        package var errorField: String?
        package var municipalities: [Choice]
        package var minors: [Choice]
        package var isNew: Bool
        package var id: UUID?
        package var canDelete: Bool
    }

    package static func yearForm(
        _ req: Request, action: String, input: SettlementYearInput, error: ValidationFailure?, id: UUID?
    ) async throws -> View {
        let names = try await req.municipalityNames()
        let codes = try await req.municipalities(where: .create) { .settlementPlan(municipality: $0) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        return try await req.page(
            "Settlement/year-form", titleKey: id == nil ? "settlement.new_year" : "settlement.edit_year",
            YearFormView(
                action: action, input: input, error: error.map(req.message), errorField: error?.field,
                municipalities: Choice.municipalities(codes, names: names, selected: input.municipality),
                minors: [("true", true), ("false", false)].map {
                    Choice(value: $0.0, label: "settlement.minors_\($0.0)", selected: input.decidedMinors == $0.1)
                },
                isNew: id == nil, id: id,
                canDelete: id != nil
                    && input.municipality.flatMap(Kommunenummer.init(_:)).map {
                        req.may(.delete, .settlementPlan(municipality: $0))
                    }
                        == true
            ))
    }

    package static func yearInput(_ req: Request) throws -> SettlementYearInput {
        let f = try FormReader(req)
        let v = f.text
        let int = f.int
        return SettlementYearInput(
            municipality: v("municipality"), year: try int("year"), requested: try int("requested"),
            requestedMinors: try int("requestedMinors"), requestDate: v("requestDate"), decided: try int("decided"),
            decidedMinors: v("decidedMinors").map { $0 == "true" }, decisionDate: v("decisionDate"),
            decisionReference: v("decisionReference"), note: v("note"))
    }

    package func newYear(req: Request) async throws -> View {
        let codes = try await req.municipalities(where: .create) { .settlementPlan(municipality: $0) }
        var input = SettlementYearInput()
        input.municipality = codes.first?.value
        input.year = LocalDate.today.year
        return try await Self.yearForm(req, action: "/settlement/years", input: input, error: nil, id: nil)
    }

    /// Saves a year from the form; on a validation error the form comes back with what was typed.
    package func saveYear(_ req: Request, id: UUID?) async throws -> Response {
        let action = id.map { "/settlement/years/\($0)" } ?? "/settlement/years"
        var input = SettlementYearInput()
        do {
            input = try Self.yearInput(req)
            let y =
                id == nil
                ? try await SettlementYearService.create(req.context, input)
                : try await SettlementYearService.update(req.context, id, input)
            return req.redirect(to: "/settlement?year=\(y.year)&municipality=\(y.$municipality.id)&notice=saved")
        } catch let e as ValidationFailure {
            return try await Self.yearForm(req, action: action, input: input, error: e, id: id).reshown(req)
        } catch let e as APIError where e.status == .conflict {
            return try await Self.yearForm(
                req, action: action, input: input,
                error: ValidationFailure(field: "year", "settlement.invalid.year_exists"),
                id: id
            ).reshown(req, status: .conflict)
        }
    }

    package func createYear(req: Request) async throws -> Response { try await saveYear(req, id: nil) }
    package func updateYear(req: Request) async throws -> Response {
        let id = try req.pathID("yearID")
        _ = try await SettlementYearService.find(req.context, id, for: .update)
        return try await saveYear(req, id: id)
    }

    package func editYear(req: Request) async throws -> View {
        let y = try await SettlementYearService.find(
            req.context, try req.pathID("yearID"), for: .update)
        let input = SettlementYearInput(
            municipality: y.$municipality.id.value, year: y.year, requested: y.requested,
            requestedMinors: y.requestedMinors,
            requestDate: y.requestDate?.iso, decided: y.decided, decidedMinors: y.decidedMinors,
            decisionDate: y.decisionDate?.iso, decisionReference: y.decisionReference, note: y.note)
        return try await Self.yearForm(req, action: "/settlement/years/\(y.id!)", input: input, error: nil, id: y.id)
    }

    package func deleteYear(req: Request) async throws -> Response {
        try await SettlementYearService.delete(req.context, try req.pathID("yearID"))
        return req.redirect(to: "/settlement?notice=deleted")
    }

    // MARK: Proposed households

    /// At most this many members on one proposal form; the form shows the members typed and one empty row, and
    /// "add a member" shows one more (without JavaScript).
    package static let maxMemberRows = 15

    package struct IncomingFormView: Encodable {
        package struct MemberRow: Encodable {
            package var index: Int
            package var givenName: String
            package var familyName: String
            package var birthDate: String
            package var citizenship: String
            package var sexes: [Choice]
            package var relations: [Choice]
            package var grounds: [Choice]
        }
        package var input: IncomingInput
        package var error: String?
        package var errorField: String?
        package var municipalities: [Choice]
        package var members: [MemberRow]
    }

    package static func incomingForm(_ req: Request, _ input: IncomingInput, _ error: ValidationFailure?) async throws
        -> View
    {
        let names = try await req.municipalityNames()
        let codes = try await req.municipalities(where: .create) { .personalData(municipality: $0, sharedWith: []) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let given = input.members ?? []
        return try await req.page(
            "Settlement/incoming-form", titleKey: "incoming.new",
            IncomingFormView(
                input: input, error: error.map(req.message), errorField: error?.field,
                municipalities: Choice.municipalities(codes, names: names, selected: input.municipality),
                members: (0..<min(maxMemberRows, given.count + 1)).map { i in
                    let m = i < given.count ? given[i] : IncomingInput.Member()
                    return .init(
                        index: i, givenName: m.givenName ?? "", familyName: m.familyName ?? "",
                        birthDate: m.birthDate ?? "",
                        citizenship: m.citizenship ?? "",
                        sexes: Sex.allCases.map {
                            Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == m.sex)
                        },
                        relations: FamilyRelation.allCases.map {
                            Choice(
                                value: $0.rawValue, label: $0.labelKey,
                                selected: $0.rawValue == m.relation)
                        },
                        grounds: ResidenceGround.allCases.map {
                            Choice(
                                value: $0.rawValue, label: $0.labelKey,
                                selected: $0.rawValue == (m.residenceGround ?? "refugee"))
                        })
                }))
    }

    /// Reads the form: member rows where nothing was typed are left out.
    package static func incomingInput(_ req: Request) throws -> IncomingInput {
        let f = try FormReader(req)
        let v = f.text
        let int = f.int
        let members = (0..<maxMemberRows).compactMap { i -> IncomingInput.Member? in
            guard v("m\(i).givenName") != nil || v("m\(i).familyName") != nil || v("m\(i).birthDate") != nil else {
                return nil
            }
            return .init(
                givenName: v("m\(i).givenName"), familyName: v("m\(i).familyName"), birthDate: v("m\(i).birthDate"),
                sex: v("m\(i).sex"), relation: v("m\(i).relation"), citizenship: v("m\(i).citizenship"),
                residenceGround: v("m\(i).residenceGround"))
        }
        return IncomingInput(
            municipality: v("municipality"), imdiReference: v("imdiReference"), label: v("label"),
            urgent: f.checkbox("urgent"),
            rooms: try int("rooms"), accessibleHousing: f.checkbox("accessibleHousing"),
            kindergartenPlaces: try int("kindergartenPlaces"), schoolPlaces: try int("schoolPlaces"),
            healthNeeds: v("healthNeeds"), otherNeeds: v("otherNeeds"), expectedArrival: v("expectedArrival"),
            members: members)
    }

    package func newIncoming(req: Request) async throws -> View {
        let codes = try await req.municipalities(where: .create) { .personalData(municipality: $0, sharedWith: []) }
        var input = IncomingInput()
        input.municipality = codes.first?.value
        return try await Self.incomingForm(req, input, nil)
    }

    package func createIncoming(req: Request) async throws -> Response {
        var input = IncomingInput()
        do {
            input = try Self.incomingInput(req)
            // "Add a member": the same form again with what was typed and one more empty row; nothing is stored.
            if try FormReader(req).text("addMember") != nil {
                return try await Self.incomingForm(req, input, nil).encodeResponse(for: req)
            }
            let h = try await IncomingService.create(req.context, input)
            return req.redirect(to: "/settlement/incoming/\(h.id!)?notice=created")
        } catch let e as ValidationFailure {
            return try await Self.incomingForm(req, input, e).reshown(req)
        }
    }

    package struct IncomingView: Encodable {
        package struct Member: Encodable {
            var name: String
            var birthDate: String
            var age: Int
            var sex: String
            var relation: String
            var citizenship: String
            var ground: String
        }
        package struct Part: Encodable {
            var sector: String
            var sectorKey: String
            var status: String
            var statusKey: String
            var canAssess: Bool
            var options: [Choice]
        }
        package var id: UUID
        package var label: String
        package var imdiReference: String
        package var municipality: String
        package var urgent: Bool
        package var receivedAt: String
        package var answerDueAt: String
        package var answerDueISO: String
        package var clock: String
        package var clockText: String
        package var rooms: Int?
        package var accessibleHousing: Bool
        package var kindergartenPlaces: Int
        package var schoolPlaces: Int
        package var healthNeeds: String?
        package var otherNeeds: String?
        package var expectedArrival: String?
        package var members: [Member]
        package var parts: [Part]
        package var assessmentNote: String?
        package var decision: String
        package var decisionKey: String
        package var decisionReason: String?
        package var decidedAt: String?
        package var canDecide: Bool
        package var canArrive: Bool
        package var householdId: UUID?
        package var canDelete: Bool
        package var error: String?
        package var today: String
        /// The sectors whose assessment is still pending, by name; answering yes then needs an override.
        package var pendingSectors: String?
        /// The proposal's expected arrival (not in the future), else today: the default for the arrival step.
        package var arrivalDefault: String
        /// The dwellings with the rooms the proposal needs, for those who allocate them (the housing feature's).
        package var housingCapacity: HousingCapacity?
    }

    package func incomingView(_ req: Request, _ h: IncomingHousehold, error: String? = nil) async throws -> View {
        let names = try await req.municipalityNames()
        let clock = AnswerClock(h, now: Oslo.now())
        let pending = h.decision == .pending
        let today = LocalDate.today
        return try await req.page(
            "Settlement/incoming", titleKey: "incoming.one",
            IncomingView(
                id: h.id!, label: h.label, imdiReference: h.imdiReference,
                municipality: names[h.$municipality.id] ?? "", urgent: h.urgent,
                receivedAt: Oslo.stamp(h.receivedAt), answerDueAt: Oslo.stamp(h.answerDueAt),
                answerDueISO: ISO8601DateFormatter().string(from: h.answerDueAt), clock: clock.status.rawValue,
                clockText: Self.clockText(clock, req),
                rooms: h.rooms, accessibleHousing: h.accessibleHousing, kindergartenPlaces: h.kindergartenPlaces,
                schoolPlaces: h.schoolPlaces,
                healthNeeds: h.healthNeeds, otherNeeds: h.otherNeeds, expectedArrival: h.expectedArrival?.iso,
                members: h.members.sorted { $0.birthDate < $1.birthDate }.map {
                    .init(
                        name: "\($0.givenName) \($0.familyName)", birthDate: $0.birthDate.iso,
                        age: $0.birthDate.age(on: today),
                        sex: $0.sex.labelKey, relation: $0.relation.labelKey,
                        citizenship: $0.citizenship, ground: $0.residenceGround.labelKey)
                },
                parts: [Sector.housing, .kindergarten, .school, .health].map { s in
                    let status = h.status(for: s) ?? .pending
                    return .init(
                        sector: s.rawValue, sectorKey: s.labelKey, status: status.rawValue,
                        statusKey: status.labelKey,
                        canAssess: pending
                            && req.may(
                                .update,
                                .sectorPart(
                                    municipality: h.$municipality.id, sharedWith: IncomingHousehold.assessingSectors,
                                    sector: s)),
                        options: AssessmentStatus.allCases.map {
                            Choice(
                                value: $0.rawValue, label: $0.labelKey, selected: $0 == status)
                        })
                },
                assessmentNote: h.assessmentNote, decision: h.decision.rawValue,
                decisionKey: h.decision.labelKey,
                decisionReason: h.decisionReason,
                decidedAt: h.decidedAt.map { Oslo.stamp($0) },
                canDecide: pending && req.may(.update, h.resource),
                canArrive: h.decision == .accepted && h.householdID == nil
                    && req.may(.create, .personalData(municipality: h.$municipality.id, sharedWith: [])),
                householdId: req.may(.update, h.resource) ? h.householdID : nil,
                canDelete: req.may(.delete, h.resource),
                error: error, today: today.iso,
                pendingSectors: IncomingService.pendingSectors(h).isEmpty
                    ? nil : IncomingService.pendingSectors(h).map { req.text($0.labelKey) }.joined(separator: ", "),
                arrivalDefault: min(h.expectedArrival ?? today, today).iso,
                housingCapacity: h.householdID == nil && h.decision != .declined
                    ? try await req.application.sharedFacts.housingCapacity(req.context, h.id!) : nil))
    }

    package func showIncoming(req: Request) async throws -> View {
        try await incomingView(
            req, try await IncomingService.find(req.context, try req.pathID("incomingID")))
    }

    /// Runs an action from the proposal page; a validation or state error re-shows the page with the message.
    package func onIncoming(_ req: Request, _ action: (UUID?) async throws -> String) async throws -> Response {
        let id = try req.pathID("incomingID")
        do {
            return req.redirect(to: try await action(id))
        } catch let e as ValidationFailure {
            return try await incomingView(
                req, try await IncomingService.find(req.context, id, for: .read), error: req.message(e)
            ).reshown(req)
        } catch let e as APIError where e.status == .conflict {
            return try await incomingView(
                req, try await IncomingService.find(req.context, id, for: .read), error: req.t("conflict.\(e.code)")
            ).reshown(req, status: .conflict)
        }
    }

    package func assess(req: Request) async throws -> Response {
        try await onIncoming(req) { id in
            let h = try await IncomingService.assess(req.context, id, try req.content.decode(AssessmentInput.self))
            return "/settlement/incoming/\(h.id!)?notice=saved"
        }
    }

    package func decide(req: Request) async throws -> Response {
        try await onIncoming(req) { id in
            let h = try await IncomingService.decide(req.context, id, try req.content.decode(DecisionInput.self))
            return "/settlement/incoming/\(h.id!)?notice=saved"
        }
    }

    package func arrive(req: Request) async throws -> Response {
        try await onIncoming(req) { id in
            let household = try await IncomingService.arrive(req.context, id, try req.content.decode(ArrivalInput.self))
            return "/households/\(household.id!)?notice=created"
        }
    }

    /// Names the proposal, its members and the sector assessments that go with it before it is deleted.
    package func deleteIncomingForm(req: Request) async throws -> View {
        let h = try await IncomingService.find(req.context, try req.pathID("incomingID"), for: .delete)
        // The step names the family: a read of personal data, audited like the proposal's page.
        try await req.audit(
            "read", recordType: "incoming_household", recordID: h.id?.uuidString, municipality: h.$municipality.id)
        return try await req.confirmation(
            titleKey: "incoming.delete_title",
            Confirmation(
                subject: req.text("incoming.delete_subject", [h.label, h.imdiReference]),
                lead: req.text("incoming.delete_lead"),
                losses: [req.text("incoming.delete_members", [String(h.members.count)])],
                action: "/settlement/incoming/\(h.id!)/delete", confirm: req.text("incoming.delete"),
                cancel: "/settlement/incoming/\(h.id!)"))
    }

    package func deleteIncoming(req: Request) async throws -> Response {
        try await IncomingService.delete(req.context, try req.pathID("incomingID"))
        return req.redirect(to: "/settlement?notice=deleted")
    }

    // MARK: Settings and the checklist template

    package struct SettingsView: Encodable {
        package struct Item: Encodable {
            var id: UUID
            var position: Int
            var title: String
            var sectors: [Choice]
            var offsetDays: Int
        }
        package var municipality: String
        package var municipalityName: String
        package var municipalities: [Choice]
        package var answerHoursUrgent: Int
        package var answerHoursOrdinary: Int
        package var items: [Item]
        package var sectors: [Choice]
        package var reference: String
        package var error: String?
        /// The refused field's id on the page.
        package var errorAnchor: String?
    }

    package func settingsView(
        _ req: Request, municipality requested: String?, error: String? = nil, anchor: String? = nil
    ) async throws
        -> View
    {
        let codes = try await req.municipalities(where: .update) { .municipalSettings(municipality: $0) }
        let wanted = requested.flatMap(Kommunenummer.init(_:))
        guard let m = wanted.flatMap({ codes.contains($0) ? $0 : nil }) ?? (requested == nil ? codes.first : nil)
        else {
            throw Abort(.forbidden, reason: "access denied")
        }
        let names = try await req.municipalityNames()
        let s = try await SettlementSettings.settings(for: m, req.context)
        let items = try await SettlementSettings.template(for: m, req.context)
        func sectors(_ selected: Sector) -> [Choice] {
            Sector.allCases.map { Choice(value: $0.rawValue, label: $0.labelKey, selected: $0 == selected) }
        }
        return try await req.page(
            "Settlement/settings", titleKey: "settlement.settings",
            SettingsView(
                municipality: m.value, municipalityName: names[m] ?? m.value,
                municipalities: codes.count > 1
                    ? Choice.municipalities(codes, names: names, selected: m) : [],
                answerHoursUrgent: s.answerHoursUrgent, answerHoursOrdinary: s.answerHoursOrdinary,
                items: items.map {
                    .init(
                        id: $0.id!, position: $0.position, title: $0.title, sectors: sectors($0.sector),
                        offsetDays: $0.offsetDays)
                },
                sectors: sectors(.integration),
                reference: req.application.settlementDefaults.arrivalChecklist.reference, error: error,
                errorAnchor: anchor))
    }

    package func settings(req: Request) async throws -> View {
        try await settingsView(req, municipality: try? req.query.get(String.self, at: "municipality"))
    }

    package struct SettingsForm: Content {
        var municipality: String?
        var answerHoursUrgent: String?
        var answerHoursOrdinary: String?
    }

    /// Runs a settings change; a validation error re-shows the page with the message.
    package func onSettings(
        _ req: Request, municipality: Kommunenummer, _ action: () async throws -> Void
    ) async throws -> Response {
        do {
            try await action()
            return req.redirect(to: "/settlement/settings?municipality=\(municipality.value)&notice=saved")
        } catch let e as ValidationFailure {
            // The field's id on the page: the checklist form's fields carry a prefix.
            let ids: [String: String] = ["title": "new-title", "sector": "new-sector", "offsetDays": "new-offset"]
            let anchor = ids[e.field] ?? e.field
            return try await settingsView(req, municipality: municipality.value, error: req.message(e), anchor: anchor)
                .reshown(req)
        }
    }

    package func updateSettings(req: Request) async throws -> Response {
        let f = try req.content.decode(SettingsForm.self)
        let m = try Validate.municipality(f.municipality)
        return try await onSettings(req, municipality: m) {
            try await SettlementSettings.updateSettings(
                req.context, municipality: m,
                .init(
                    answerHoursUrgent: try Validate.formInt(f.answerHoursUrgent, "answerHoursUrgent"),
                    answerHoursOrdinary: try Validate.formInt(f.answerHoursOrdinary, "answerHoursOrdinary")))
        }
    }

    package struct ItemForm: Content {
        var municipality: String?
        var title: String?
        var sector: String?
        var offsetDays: String?
        var position: String?
    }

    package func itemInput(_ f: ItemForm) throws -> SettlementSettings.ItemInput {
        .init(
            title: f.title, sector: f.sector, offsetDays: try Validate.formInt(f.offsetDays, "offsetDays"),
            position: try Validate.formInt(f.position, "position"))
    }

    package func addTemplateItem(req: Request) async throws -> Response {
        let f = try req.content.decode(ItemForm.self)
        let m = try Validate.municipality(f.municipality)
        return try await onSettings(req, municipality: m) {
            _ = try await SettlementSettings.addItem(req.context, municipality: m, try itemInput(f))
        }
    }

    package func updateTemplateItem(req: Request) async throws -> Response {
        let f = try req.content.decode(ItemForm.self)
        let item = try await SettlementSettings.findItem(req.context, try req.pathID("itemID"))
        return try await onSettings(req, municipality: item.$municipality.id) {
            _ = try await SettlementSettings.updateItem(req.context, item.id, try itemInput(f))
        }
    }

    package func deleteTemplateItem(req: Request) async throws -> Response {
        let m = try await SettlementSettings.deleteItem(req.context, try req.pathID("itemID"))
        return req.redirect(to: "/settlement/settings?municipality=\(m.value)&notice=deleted")
    }

    // MARK: A household's arrival checklist

    package func createChecklist(req: Request) async throws -> Response {
        let f = try req.content.decode(ArrivalInput.self)
        let h = try await ArrivalChecklist.create(
            req.context, householdID: try req.pathID("householdID"), arrival: f.arrivalDate)
        return req.redirect(to: "/households/\(h.id!)?notice=created#checklist")
    }

    package func markTask(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        let id = try req.pathID("householdID")
        // The form sends a date to tick a task off, or reopen=1 to open it again.
        let done: String? = f["reopen"] != nil ? nil : (f["doneOn"] ?? "")
        _ = try await ArrivalChecklist.mark(
            req.context, householdID: id, taskID: try req.pathID("taskID"), TaskInput(doneOn: done))
        return req.redirect(to: "/households/\(id)?notice=saved#checklist")
    }
}
