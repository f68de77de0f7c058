import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

/// An error with a stable machine-readable code for API clients.
package struct APIError: AbortError {
    package var status: HTTPResponseStatus
    package var code: String
    package var reason: String
    package init(_ status: HTTPResponseStatus, _ code: String, _ reason: String) {
        self.status = status
        self.code = code
        self.reason = reason
    }
}

/// The JSON error body: `{"error": {"code": "…", "message": "…"}}`.
package struct ErrorBody: Content {
    package struct Detail: Content {
        package var code: String
        package var message: String
        package var field: String?

        package init(code: String, message: String, field: String? = nil) {
            self.code = code
            self.message = message
            self.field = field
        }
    }
    package var error: Detail

    package init(error: Detail) {
        self.error = error
    }
}

/// Turns every error into a friendly page or a JSON error. Never a stack trace, never personal
/// data in the log: only the route pattern and the error's type are logged for server errors.
package struct ErrorHandler: AsyncMiddleware {
    package init() {}

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch {
            return await render(error, for: req)
        }
    }

    package static func classify(_ error: any Error, _ tr: Translations) -> (
        HTTPResponseStatus, String, String, String?
    ) {
        switch error {
        case let e as APIError:
            return (e.status, e.code, e.reason, nil)
        case let e as ValidationFailure:
            return (.badRequest, "invalid_input", e.english(tr), e.field)
        case let e as DecodingError:
            let (field, message) = describe(e)
            return (.badRequest, "invalid_input", message, field)
        // Vapor says 422 for a missing or unreadable body; the contract says 400 for every invalid input.
        case let e as AbortError where e.status == .unprocessableEntity:
            return (.badRequest, "invalid_input", "the body is missing or cannot be read", nil)
        case let e as AbortError:
            let code: String
            switch e.status {
            case .unauthorized: code = "unauthorized"
            case .forbidden: code = e.reason == "csrf" ? "csrf_failed" : "forbidden"
            case .notFound: code = "not_found"
            case .tooManyRequests: code = "too_many_requests"
            case .unsupportedMediaType: code = "unsupported_media_type"
            case .payloadTooLarge: code = "payload_too_large"
            case .methodNotAllowed: code = "method_not_allowed"
            case .uriTooLong: code = "uri_too_long"
            default: code = e.status.code < 500 ? "bad_request" : "server_error"
            }
            let message = e.status.code < 500 ? e.reason : "internal error"
            return (e.status, code, message, nil)
        case FluentError.noResults:
            return (.notFound, "not_found", "not found", nil)
        case _ where isSaturation(error):
            return (.serviceUnavailable, "busy", "the database is busy; nothing was stored, try again shortly", nil)
        default:
            return (.internalServerError, "server_error", "internal error", nil)
        }
    }

    /// The database could not take the request in time (a writer waited too long, SQLite stayed locked, PostgreSQL
    /// gave up on a lock or a connection): the client may retry, as the write was rolled back.
    package static func isSaturation(_ error: any Error) -> Bool {
        switch error {
        case is DatabaseSaturated, is ConnectionPoolTimeoutError:
            return true
        case let e as SQLiteError:
            return [.busy, .locked].contains(e.reason)
        case let e as PSQLError:
            // serialization_failure, deadlock_detected, lock_not_available, too_many_connections
            return ["40001", "40P01", "55P03", "53300"].contains(e.serverInfo?[.sqlState] ?? "")
        default:
            return false
        }
    }

    package static func describe(_ e: DecodingError) -> (String?, String) {
        func path(_ ctx: DecodingError.Context) -> String { ctx.codingPath.map(\.stringValue).joined(separator: ".") }
        switch e {
        case .keyNotFound(let key, let ctx):
            let p = (ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            return (p, "\(p) is required")
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
            return (path(ctx), "\(path(ctx)) has the wrong type")
        case .dataCorrupted(let ctx):
            let p = path(ctx)
            return (
                p.isEmpty ? nil : p,
                p.isEmpty ? "the body is not valid JSON" : "\(p) is invalid: \(ctx.debugDescription)"
            )
        @unknown default:
            return (nil, "invalid input")
        }
    }

    package func render(_ error: any Error, for req: Request) async -> Response {
        let (status, code, message, field) = Self.classify(error, req.application.translations)
        if status.code >= 500 {
            req.logger.error(
                "server error",
                metadata: ["route": .string(req.routeLabel), "type": .string(String(describing: type(of: error)))])
        }
        let isAPI = req.url.path.hasPrefix("/api/") || req.url.path == "/metrics"
        let retry: HTTPHeaders = status == .serviceUnavailable ? ["Retry-After": "2"] : [:]
        if isAPI {
            let res = Response(status: status, headers: retry)
            try? res.content.encode(ErrorBody(error: .init(code: code, message: message, field: field)), as: .json)
            if status == .unauthorized { res.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer") }
            return res
        }
        if status == .unauthorized {
            let next = req.url.path.hasPrefix("/") && !req.url.path.hasPrefix("//") ? req.url.path : "/"
            return req.redirect(
                to: "/login?next=\(next.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "/")")
        }
        do {
            let key: String
            switch status {
            case .forbidden: key = code == "csrf_failed" ? "error.csrf" : "error.forbidden"
            case .notFound: key = "error.not_found"
            case .badRequest: key = "error.bad_request"
            case .tooManyRequests: key = "error.too_many"
            case .serviceUnavailable: key = "error.busy"
            default: key = status.code >= 500 ? "error.server" : "error.bad_request"
            }
            let view = try await req.page(
                "Shared/error", titleKey: key,
                // The detail in the page's language: a validation message; the server's own reasons are English
                // and stay in the log, not on a Norwegian page.
                ErrorPage(
                    status: Int(status.code), messageKey: key,
                    detail: (error as? ValidationFailure).map { req.message($0) }))
            let res = try await view.encodeResponse(for: req)
            res.status = status
            res.headers.add(contentsOf: retry)
            return res
        } catch {
            return Response(status: status, body: .init(string: "\(status.code) \(status.reasonPhrase)"))
        }
    }
}

package struct ErrorPage: Encodable {
    package var status: Int
    package var messageKey: String
    package var detail: String?

    package init(status: Int, messageKey: String, detail: String? = nil) {
        self.status = status
        self.messageKey = messageKey
        self.detail = detail
    }
}

/// Input that breaks a rule, named by its field. The message is a translation key with arguments (`invalid.*`, or
/// `<feature>.invalid.*` in the feature's strings), so a page shows it in the page's language with the field marked,
/// and the API answers in English, prefixed with the field.
package struct ValidationFailure: Error {
    package var field: String
    package var key: String
    package var args: [String]

    package init(field: String, _ key: String, _ args: String...) {
        self.field = field
        self.key = key
        self.args = args
    }

    /// The message in `lang`.
    package func message(_ tr: Translations, _ lang: String) -> String { tr.text(key, lang, args) }

    /// The API's and the import report's message: English, with the field.
    package func english(_ tr: Translations) -> String { "\(field): \(message(tr, "en"))" }
}

extension Request {
    /// A validation message in this page's language.
    package func message(_ failure: ValidationFailure) -> String {
        failure.message(application.translations, language)
    }
}

/// A start-up problem: a missing parameter file, a bad setting.
package struct ConfigurationError: Error, CustomStringConvertible {
    package var description: String
    package init(_ d: String) { description = d }
}
