import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The introduction-programme pages: a participant's programme (`/persons/:id/programme`), the participation
/// certificate, and the municipality's lists (participants and caseload, payouts, data quality for NIR).
package struct ProgrammeController: RouteCollection {

    package func boot(routes: any RoutesBuilder) throws {
        let p = routes.grouped("persons", ":personID", "programme")
        p.get(use: show)
        // Every change to a programme is an update of the person's file.
        let change = p.gated(.update, .programme)
        change.post(use: save)
        change.post("measures", use: addMeasure)
        p.get("measures", ":measureID", "delete", use: removeMeasureForm)
        change.post("measures", ":measureID", "delete", use: removeMeasure)
        change.post("leaves", use: addLeave)
        change.post("attendance", use: addAttendance)
        change.post("attendance", ":entryID", "delete", use: removeAttendance)
        change.post("reviews", use: addReview)
        change.post("ending", use: end)
        change.post("outcomes", use: addOutcome)
        change.post("deductions", use: addDeduction)
        p.get("certificate", use: certificate)
        let lists = routes.grouped("programme")
        lists.get(use: ProgrammeLists.overview)
        lists.get("payouts", use: ProgrammeLists.payouts)
        Export.routes(lists, [], last: "payouts", ProgrammeLists.payoutsExport)
        Export.routes(lists, [], last: "participants", ProgrammeLists.participantsExport)
        lists.get("data-quality", use: ProgrammeLists.dataQuality)
        Export.routes(lists, [], last: "nir", ProgrammeLists.nirExport)
        lists.get("attendance", use: GroupAttendance.page)
        lists.gated(.update, .programme).post("attendance", use: GroupAttendance.save)
    }

    package struct SubFormError {
        var form: String
        var failure: ValidationFailure
        var posted: [String: String]
    }

    package static func input(_ part: PersonProgramme?) -> ProgrammeInput {
        guard let p = part else { return ProgrammeInput() }
        return ProgrammeInput(
            lawRegime: p.lawRegime.rawValue, mappingDate: p.mappingDate?.iso, mappingBy: p.mappingBy,
            mappingSummary: p.mappingSummary,
            guidanceDate: p.guidanceDate?.iso, guidanceCentre: p.guidanceCentre,
            guidanceRecommendation: p.guidanceRecommendation,
            decisionDate: p.decisionDate?.iso, startDate: p.startDate?.iso, finalGoal: p.finalGoal?.rawValue,
            plannedMonths: p.plannedMonths,
            extensionMonths: p.extensionMonths, extensionReason: p.extensionReason, planDate: p.planDate?.iso,
            contractSigned: p.contractSigned?.iso, norwegianTarget: p.norwegianTarget,
            livesWithParents: p.livesWithParents,
            coupleWithoutChildren: p.coupleWithoutChildren, stopKind: p.stopKind?.rawValue, stopDate: p.stopDate?.iso,
            stopEnd: p.stopEnd?.iso)
    }

    package func page(
        _ req: Request, _ personID: UUID?, input override: ProgrammeInput? = nil, error: ValidationFailure? = nil,
        message: String? = nil,
        sub: SubFormError? = nil
    ) async throws -> View {
        let model = try await ProgrammePage.load(
            req.context, person: personID, lang: req.language, input: override, error: error, message: message, sub: sub
        )
        return try await req.page("Programme/programme", titleKey: "programme.title", model)
    }

    package func show(req: Request) async throws -> View {
        try await page(req, try req.pathID("personID"))
    }

    /// Reads the main form: empty fields are "not given"; numbers must be whole; checkboxes send "on".
    package static func formInput(_ req: Request) throws -> ProgrammeInput {
        let f = try FormReader(req)
        let v = f.text
        let int = f.int
        var target: [String: String] = [:]
        for s in NorwegianSkill.allCases { if let l = v("target.\(s.rawValue)") { target[s.rawValue] = l } }
        return ProgrammeInput(
            lawRegime: v("lawRegime"), mappingDate: v("mappingDate"), mappingBy: v("mappingBy"),
            mappingSummary: v("mappingSummary"),
            guidanceDate: v("guidanceDate"), guidanceCentre: v("guidanceCentre"),
            guidanceRecommendation: v("guidanceRecommendation"),
            decisionDate: v("decisionDate"), startDate: v("startDate"), finalGoal: v("finalGoal"),
            plannedMonths: try int("plannedMonths"),
            extensionMonths: try int("extensionMonths"), extensionReason: v("extensionReason"), planDate: v("planDate"),
            contractSigned: v("contractSigned"), norwegianTarget: target,
            livesWithParents: f.checkbox("livesWithParents"),
            coupleWithoutChildren: f.checkbox("coupleWithoutChildren"), stopKind: v("stopKind"),
            stopDate: v("stopDate"),
            stopEnd: v("stopEnd")
        )
    }

    /// Runs a change; a validation or state error re-shows the page with the message (the main form keeps its input).
    /// `form` names one of the smaller forms (measures, attendance …): its error is shown at that form with the input
    /// kept.
    package func run(
        _ req: Request, form: String? = nil, input: ProgrammeInput? = nil, _ action: (UUID?) async throws -> Void
    ) async throws -> Response {
        let id = try req.pathID("personID")
        do {
            try await action(id)
            return req.redirect(to: "/persons/\(id)/programme?notice=saved")
        } catch let e as ValidationFailure {
            let view: View
            if let form {
                var posted = (try? req.content.decode([String: String].self)) ?? [:]
                posted["_csrf"] = nil
                view = try await page(req, id, input: input, sub: SubFormError(form: form, failure: e, posted: posted))
            } else {
                view = try await page(req, id, input: input, error: e)
            }
            return try await view.reshown(req)
        } catch let e as APIError where e.status == .conflict {
            return try await page(req, id, input: input, message: e.reason).reshown(req, status: .conflict)
        }
    }

    package func save(req: Request) async throws -> Response {
        let input: ProgrammeInput
        do { input = try Self.formInput(req) } catch let e as ValidationFailure {
            return try await page(req, try req.pathID("personID"), error: e).reshown(req)
        }
        return try await run(req, input: input) { id in _ = try await ProgrammeService.save(req.context, id, input) }
    }

    package func addMeasure(req: Request) async throws -> Response {
        try await run(req, form: "measures") { id in
            let f = try FormReader(req)
            _ = try await ProgrammeService.addMeasure(
                req.context, id,
                MeasureInput(
                    kind: f.raw("kind"), title: f.raw("title"), from: f.raw("from"), to: f.raw("to"),
                    weeklyHours: try f.decimal("weeklyHours"), selfStudy: f.checkbox("selfStudy"),
                    owner: f.text("owner")))
        }
    }

    /// Names the measure, and the attendance recorded against it, before it is removed from the plan.
    package func removeMeasureForm(req: Request) async throws -> View {
        let (p, part) = try await ProgrammeService.existing(req.context, try req.pathID("personID"))
        let measureID = try req.pathID("measureID")
        guard let m = part.measures.first(where: { $0.id == measureID }) else { throw Abort(.notFound) }
        let kind = req.text(m.kind.labelKey)
        let attendance = try await AttendanceEntry.query(on: req.store).filter(\.$measureID == measureID).count()
        return try await req.confirmation(
            titleKey: "programme.remove_measure_title",
            Confirmation(
                subject: req.text(
                    "programme.remove_measure_subject",
                    [m.title.map { "\(kind) – \($0)" } ?? kind, m.from.norwegian, m.to.norwegian, p.fullName]),
                lead: req.text("programme.remove_measure_lead"),
                losses: attendance == 0 ? [] : [req.text("programme.remove_measure_attendance", [String(attendance)])],
                action: "/persons/\(p.id!)/programme/measures/\(measureID)/delete",
                confirm: req.text("settings.remove"),
                cancel: "/persons/\(p.id!)/programme"))
    }

    package func removeMeasure(req: Request) async throws -> Response {
        try await run(req) { id in
            try await ProgrammeService.removeMeasure(
                req.context, id, measureID: try req.pathID("measureID"))
        }
    }

    package func addLeave(req: Request) async throws -> Response {
        try await run(req, form: "leaves") { id in
            let f = try FormReader(req)
            _ = try await ProgrammeService.addLeave(
                req.context, id,
                LeaveInput(
                    from: f.raw("from"), to: f.raw("to"), reason: f.raw("reason"),
                    withoutBenefit: f.checkbox("withoutBenefit")))
        }
    }

    package func addAttendance(req: Request) async throws -> Response {
        try await run(req, form: "attendance") { id in
            let f = try FormReader(req)
            _ = try await ProgrammeService.addAttendance(
                req.context, id,
                AttendanceInput(
                    date: f.raw("date"), period: f.raw("period"), presentHours: try f.decimal("presentHours"),
                    absenceHours: try f.decimal("absenceHours"), absenceKind: f.text("absenceKind"),
                    measureId: try f.id("measureId")))
        }
    }

    package func removeAttendance(req: Request) async throws -> Response {
        try await run(req) { id in
            try await ProgrammeService.removeAttendance(req.context, id, entryID: try req.pathID("entryID"))
        }
    }

    package func addReview(req: Request) async throws -> Response {
        try await run(req, form: "reviews") { id in
            _ = try await ProgrammeService.addReview(req.context, id, try req.content.decode(ReviewInput.self))
        }
    }

    package func end(req: Request) async throws -> Response {
        // Ending is for good (the benefit stops and the right lapses): the form asks once more, naming the person,
        // the day and the reason, with the choices carried in hidden fields.
        let f = try FormReader(req)
        if f.text("confirmed") != "yes", let date = f.text("endDate").flatMap(LocalDate.init(parsing:)),
            let reason = f.text("endReason").flatMap(EndReason.init(rawValue:))
        {
            let p = try await PersonService.find(req.context, try req.pathID("personID"))
            return try await req.confirmation(
                titleKey: "programme.end_title",
                Confirmation(
                    subject: req.text(
                        "programme.end_subject", [p.fullName, date.norwegian, req.text(reason.labelKey)]),
                    lead: req.text("programme.end_lead"), action: "/persons/\(p.id!)/programme/ending",
                    confirm: req.text("programme.end"), cancel: "/persons/\(p.id!)/programme",
                    fields: [("endDate", date.iso), ("endReason", reason.rawValue), ("confirmed", "yes")])
            ).encodeResponse(for: req)
        }
        return try await run(req, form: "ending") { id in
            _ = try await ProgrammeService.end(req.context, id, try req.content.decode(EndingInput.self))
        }
    }

    package func addOutcome(req: Request) async throws -> Response {
        try await run(req, form: "outcomes") { id in
            _ = try await ProgrammeService.addOutcome(req.context, id, try req.content.decode(OutcomeInput.self))
        }
    }

    package func addDeduction(req: Request) async throws -> Response {
        try await run(req, form: "deductions") { id in
            let f = try FormReader(req)
            _ = try await ProgrammeService.addDeduction(
                req.context, id,
                DeductionInput(month: f.raw("month"), amount: try f.decimal("amount"), reason: f.raw("reason")))
        }
    }

    package struct CertificateView: Encodable {
        package struct Line: Encodable {
            var kindKey: String
            var title: String?
            var from: String
            var to: String
            /// Hours present, as recorded.
            var hours: String
        }
        package var name: String
        package var birthDate: String
        package var municipality: String
        /// The service unit that issues it, and the person who does.
        package var unit: String?
        package var issuer: String
        package var start: String
        package var end: String
        /// "Gjennomført – til arbeid"; an interruption is only "Avbrutt": its reason is private.
        package var outcomeKey: String
        package var lines: [Line]
        /// Hours present not tied to one measure.
        package var otherHours: String?
        package var totalHours: String
        package var issued: String
        package var goalKey: String?
        package var personID: UUID
    }

    /// The participation certificate (deltakerbevis, integreringsloven § 18 a), on completion or interruption: the
    /// issuing municipality and unit, who issued it and when, the content and the hours actually attended (from the
    /// attendance records), and the outcome without the private reason for an interruption.
    package func certificate(req: Request) async throws -> View {
        let (person, part) = try await ProgrammeService.load(req.context, try req.pathID("personID"))
        guard let part, let end = part.endDate, let start = part.startDate,
            let reason = part.endReason
        else {
            throw Abort(.notFound, reason: "the programme has not ended")
        }
        let names = try await req.municipalityNames()
        let inPeriod = part.attendance.filter { $0.date >= start.weekStart && $0.date <= end }
        let lines = part.measures.sorted { $0.from < $1.from }.map { m -> CertificateView.Line in
            let minutes = inPeriod.filter { $0.measureID == m.id }.reduce(0) { $0 + $1.presentMinutes }
            return .init(
                kindKey: m.kind.labelKey, title: m.title, from: max(m.from, start).iso, to: min(m.to, end).iso,
                hours: NorwegianFormat.hours(minutes: minutes))
        }
        let measureIDs = Set(part.measures.compactMap(\.id))
        let other = inPeriod.filter { $0.measureID.map { !measureIDs.contains($0) } ?? true }
            .reduce(0) { $0 + $1.presentMinutes }
        let total = inPeriod.reduce(0) { $0 + $1.presentMinutes }
        let user = try req.requireUser()
        let unitID = try await RoleAssignment.query(on: req.store).filter(\.$user.$id == user.id)
            .filter(\.$unit.$id != nil).all().compactMap { $0.$unit.id }.first
        var unit: String? = nil
        if let unitID { unit = try await ServiceUnit.find(unitID, on: req.store)?.name }
        try await req.audit(
            "certificate", recordType: "programme", recordID: person.id?.uuidString,
            municipality: person.$municipality.id)
        return try await req.page(
            "Programme/certificate", titleKey: "certificate.title",
            CertificateView(
                name: person.fullName, birthDate: person.birthDate.iso,
                municipality: names[person.$municipality.id] ?? "", unit: unit, issuer: user.displayName,
                start: start.iso, end: end.iso,
                outcomeKey: reason.isCompleted ? "certificate.outcome.\(reason.rawValue)" : "certificate.interrupted",
                lines: lines,
                otherHours: other > 0 ? NorwegianFormat.hours(minutes: other) : nil,
                totalHours: NorwegianFormat.hours(minutes: total), issued: LocalDate.today.iso,
                goalKey: part.finalGoal.map { $0.labelKey }, personID: person.id!))
    }
}
