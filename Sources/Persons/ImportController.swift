import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The import page (`/import`: upload, progress, result) and `POST /api/v1/imports/persons` (CSV body, answers when
/// done).
package struct ImportController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("import", use: form)
        routes.gated(.create, .personalData).on(.POST, "import", body: .collect(maxSize: Uploads.maxSize), use: upload)
        routes.get("import", ":jobID", use: show)
    }

    package struct FormView: Encodable {
        package struct Job: Encodable {
            var id: UUID
            var filename: String
            var status: String
            var createdAt: String
            var persons: Int
        }
        package var municipalities: [Choice]
        package var columns: [String]
        package var required: [String]
        package var jobs: [Job]
        package var error: String?
    }

    package func formView(_ req: Request, error: String? = nil) async throws -> View {
        let codes = try await req.municipalities(where: .create) { .personalData(municipality: $0, sharedWith: []) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let names = try await req.municipalityNames()
        let user = try req.requireUser()
        let jobs = try await ImportJob.query(on: req.store).filter(\.$userID == user.id).sort(\.$createdAt, .descending)
            .limit(10).all()
        return try await req.page(
            "Persons/import", titleKey: "import.title",
            FormView(
                municipalities: Choice.municipalities(codes, names: names),
                columns: PersonImport.columns, required: PersonImport.required,
                jobs: jobs.map {
                    .init(
                        id: $0.id!, filename: $0.filename, status: $0.status.labelKey,
                        createdAt: Oslo.stamp($0.createdAt), persons: $0.personsCreated)
                },
                error: error))
    }

    package func form(req: Request) async throws -> View { try await formView(req) }

    package struct Upload: Content {
        var municipality: String?
        var file: File?
    }

    package func upload(req: Request) async throws -> Response {
        let u = try req.content.decode(Upload.self)
        guard let file = u.file, file.data.readableBytes > 0 else {
            return try await formView(req, error: req.application.translations.text("import.no_file", req.language))
                .reshown(req)
        }
        guard let text = file.utf8Text else {
            return try await formView(req, error: req.application.translations.text("import.not_utf8", req.language))
                .reshown(req)
        }
        let (job, rows) = try await ImportService.start(
            req.context, municipality: u.municipality, filename: file.filename, text: text)
        if job.status == .running {
            // Stored in the background so the progress page can follow it; the job row records the outcome.
            let app = req.application
            let route = req.routeLabel
            Task { await ImportService.store(job, rows, app: app, route: route) }
        }
        return req.redirect(to: "/import/\(job.id!)")
    }

    package struct JobView: Encodable {
        package var id: UUID
        package var filename: String
        package var status: String
        package var statusKey: String
        package var municipality: String
        package var total: Int
        package var stored: Int
        package var persons: Int
        package var households: Int
        package var problems: [ImportProblem]
        package var running: Bool
        package var createdAt: String
    }

    package static func find(_ ctx: ServiceContext, _ id: UUID?) async throws -> ImportJob {
        guard let id, let job = try await ImportJob.find(id, on: ctx.db) else { throw Abort(.notFound) }
        // The person who ran it, or anyone who may create files in the municipality, may follow it.
        guard
            job.userID == ctx.user?.id
                || ctx.may(.create, .personalData(municipality: job.$municipality.id, sharedWith: []))
        else {
            throw Abort(.forbidden, reason: "access denied")
        }
        return job
    }

    package func show(req: Request) async throws -> View {
        let job = try await Self.find(req.context, try req.pathID("jobID"))
        let names = try await req.municipalityNames()
        let stored =
            job.status == .running ? (await req.application.importProgress.get(job.id!) ?? 0) : job.personsCreated
        return try await req.page(
            "Persons/import-job", titleKey: "import.job",
            JobView(
                id: job.id!, filename: job.filename, status: job.status.rawValue,
                statusKey: job.status.labelKey,
                municipality: names[job.$municipality.id] ?? "", total: job.totalRows, stored: stored,
                persons: job.personsCreated, households: job.householdsCreated, problems: job.problems,
                running: job.status == .running, createdAt: Oslo.stamp(job.createdAt)))
    }
}

/// `POST /api/v1/imports/persons?municipality=3420` with a `text/csv` body; `GET /api/v1/imports/{jobID}`.
package struct ImportAPIController: RouteCollection {
    package struct JobDTO: Content {
        package var id: UUID
        package var municipality: Kommunenummer
        package var status: String
        package var totalRows: Int
        package var personsCreated: Int
        package var householdsCreated: Int
        package var problems: [ImportProblem]
        package init(_ j: ImportJob) {
            id = j.id!
            municipality = j.$municipality.id
            status = j.status.rawValue
            totalRows = j.totalRows
            personsCreated = j.personsCreated
            householdsCreated = j.householdsCreated
            problems = j.problems
        }
    }

    package func boot(routes: any RoutesBuilder) throws {
        // Its own writes: the job commits before the rows are stored, so it can be followed (and reconciled after a
        // stop).
        routes.gated(.create, .personalData).on(.POST, "imports", "persons", body: .collect(maxSize: Uploads.maxSize)) {
            req async throws -> Response in
            let text = try req.csvBody()
            let q = try req.query.decode(ImportQuery.self)
            let (job, rows) = try await ImportService.start(
                req.context, municipality: q.municipality, filename: "api.csv", text: text)
            if job.status == .running {
                await ImportService.store(job, rows, app: req.application, route: req.routeLabel)
            }
            return try await JobDTO(job).encodeResponse(status: job.status == .done ? .created : .badRequest, for: req)
        }.ownWrites()
        routes.get("imports", ":jobID") { req async throws -> JobDTO in
            JobDTO(try await ImportController.find(req.context, try req.pathID("jobID")))
        }
    }
}
