import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Journal notes in the bench dataset: none to a handful per person since settlement, most by the integration
/// service's case worker, some by partners on files shared with them; a few edited (with their earlier version).
extension JournalFeature {
    package func seedBench(_ bench: BenchContext) async throws {
        let today = bench.today
        let notes = bench.table(
            JournalEntry.schema,
            [
                "id", "person_id", "date", "category", "sector", "shared", "text", "author_id", "created_at",
                "updated_at",
            ])
        let versions = bench.table(
            JournalVersion.schema,
            ["id", "entry_id", "date", "category", "shared", "text", "author_id", "replaced_at"], after: [notes])
        let texts: [(JournalCategory, String)] = [
            (.meeting, "Oppfølgingssamtale med tolk. Gikk gjennom planen og neste steg."),
            (.housing, "Befaring i boligen. Behov for enkelte møbler; meldt til eiendom."),
            (.health, "Henvist til fastlege for oppfølging etter helsekartlegging."),
            (.education, "Samtale om skolegang for barna; skolestart avtalt."),
            (.work, "Praksisplass avklart i kommunal virksomhet fra neste måned."),
            (.family, "Familien ønsker hjelp med søknad om barnehageplass."),
            (.economy, "Gjennomgang av budsjett og utbetaling av introduksjonsstønad."),
            (.general, "Kontakt per telefon. Ingen nye behov."),
        ]
        let counts: [(Int, Double)] = [(0, 25), (1, 30), (2, 22), (3, 13), (4, 7), (6, 3)]
        for p in bench.persons {
            for _ in 0..<bench.weighted(counts) {
                let id = bench.uuid()
                let (category, text) = bench.pick(texts)
                let date = bench.day(p.settlement, today)
                let sector: Sector = bench.weighted([(.integration, 85), (.health, 8), (.nav, 7)])
                let shared = sector != .integration && bench.chance(0.3)
                try await notes.add(
                    id, p.id, date.iso, category.rawValue, sector.rawValue, shared, text, p.caseWorker, bench.now,
                    bench.now)
                if bench.chance(0.03) {
                    try await versions.add(
                        bench.uuid(), id, date.iso, category.rawValue, shared, "Utkast: " + text, p.caseWorker,
                        bench.now)
                }
            }
        }
        try await notes.finish()
        try await versions.finish()
    }
}
