import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// One rate of a table, as the rates page lists and edits it: a form key, its name, and how to read and write it.
package struct RateSlot: Sendable {
    package var key: String
    /// Translation keys of the scheme and (when any) the category.
    package var schemeKey: String
    package var categoryKey: String?
    package var read: @Sendable (GrantRateTable) -> GrantRate?
    package var write: @Sendable (inout GrantRateTable, GrantRate) -> Void

    /// Every rate a table can hold, in the order the page shows them.
    package static let all: [RateSlot] = {
        var out: [RateSlot] = IntegrationCategory.yearOne.map { c in
            RateSlot(
                key: "i1_\(c.rawValue)", schemeKey: "grant.scheme.integration", categoryKey: c.labelKey,
                read: { $0.integrationYear1[c.rawValue] }, write: { $0.integrationYear1[c.rawValue] = $1 })
        }
        out += (2...5).map { n in
            RateSlot(
                key: "i_\(n)", schemeKey: "grant.scheme.integration", categoryKey: "grant.category.year_\(n)",
                read: { $0.integrationLaterYears[String(n)] }, write: { $0.integrationLaterYears[String(n)] = $1 })
        }
        out += [
            RateSlot(
                key: "elderly", schemeKey: "grant.scheme.elderly", categoryKey: "grant.category.one_off",
                read: { $0.elderly }, write: { $0.elderly = $1 }),
            RateSlot(
                key: "kindergarten", schemeKey: "grant.scheme.kindergarten", categoryKey: "grant.category.one_off",
                read: { $0.kindergarten }, write: { $0.kindergarten = $1 }),
            RateSlot(
                key: "um_flat", schemeKey: "grant.scheme.unaccompanied_minor", categoryKey: "grant.category.flat",
                read: { $0.unaccompaniedMinorFlat }, write: { $0.unaccompaniedMinorFlat = $1 }),
            RateSlot(
                key: "um_up_to_16", schemeKey: "grant.scheme.unaccompanied_minor",
                categoryKey: "grant.category.up_to_16", read: { $0.unaccompaniedMinorThrough16 },
                write: { $0.unaccompaniedMinorThrough16 = $1 }),
            RateSlot(
                key: "um_from_17", schemeKey: "grant.scheme.unaccompanied_minor", categoryKey: "grant.category.from_17",
                read: { $0.unaccompaniedMinorFrom17 }, write: { $0.unaccompaniedMinorFrom17 = $1 }),
            RateSlot(
                key: "disability1", schemeKey: "grant.scheme.disability_1", categoryKey: "grant.category.one_off",
                read: { $0.disability1 }, write: { $0.disability1 = $1 }),
            RateSlot(
                key: "disability2Max", schemeKey: "grant.scheme.disability_2", categoryKey: "grant.category.at_most",
                read: { $0.disability2Max }, write: { $0.disability2Max = $1 }),
        ]
        for group in ["low", "high"] {
            out += (1...3).map { n in
                RateSlot(
                    key: "no_\(group)_\(n)", schemeKey: "grant.scheme.norwegian",
                    categoryKey: "grant.category.\(group)_year_\(n)",
                    read: { t in (group == "low" ? t.norwegian?.personLow : t.norwegian?.personHigh)?[String(n)] },
                    write: { t, r in
                        var no = t.norwegian ?? RateSlot.emptyNorwegian
                        if group == "low" { no.personLow[String(n)] = r } else { no.personHigh[String(n)] = r }
                        t.norwegian = no
                    })
            }
        }
        return out
    }()

    static let emptyNorwegian = NorwegianGrantRates(
        base: [], personLow: [:], personHigh: [:], lowRateCountries: [], lowRateReference: "")
}

/// The rates page: every payment year's table with each rate and its source, which years lack one, and the form
/// that adds or replaces a year's table.
package struct GrantRatesPage: Encodable {
    package struct Rate: Encodable {
        var label: String
        var found: Bool
        var ore: Int?
        var reference: String?
    }
    package struct Table: Encodable {
        var year: Int
        var reference: String
        var added: Bool
        var rates: [Rate]
        var bands: [String]
        var lowRateCountries: String
    }
    /// One row of the form: the rate's name, what was typed, and last year's value as a hint.
    package struct Row: Encodable {
        var key: String
        var label: String
        var kronerID: String
        var sourceID: String
        var kroner: String
        var source: String
        var previous: String?
    }

    package var tables: [Table]
    package var missingYears: [Int]
    package var canEdit: Bool
    package var rows: [Row]
    package var form: [String: String]
    package var error: String?
    package var errorField: String?
    package var errorAnchor: String?
    package var notice: String?

    package static func load(
        _ ctx: ServiceContext, lang: String, posted: [String: String] = [:], error: ValidationFailure? = nil
    ) async throws -> GrantRatesPage {
        try await ctx.authorize(.read, .tenancy)
        let tr = ctx.app.translations
        let added = Set(try await GrantRateRecord.query(on: ctx.db).all().map(\.year))
        let rules = try await GrantRateStore.rules(ctx.app, on: ctx.db)
        func label(_ s: RateSlot) -> String {
            tr.text(s.schemeKey, lang) + (s.categoryKey.map { ", " + tr.text($0, lang) } ?? "")
        }
        let tables = rules.tables.years.reversed().compactMap { rules.tables[$0] }.map { t in
            Table(
                year: t.year, reference: t.reference, added: added.contains(t.year),
                rates: RateSlot.all.map { s in
                    Rate(label: label(s), found: s.read(t) != nil, ore: s.read(t)?.ore, reference: s.read(t)?.reference)
                },
                bands: (t.norwegian?.base ?? []).map { band(b: $0, tr, lang) },
                lowRateCountries: (t.norwegian?.lowRateCountries ?? []).joined(separator: ", "))
        }
        let year = ctx.today.year
        let latest = rules.tables.years.last.flatMap { rules.tables[$0] }
        let rows = RateSlot.all.map { s in
            Row(
                key: s.key, label: label(s), kronerID: "k_\(s.key)", sourceID: "s_\(s.key)",
                kroner: posted["k_\(s.key)"] ?? "", source: posted["s_\(s.key)"] ?? "",
                previous: latest.flatMap { t in
                    s.read(t).map { "\(NorwegianFormat.kroner(ore: $0.ore)) (\(t.year))" }
                })
        }
        return GrantRatesPage(
            tables: tables, missingYears: [year, year + 1].filter { rules.tables[$0] == nil },
            canEdit: ctx.may(.update, .tenancy), rows: rows, form: posted, error: error?.message(tr, lang),
            errorField: error?.field, errorAnchor: error?.field, notice: nil)
    }
}

