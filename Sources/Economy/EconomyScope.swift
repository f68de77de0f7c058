import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The municipality an economy page or API call is about, and those the user may choose among.
enum EconomyScope {
    /// `requested` when given (a malformed number, an empty one included, is a 400 naming it; one the user may not
    /// read the sums of is a 403), else the first municipality whose aggregates the user reads.
    static func municipality(_ ctx: ServiceContext, _ requested: String?) async throws
        -> (Kommunenummer, [Kommunenummer])
    {
        let codes = try await ctx.municipalities(where: .read) { .aggregates(municipality: $0) }
        let m: Kommunenummer
        if let text = requested {
            guard let code = Kommunenummer(text) else {
                throw ValidationFailure(field: "municipality", "invalid.municipality")
            }
            m = code
        } else {
            guard let first = codes.first else { throw Abort(.forbidden, reason: "access denied") }
            m = first
        }
        try await ctx.authorize(.read, .aggregates(municipality: m))
        return (m, codes)
    }
}
