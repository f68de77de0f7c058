import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `/api/v1/persons` and `/api/v1/households`: the same services as the pages.
package struct PersonsAPIController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let persons = routes.grouped("persons")
        persons.get { req async throws -> PersonList in
            let query = try req.query.decode(PersonPageQuery.self)
            let r = try await PersonService.list(req.context, query)
            return PersonList(
                items: r.persons.map { PersonDTO($0, for: req.context) }, total: r.total,
                page: query.cursor == nil ? max(1, query.page ?? 1) : nil,
                pageSize: query.limit ?? PersonService.pageSize,
                nextCursor: r.next?.token)
        }
        persons.gated(.create, .personalData).post { req async throws -> Response in
            let p = try await PersonService.create(req.context, try req.json(PersonInput.self))
            return try await PersonDTO(p, for: req.context).encodeResponse(status: .created, for: req)
        }
        persons.get(":personID") { req async throws -> PersonDTO in
            let p = try await PersonService.find(req.context, try req.pathID("personID"))
            return PersonDTO(p, for: req.context)
        }
        persons.gated(.update, .personalData).put(":personID") { req async throws -> PersonDTO in
            PersonDTO(
                try await PersonService.update(
                    req.context, try req.pathID("personID"), try req.json(PersonInput.self)),
                for: req.context)
        }
        persons.gated(.update, .personalData).put(":personID", "move-out") { req async throws -> PersonDTO in
            PersonDTO(
                try await PersonService.moveOut(
                    req.context, try req.pathID("personID"), try req.json(PersonService.MoveOutInput.self)),
                for: req.context)
        }
        persons.gated(.update, .personalData).delete(":personID", "move-out") { req async throws -> PersonDTO in
            PersonDTO(try await PersonService.cancelMoveOut(req.context, try req.pathID("personID")), for: req.context)
        }
        persons.gated(.delete, .personalData).delete(":personID") { req async throws -> HTTPStatus in
            try await PersonService.delete(req.context, try req.pathID("personID"))
            return .noContent
        }

        let households = routes.grouped("households")
        households.get { req async throws -> Response in
            struct Query: Content {
                var page: Int?
                var limit: Int?
                var cursor: String?
            }
            let q = try req.query.decode(Query.self)
            let r = try await HouseholdService.list(
                req.context, try PageWindow(page: q.page, after: q.cursor, limit: q.limit))
            // The array of one page, as before; how many there are in all and where the next page starts, in headers.
            let res = try await r.households.map(HouseholdDTO.init).encodeResponse(for: req)
            res.headers.replaceOrAdd(name: "X-Total-Count", value: "\(r.total)")
            if let next = r.next { res.headers.replaceOrAdd(name: "X-Next-Cursor", value: next.token) }
            return res
        }
        households.gated(.create, .personalData).post { req async throws -> Response in
            let h = try await HouseholdService.create(req.context, try req.json(HouseholdInput.self))
            return try await HouseholdDTO(h).encodeResponse(status: .created, for: req)
        }
        households.get(":householdID") { req async throws -> HouseholdDTO in
            HouseholdDTO(try await HouseholdService.find(req.context, try req.pathID("householdID")))
        }
        households.gated(.update, .personalData).put(":householdID") { req async throws -> HouseholdDTO in
            HouseholdDTO(
                try await HouseholdService.update(
                    req.context, try req.pathID("householdID"), try req.json(HouseholdInput.self)))
        }
        households.gated(.delete, .personalData).delete(":householdID") { req async throws -> HTTPStatus in
            try await HouseholdService.delete(req.context, try req.pathID("householdID"))
            return .noContent
        }
    }
}

package struct PersonList: Content {
    package var items: [PersonDTO]
    package var total: Int
    /// The page number when paged by number; absent when paged by cursor.
    package var page: Int?
    package var pageSize: Int
    /// Where the next page starts (`cursor=`); absent on the last page.
    package var nextCursor: String?
}