/// "1–3 personer: kr 217 000 (source)".
private func band(b: NorwegianGrantRates.BaseBand, _ tr: Translations, _ lang: String) -> String {
    let upper: String = b.toPersons.map { String($0) } ?? "…"
    let text = tr.text("grant.band", lang, [String(b.fromPersons), upper, NorwegianFormat.kroner(ore: b.rate.ore)])
    return text + " (\(b.rate.reference))"
}

/// Reads the form into a table: a rate is given by its amount in whole kroner and its source; a rate left empty is
/// "not found for the year", which the rules report as missing.
package enum GrantRateForm {
    package static func table(_ f: FormReader) throws -> GrantRateTable {
        guard let year = try f.int("year") else { throw ValidationFailure(field: "year", "invalid.required") }
        guard (1990...2100).contains(year) else {
            throw ValidationFailure(field: "year", "invalid.range", "1990", "2100")
        }
        let reference = try Validate.text(f.raw("reference"), "reference", max: 500, required: true)!
        var table = GrantRateTable(year: year, reference: reference)
        var any = false
        for s in RateSlot.all {
            let kroner = try f.int("k_\(s.key)")
            let source = try Validate.text(f.raw("s_\(s.key)"), "s_\(s.key)", max: 500, required: false)
            guard let kroner else {
                if source != nil { throw ValidationFailure(field: "k_\(s.key)", "invalid.required") }
                continue
            }
            guard (0...100_000_000).contains(kroner) else {
                throw ValidationFailure(field: "k_\(s.key)", "invalid.range", "0", "100000000")
            }
            guard let source else { throw ValidationFailure(field: "s_\(s.key)", "invalid.required") }
            s.write(&table, GrantRate(kroner: kroner, reference: source))
            any = true
        }
        // The Norwegian base grant: up to two bands by the number of persons in the target group.
        for band in 1...2 {
            let k = try f.int("band\(band)_kroner")
            let from = try f.int("band\(band)_from")
            let to = try f.int("band\(band)_to")
            let source = try Validate.text(f.raw("band\(band)_source"), "band\(band)_source", max: 500, required: false)
            guard let k else {
                if from != nil || to != nil || source != nil {
                    throw ValidationFailure(field: "band\(band)_kroner", "invalid.required")
                }
                continue
            }
            guard (0...100_000_000).contains(k) else {
                throw ValidationFailure(field: "band\(band)_kroner", "invalid.range", "0", "100000000")
            }
            guard let from, from >= 1 else { throw ValidationFailure(field: "band\(band)_from", "invalid.required") }
            if let to, to < from { throw ValidationFailure(field: "band\(band)_to", "grant.invalid.band_order") }
            guard let source else { throw ValidationFailure(field: "band\(band)_source", "invalid.required") }
            var no = table.norwegian ?? RateSlot.emptyNorwegian
            no.base.append(.init(fromPersons: from, toPersons: to, rate: GrantRate(kroner: k, reference: source)))
            table.norwegian = no
            any = true
        }
        if let countries = f.text("lowRateCountries") {
            let codes = countries.split(whereSeparator: { $0 == "," || $0 == " " }).map { $0.uppercased() }
            guard let bad = codes.first(where: { $0.count != 2 || !$0.allSatisfy(\.isLetter) }) else {
                var no = table.norwegian ?? RateSlot.emptyNorwegian
                no.lowRateCountries = codes
                no.lowRateReference =
                    try Validate.text(f.raw("lowRateReference"), "lowRateReference", max: 500, required: true)!
                table.norwegian = no
                return try checked(table, any: true)
            }
            throw ValidationFailure(field: "lowRateCountries", "grant.invalid.country", bad)
        }
        return try checked(table, any: any)
    }

    static func checked(_ table: GrantRateTable, any: Bool) throws -> GrantRateTable {
        guard any else { throw ValidationFailure(field: "k_i1_single_adult", "grant.invalid.no_rates") }
        if let problem = table.problems().first { throw ValidationFailure(field: "year", "invalid.value", problem) }
        return table
    }
}
