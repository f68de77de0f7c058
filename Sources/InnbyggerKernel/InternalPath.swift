import Vapor

/// Redirect targets that come from a client (`next` after login, `back` after the language switch). Only a path
/// of one of this application's own pages passes: printable URL characters only (no CR, LF, TAB, space or
/// backslash, so nothing can be added to the `Location` header or turned into another host), starting with a
/// single `/`, and matching a GET route. Anything else is nil, and the caller goes to `/`.
package enum InternalPath {
    /// RFC 3986 path and query characters, without `\` and controls.
    private static let allowed = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?%")
    /// Pages that make no sense to return to.
    private static let excluded: Set<String> = ["login", "logout", "lang"]

    package static func page(_ raw: String?, in app: Application) -> String? {
        guard let raw, raw.count <= 2000, raw.hasPrefix("/"), !raw.hasPrefix("//"), raw.allSatisfy(allowed.contains)
        else {
            return nil
        }
        let path = raw.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        if segments == [""] { return raw }
        guard !segments.contains(""), let first = segments.first, !excluded.contains(first) else { return nil }
        let matches = app.routes.all.contains { route in
            route.method == .GET && !route.path.isEmpty && route.path.first != .constant("api")
                && matchesRoute(route.path, segments)
        }
        return matches ? raw : nil
    }

    package static func matchesRoute(_ pattern: [PathComponent], _ segments: [String]) -> Bool {
        var i = 0
        for component in pattern {
            switch component {
            case .catchall:
                return i < segments.count
            case .constant(let c):
                guard i < segments.count, segments[i] == c else { return false }
            case .parameter, .anything:
                guard i < segments.count else { return false }
            }
            i += 1
        }
        return i == segments.count
    }
}
