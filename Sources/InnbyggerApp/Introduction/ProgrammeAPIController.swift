import Fluent
import Vapor

/// `/api/v1/persons/{id}/programme` (read, write, attendance, ending) and `/api/v1/programme/payouts`.
struct ProgrammeAPIController: RouteCollection {
    struct ProgrammeDTO: Content {
        struct Measure: Content { var id: UUID; var kind: String; var title: String?; var from: String; var to: String; var weeklyMinutes: Int; var selfStudy: Bool }
        struct Attendance: Content { var date: String; var period: String; var presentMinutes: Int; var absenceMinutes: Int; var absenceKind: String?; var measureId: UUID? }
        struct Month: Content { var month: String; var factor: String; var monthlyOre: Int; var absenceDeductionOre: Int; var netOre: Int; var requiresDecision: Bool }
        var personId: UUID; var status: String; var lawRegime: String
        var mappingDate: String?; var guidanceDate: String?; var decisionDate: String?; var startDate: String?; var finalGoal: String?
        var plannedMonths: Int?; var extensionMonths: Int; var plannedEnd: String?; var planDate: String?; var contractSigned: String?
        var norwegianTarget: [String: String]; var stopKind: String?; var stopDate: String?; var endDate: String?; var endReason: String?
        var nextReview: String?; var measures: [Measure]; var attendance: [Attendance]; var benefit: [Month]
        var shortWeeks: [WeekLoad]; var missingForNIR: [String]

        init(_ f: ProgrammeFacts) {
            let p = f.part
            personId = f.person.id!; status = f.status.rawValue; lawRegime = p.lawRegime; mappingDate = p.mappingDate
            guidanceDate = p.guidanceDate; decisionDate = p.decisionDate; startDate = p.startDate; finalGoal = p.finalGoal
            plannedMonths = p.plannedMonths; extensionMonths = p.extensionMonths; plannedEnd = f.plannedEnd?.iso; planDate = p.planDate
            contractSigned = p.contractSigned; norwegianTarget = p.norwegianTarget; stopKind = p.stopKind; stopDate = p.stopDate
            endDate = p.endDate; endReason = p.endReason; nextReview = f.nextReview?.iso
            measures = p.measures.sorted { $0.from < $1.from }.map { .init(id: $0.id!, kind: $0.kind, title: $0.title, from: $0.from, to: $0.to, weeklyMinutes: $0.weeklyMinutes, selfStudy: $0.selfStudy) }
            attendance = p.attendance.sorted { $0.date < $1.date }.map { .init(date: $0.date, period: $0.period, presentMinutes: $0.presentMinutes, absenceMinutes: $0.absenceMinutes, absenceKind: $0.absenceKind, measureId: $0.measureID) }
            benefit = f.benefitHistory.map { .init(month: $0.month.iso, factor: $0.factor, monthlyOre: $0.monthlyOre, absenceDeductionOre: $0.absenceDeductionOre, netOre: $0.netOre, requiresDecision: $0.requiresDecision) }
            shortWeeks = f.shortWeeks; missingForNIR = NIRCompleteness.missing(f.nirSnapshot)
        }
    }

    static func dto(_ req: Request, _ personID: UUID?) async throws -> ProgrammeDTO {
        let (person, part) = try await ProgrammeService.load(req, personID)
        guard let part else { throw Abort(.notFound, reason: "no programme is registered for this person") }
        return ProgrammeDTO(ProgrammeFacts(part: part, person: person, parameters: req.application.programmeParameters, today: .today))
    }

    func boot(routes: any RoutesBuilder) throws {
        let p = routes.grouped("persons", ":personID", "programme")
        p.get { req async throws -> ProgrammeDTO in
            // The read is audited with the person file.
            try await Self.dto(req, req.parameters.get("personID", as: UUID.self))
        }
        p.gated(.update, .programme).put { req async throws -> ProgrammeDTO in
            let id = req.parameters.get("personID", as: UUID.self)
            _ = try await ProgrammeService.save(req, id, try req.json(ParticipationInput.self))
            return try await Self.dto(req, id)
        }
        p.gated(.update, .programme).post("attendance") { req async throws -> Response in
            let id = req.parameters.get("personID", as: UUID.self)
            _ = try await ProgrammeService.addAttendance(req, id, try req.json(AttendanceInput.self))
            return try await Self.dto(req, id).encodeResponse(status: .created, for: req)
        }
        p.gated(.update, .programme).post("ending") { req async throws -> ProgrammeDTO in
            let id = req.parameters.get("personID", as: UUID.self)
            _ = try await ProgrammeService.end(req, id, try req.json(EndingInput.self))
            return try await Self.dto(req, id)
        }
        routes.get("programme", "payouts") { req async throws -> ProgrammeLists.Payouts in
            // The API is strict where the page's filter form sends empty values for "all".
            let f = try req.query.decode(ProgrammeLists.Filter.self)
            if let m = f.municipality { _ = try Validate.municipality(m) }
            if let m = f.month, YearMonth(iso: m) == nil { throw ValidationFailure(field: "month", message: "month must be yyyy-MM") }
            return try await ProgrammeLists.payoutList(req, f)
        }
    }
}

extension WeekLoad: Content {}
