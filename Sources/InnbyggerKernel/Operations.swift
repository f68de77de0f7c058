import Fluent
import Prometheus
import Vapor

/// Request counts and latencies by route pattern, in Prometheus format at `/metrics`.
/// Labels carry the route pattern only, never ids or query strings.
package final class RequestMetrics: @unchecked Sendable {
    package let registry = PrometheusCollectorRegistry()
    private let buckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    package func record(route: String, method: String, status: UInt, duration: Duration) {
        registry.makeCounter(
            name: "http_requests_total",
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            name: "http_request_duration_seconds",
            labels: [("method", method), ("route", route)], buckets: buckets
        ).record(duration)
    }
}

package struct RequestMetricsKey: StorageKey { package typealias Value = RequestMetrics }

extension Application {
    package var requestMetrics: RequestMetrics {
        if let m = storage[RequestMetricsKey.self] { return m }
        let m = RequestMetrics()
        storage[RequestMetricsKey.self] = m
        return m
    }
}

/// Logs one line per request (method, route pattern, status, time) and feeds the metrics.
/// Replaces Vapor's logger, which writes concrete paths.
package struct RequestObserver: AsyncMiddleware {
    package init() {}

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let res = try await next.respond(to: req)
        let elapsed = clock.now - start
        let path = req.routePattern
        req.application.requestMetrics.record(
            route: path, method: req.method.rawValue, status: res.status.code, duration: elapsed)
        let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        req.logger.info("\(req.method.rawValue) \(path) \(res.status.code) \(ms)ms")
        return res
    }
}

/// Security headers on every response.
package struct SecurityHeaders: AsyncMiddleware {
    package init() {}

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: req)
        res.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        res.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        res.headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value:
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors "
                + "'none'; form-action 'self'"
        )
        if !req.url.path.hasPrefix("/css/") {
            res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        if req.application.settings.hsts {
            res.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains")
        }
        return res
    }
}

package struct OperationsController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz") { _ in "ok" }
        routes.get("readyz") { req async throws -> Response in
            do {
                try await (req.store as! any SQLDatabase).raw("SELECT 1").run()
                return Response(status: .ok, body: "ready")
            } catch {
                return Response(status: .serviceUnavailable, body: "database unreachable")
            }
        }
        routes.get("metrics") { req -> Response in
            guard let expected = req.application.settings.metricsToken else { throw Abort(.notFound) }
            guard let sent = req.headers.bearerAuthorization?.token, Secrets.equal(sent, expected) else {
                throw Abort(.unauthorized, reason: "metrics token required")
            }
            let res = Response(status: .ok, body: .init(string: req.application.requestMetrics.registry.emitToString()))
            res.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4"])
            return res
        }
        routes.get("api", "openapi.yaml") { req async throws -> Response in
            let path = req.application.directory.resourcesDirectory + "openapi.yaml"
            let res = try await req.fileio.asyncStreamFile(at: path)
            res.headers.contentType = HTTPMediaType(type: "application", subType: "yaml")
            return res
        }
    }
}

/// Refuses requests whose target no route could serve, before a file lookup or a handler sees them (the file system
/// would otherwise fail on the name with a 500): a path over 2 KiB or path and query over 32 KiB is 414; a NUL or other
/// control character in the path is 400; a path segment longer than any file name can be is 404. The query's bound
/// leaves room for every parameter at its longest, percent-encoded (a search text, a paging cursor), so that a value
/// that is merely too long is answered 400 naming it.
package struct RequestLimits: AsyncMiddleware {
    package init() {}

    package static let maxTarget = 32_768
    package static let maxPath = 2048
    package static let maxSegment = 255

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let raw = req.url.path
        guard req.url.string.utf8.count <= Self.maxTarget, raw.utf8.count <= Self.maxPath else {
            throw Abort(.uriTooLong, reason: "the address is too long")
        }
        guard let path = raw.removingPercentEncoding,
            !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw Abort(.badRequest, reason: "the address contains characters no page has")
        }
        // No page or file has a name this long, and the file system would refuse to look it up (ENAMETOOLONG).
        guard !raw.split(separator: "/").contains(where: { $0.utf8.count > Self.maxSegment }) else {
            throw Abort(.notFound)
        }
        return try await next.respond(to: req)
    }
}
