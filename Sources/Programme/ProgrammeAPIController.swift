import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `/api/v1/persons/{id}/programme` (read, write, attendance, ending) and `/api/v1/programme/payouts`.
package struct ProgrammeAPIController: RouteCollection {
    package struct ProgrammeDTO: Content {
        package struct Measure: Content {
            var id: UUID
            var kind: MeasureKind
            var title: String?
            var from: LocalDate
            var to: LocalDate
            var weeklyMinutes: Int
            var selfStudy: Bool
        }
        package struct Attendance: Content {
            var date: LocalDate
            var period: AttendancePeriod
            var presentMinutes: Int
            var absenceMinutes: Int
            var absenceKind: AbsenceKind?
            var measureId: UUID?
        }
        package struct Month: Content {
            var month: String
            var factor: String
            var monthlyOre: Int
            var absenceDeductionOre: Int
            var netOre: Int
            var requiresDecision: Bool
        }
        package var personId: UUID
        package var status: String
        package var lawRegime: LawRegime
        package var mappingDate: LocalDate?
        package var guidanceDate: LocalDate?
        package var decisionDate: LocalDate?
        package var startDate: LocalDate?
        package var finalGoal: FinalGoal?
        package var plannedMonths: Int?
        package var extensionMonths: Int
        package var plannedEnd: String?
        package var planDate: LocalDate?
        package var contractSigned: LocalDate?
        package var norwegianTarget: [String: String]
        package var stopKind: StopKind?
        package var stopDate: LocalDate?
        package var stopEnd: LocalDate?
        package var endDate: LocalDate?
        package var endReason: EndReason?
        package var nextReview: String?
        package var measures: [Measure]
        package var attendance: [Attendance]
        package var benefit: [Month]
        package var shortWeeks: [WeekLoad]
        package var missingForNIR: [String]

        package init(_ f: ProgrammeFacts) {
            let p = f.part
            personId = f.person.id!
            status = f.status.rawValue
            lawRegime = p.lawRegime
            mappingDate = p.mappingDate
            guidanceDate = p.guidanceDate
            decisionDate = p.decisionDate
            startDate = p.startDate
            finalGoal = p.finalGoal
            plannedMonths = p.plannedMonths
            extensionMonths = p.extensionMonths
            plannedEnd = f.plannedEnd?.iso
            planDate = p.planDate
            contractSigned = p.contractSigned
            norwegianTarget = p.norwegianTarget
            stopKind = p.stopKind
            stopDate = p.stopDate
            stopEnd = p.stopEnd
            endDate = p.endDate
            endReason = p.endReason
            nextReview = f.nextReview?.iso
            measures = p.measures.sorted { $0.from < $1.from }.map {
                .init(
                    id: $0.id!, kind: $0.kind, title: $0.title, from: $0.from, to: $0.to,
                    weeklyMinutes: $0.weeklyMinutes, selfStudy: $0.selfStudy)
            }
            attendance = p.attendance.sorted { $0.date < $1.date }.map {
                .init(
                    date: $0.date, period: $0.period, presentMinutes: $0.presentMinutes,
                    absenceMinutes: $0.absenceMinutes, absenceKind: $0.absenceKind, measureId: $0.measureID)
            }
            benefit = f.benefitHistory.map {
                .init(
                    month: $0.month.iso, factor: $0.factor, monthlyOre: $0.monthlyOre,
                    absenceDeductionOre: $0.absenceDeductionOre, netOre: $0.netOre,
                    requiresDecision: $0.requiresDecision)
            }
            shortWeeks = f.shortWeeks
            missingForNIR = NIRCompleteness.missing(f.nirSnapshot)
        }
    }

    package static func dto(_ ctx: ServiceContext, _ personID: UUID?) async throws -> ProgrammeDTO {
        let (person, part) = try await ProgrammeService.load(ctx, personID)
        guard let part else { throw Abort(.notFound, reason: "no programme is registered for this person") }
        return ProgrammeDTO(
            ProgrammeFacts(part: part, person: person, parameters: ctx.app.programmeParameters, today: .today))
    }

    package func boot(routes: any RoutesBuilder) throws {
        let p = routes.grouped("persons", ":personID", "programme")
        p.get { req async throws -> ProgrammeDTO in
            // The read is audited with the person file.
            try await Self.dto(req.context, try req.pathID("personID"))
        }
        p.gated(.update, .programme).put { req async throws -> ProgrammeDTO in
            let id = try req.pathID("personID")
            _ = try await ProgrammeService.save(req.context, id, try req.json(ProgrammeInput.self))
            return try await Self.dto(req.context, id)
        }
        p.gated(.update, .programme).post("attendance") { req async throws -> Response in
            let id = try req.pathID("personID")
            _ = try await ProgrammeService.addAttendance(req.context, id, try req.json(AttendanceInput.self))
            return try await Self.dto(req.context, id).encodeResponse(status: .created, for: req)
        }
        p.gated(.update, .programme).post("ending") { req async throws -> ProgrammeDTO in
            let id = try req.pathID("personID")
            _ = try await ProgrammeService.end(req.context, id, try req.json(EndingInput.self))
            return try await Self.dto(req.context, id)
        }
        routes.get("programme", "payouts") { req async throws -> ProgrammeLists.Payouts in
            // The API is strict where the page's filter form sends empty values for "all".
            let f = try req.query.decode(ProgrammeLists.Filter.self)
            if let m = f.municipality { _ = try Validate.municipality(m) }
            if let m = f.month, YearMonth(input: m) == nil {
                throw ValidationFailure(field: "month", "invalid.month")
            }
            return try await ProgrammeLists.payoutList(req.context, f).payouts
        }
    }
}

extension WeekLoad: Content {}
