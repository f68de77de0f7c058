import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `/api/v1/settlement-years`, `/api/v1/incoming-households` and a household's arrival checklist:
/// the same services, policy and audit as the pages.
package struct SettlementAPIController: RouteCollection {
    package struct ListQuery: Content {
        package var municipality: String?
        package func validated() throws -> Kommunenummer? { try municipality.map { try Validate.municipality($0) } }
    }

    package func boot(routes: any RoutesBuilder) throws {
        let years = routes.grouped("settlement-years")
        years.get { req async throws -> [SettlementYearDTO] in
            let m = try req.query.decode(ListQuery.self).validated()
            var out: [SettlementYearDTO] = []
            for y in try await SettlementYearService.list(req.context, municipality: m?.value) {
                out.append(
                    SettlementYearDTO(
                        y, try await SettlementYearService.progress(req.context, y), rule: req.application.disclosure))
            }
            return out
        }
        years.gated(.create, .settlementPlan).post { req async throws -> Response in
            let y = try await SettlementYearService.create(req.context, try req.json(SettlementYearInput.self))
            return try await SettlementYearDTO(
                y, try await SettlementYearService.progress(req.context, y), rule: req.application.disclosure
            )
            .encodeResponse(
                status: .created, for: req)
        }
        years.get(":yearID") { req async throws -> SettlementYearDTO in
            let y = try await SettlementYearService.find(req.context, try req.pathID("yearID"))
            return SettlementYearDTO(
                y, try await SettlementYearService.progress(req.context, y), rule: req.application.disclosure)
        }
        years.gated(.update, .settlementPlan).put(":yearID") { req async throws -> SettlementYearDTO in
            let y = try await SettlementYearService.update(
                req.context, try req.pathID("yearID"), try req.json(SettlementYearInput.self))
            return SettlementYearDTO(
                y, try await SettlementYearService.progress(req.context, y), rule: req.application.disclosure)
        }
        years.gated(.delete, .settlementPlan).delete(":yearID") { req async throws -> HTTPStatus in
            try await SettlementYearService.delete(req.context, try req.pathID("yearID"))
            return .noContent
        }

        let incoming = routes.grouped("incoming-households")
        incoming.get { req async throws -> [IncomingDTO] in
            try await IncomingService.list(
                req.context, municipality: try req.query.decode(ListQuery.self).validated()?.value
            )
            .map {
                IncomingDTO($0)
            }
        }
        incoming.gated(.create, .personalData).post { req async throws -> Response in
            try await IncomingDTO(try await IncomingService.create(req.context, try req.json(IncomingInput.self)))
                .encodeResponse(status: .created, for: req)
        }
        incoming.get(":incomingID") { req async throws -> IncomingDTO in
            IncomingDTO(try await IncomingService.find(req.context, try req.pathID("incomingID")))
        }
        incoming.gated(.update, .personalData).put(":incomingID") { req async throws -> IncomingDTO in
            IncomingDTO(
                try await IncomingService.update(
                    req.context, try req.pathID("incomingID"), try req.json(IncomingInput.self)))
        }
        incoming.gated(.delete, .personalData).delete(":incomingID") { req async throws -> HTTPStatus in
            try await IncomingService.delete(req.context, try req.pathID("incomingID"))
            return .noContent
        }
        incoming.gated(.update, .sectorPart).post(":incomingID", "assessment") { req async throws -> IncomingDTO in
            IncomingDTO(
                try await IncomingService.assess(
                    req.context, try req.pathID("incomingID"), try req.json(AssessmentInput.self)))
        }
        incoming.gated(.update, .personalData).post(":incomingID", "decision") { req async throws -> IncomingDTO in
            IncomingDTO(
                try await IncomingService.decide(
                    req.context, try req.pathID("incomingID"), try req.json(DecisionInput.self)))
        }
        incoming.gated(.update, .personalData).post(":incomingID", "arrival") { req async throws -> Response in
            let h = try await IncomingService.arrive(
                req.context, try req.pathID("incomingID"), try req.json(ArrivalInput.self))
            try await h.$members.load(on: req.store)
            return try await HouseholdDTO(h).encodeResponse(status: .created, for: req)
        }

        let checklist = routes.grouped("households", ":householdID", "checklist")
        checklist.get { req async throws -> [ArrivalTaskDTO] in
            let h = try await HouseholdService.find(req.context, try req.pathID("householdID"))
            return try await ArrivalChecklist.tasks(req.context, h).map { ArrivalTaskDTO($0) }
        }
        checklist.gated(.update, .personalData).post { req async throws -> Response in
            let h = try await ArrivalChecklist.create(
                req.context, householdID: try req.pathID("householdID"),
                arrival: try req.json(ChecklistInput.self).arrivalDate)
            return try await ArrivalChecklist.tasks(req.context, h).map { ArrivalTaskDTO($0) }.encodeResponse(
                status: .created, for: req)
        }
        checklist.gated(.update, .sectorPart).put(":taskID") { req async throws -> ArrivalTaskDTO in
            ArrivalTaskDTO(
                try await ArrivalChecklist.mark(
                    req.context, householdID: try req.pathID("householdID"),
                    taskID: try req.pathID("taskID"), try req.json(TaskInput.self)))
        }
    }
}
