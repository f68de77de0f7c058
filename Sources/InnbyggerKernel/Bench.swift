import Fluent
import InnbyggerCore
import SQLKit
import Vapor

/// How many persons the bench dataset holds, and where (issue #12).
package enum BenchScale: Sendable, Equatable, CustomStringConvertible {
    /// N persons, all in one municipality (Elverum), beside the demo's other municipalities without persons.
    case persons(Int)
    /// About 300 000 persons over all of Norway's municipalities.
    case national

    /// The persons of the national dataset.
    package static let nationalPersons = 300_000
    package static let allowed = 100...1_000_000

    /// "1000", "50000", "national"; nil for anything else.
    package init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "national" {
            self = .national
            return
        }
        guard text.allSatisfy(\.isASCII), let n = Int(text.replacingOccurrences(of: "_", with: "")),
            Self.allowed.contains(n)
        else { return nil }
        self = .persons(n)
    }

    package var persons: Int {
        switch self {
        case .persons(let n): n
        case .national: Self.nationalPersons
        }
    }

    package var description: String {
        switch self {
        case .persons(let n): "\(n)"
        case .national: "national"
        }
    }
}

/// A small, fast, seeded generator (SplitMix64): the same seed gives the same dataset on every machine.
package struct BenchRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One generated person, for the features that add rows about it.
package struct BenchPerson: Sendable {
    package var id: UUID
    package var municipality: Kommunenummer
    package var household: UUID
    package var given: String
    package var family: String
    package var birth: LocalDate
    package var sex: Sex
    package var citizenship: String
    package var ground: ResidenceGround
    package var education: EducationLevel?
    package var arrival: LocalDate
    package var settlement: LocalDate
    package var advisor: UUID?
    package var caseWorker: UUID?

    package func age(on day: LocalDate) -> Int { birth.age(on: day) }
    /// Of age when settled.
    package var adult: Bool { age(on: settlement) >= 18 }
    /// May be in the introduction programme: settled as an adult under 56 on a ground that gives the right.
    package var programmeCandidate: Bool {
        let age = age(on: settlement)
        return age >= 18 && age <= 55
            && [.refugee, .resettlementRefugee, .humanitarian, .collectiveProtection, .familyReunification]
                .contains(ground)
    }
}

/// One generated household: its members are `members` in `BenchContext.persons`.
package struct BenchHousehold: Sendable {
    package var id: UUID
    package var municipality: Kommunenummer
    package var arrival: LocalDate
    package var members: Range<Int>
}

/// What the bench generator made so far, for the features' bench data to build on (`Feature.seedBench`): the
/// application, the generation's transaction, the seeded generator, the scale, the day the data is relative to,
/// and the ids of the municipalities, units, users, households and persons.
///
/// Features add rows with `table(_:_:)`, which sends multi-row INSERTs through SQLKit (never one Fluent save per
/// row), and draw every random choice from `rng`, so the same scale and seed give the same data.
package final class BenchContext: @unchecked Sendable {
    package let app: Application
    /// The generation's transaction: all of it commits or none of it.
    package let db: any Database
    package let sql: any SQLDatabase
    package let scale: BenchScale
    package var rng: BenchRandom
    /// The day the data is relative to (`INNBYGGER_TODAY` when set).
    package let today: LocalDate
    /// A fixed moment on `today`, for timestamps, so reruns give the same rows.
    package let now: Date
    /// The municipalities in the installation, and those of them that hold persons.
    package internal(set) var municipalities: [Kommunenummer] = []
    package internal(set) var populated: [Kommunenummer] = []
    /// Service units by host municipality and sector.
    package internal(set) var units: [Kommunenummer: [Sector: UUID]] = [:]
    /// Users by username (the demo's, and the advisors and case workers the bench adds).
    package internal(set) var users: [String: UUID] = [:]
    package internal(set) var households: [BenchHousehold] = []
    package internal(set) var persons: [BenchPerson] = []
    /// Rows stored per table, for the summary.
    package private(set) var rows: [String: Int] = [:]

    package init(app: Application, db: any Database, scale: BenchScale, seed: UInt64, today: LocalDate) {
        self.app = app
        self.db = db
        self.sql = db as! any SQLDatabase
        self.scale = scale
        self.rng = BenchRandom(seed: seed ^ UInt64(scale.persons))
        self.today = today
        self.now = Date(
            timeIntervalSince1970: TimeInterval(today.dayNumber - LocalDate(iso: "1970-01-01")!.dayNumber) * 86_400
                + 43_200)
    }

    // MARK: Random choices

    package func uuid() -> UUID {
        let a = rng.next()
        let b = rng.next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * i))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// A whole number in `range`.
    package func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    /// True with probability `p`.
    package func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    package func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &rng)] }
    /// One of `choices`, each as likely as its weight.
    package func weighted<T>(_ choices: [(T, Double)]) -> T {
        let total = choices.reduce(0) { $0 + $1.1 }
        var x = Double.random(in: 0..<total, using: &rng)
        for (value, weight) in choices {
            if x < weight { return value }
            x -= weight
        }
        return choices[choices.count - 1].0
    }

    /// A day in `from...to` (both included).
    package func day(_ from: LocalDate, _ to: LocalDate) -> LocalDate {
        to < from ? from : from.adding(days: int(0...from.days(until: to)))
    }

    /// The persons living in a municipality.
    package func persons(in municipality: Kommunenummer) -> [BenchPerson] {
        persons.filter { $0.municipality == municipality }
    }

    // MARK: Bulk rows

    /// A table to fill: rows are collected and sent as multi-row INSERTs inside the generation's transaction.
    /// The tables in `after` (those its rows refer to) send what they hold first.
    package func table(_ name: String, _ columns: [String], after: [BenchTable] = []) -> BenchTable {
        BenchTable(self, name, columns, after: after)
    }

    fileprivate func stored(_ n: Int, in table: String) { rows[table, default: 0] += n }
}

/// Rows for one table, sent in statements of at most ~30 000 bound values (SQLite's limit is 32 766, PostgreSQL's
/// 65 535) and 1 000 rows.
package final class BenchTable {
    private let bench: BenchContext
    private let name: String
    private let columns: [String]
    private let perStatement: Int
    private let after: [BenchTable]
    private var pending: [[any SQLExpression]] = []

    fileprivate init(_ bench: BenchContext, _ name: String, _ columns: [String], after: [BenchTable]) {
        self.bench = bench
        self.after = after
        self.name = name
        self.columns = columns
        self.perStatement = max(1, min(1000, 30_000 / max(1, columns.count)))
        pending.reserveCapacity(perStatement)
    }

    /// Adds a row, one value per column in order; nil is NULL. Dates are bound as `LocalDate.iso`, enumerations by
    /// their raw value, as the models store them.
    package func add(_ values: (any Encodable & Sendable)?...) async throws {
        try await add(contentsOf: values)
    }

    /// Adds a row given as an array (see `add(_:)`).
    package func add(contentsOf values: [(any Encodable & Sendable)?]) async throws {
        precondition(values.count == columns.count, "\(name): \(values.count) values for \(columns.count) columns")
        pending.append(
            values.map { v -> any SQLExpression in
                if let v { return SQLBind(v) }
                return SQLLiteral.null
            })
        if pending.count >= perStatement { try await flush() }
    }

    /// Sends what is left.
    package func finish() async throws { try await flush() }

    private func flush() async throws {
        guard !pending.isEmpty else { return }
        for table in after { try await table.flush() }
        let insert = bench.sql.insert(into: name).columns(columns)
        for row in pending { insert.values(row) }
        try await insert.run()
        bench.stored(pending.count, in: name)
        pending.removeAll(keepingCapacity: true)
    }
}

/// The synthetic dataset of `innbygger bench-data`: the kernel's part (municipalities, units, users, households,
/// persons, their shares and deadline events), then each feature's `seedBench`, in one transaction.
package enum BenchData {
    package struct Summary: Sendable {
        package var persons: Int
        package var rows: [String: Int]
        package var seconds: Double
        /// CPU time of this process (user and system) for the generation: the machine may be shared.
        package var cpuSeconds: Double
        package var auditSeconds: Double
    }

    /// User and system CPU time of this process so far.
    static func cpuTime() -> Double {
        var usage = rusage()
        #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        return user + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Generates the dataset into an installation without users; appends one audit entry for it.
    package static func generate(_ app: Application, scale: BenchScale, seed: UInt64) async throws -> Summary {
        guard try await User.query(on: app.db).count() == 0 else {
            throw CommandFailure("the database is not empty; bench-data loads only into an empty installation")
        }
        let started = Date()
        let cpuStarted = cpuTime()
        let hash = try app.password.hash(DemoData.password)
        let today = LocalDate.today
        let context = try await app.db.transaction { tx -> BenchContext in
            let bench = BenchContext(app: app, db: tx, scale: scale, seed: seed, today: today)
            try await tenancy(bench, passwordHash: hash)
            try await people(bench, passwordHash: hash)
            try await shares(bench)
            try await deadlineEvents(bench)
            for feature in app.features { try await feature.seedBench(bench) }
            return bench
        }
        // The derived tables (open deadlines, programme summaries …) of every generated file, as the day's pass
        // computes them for files not yet computed.
        await app.deadlineIndex.invalidate()
        try await app.deadlineIndex.ensureCurrent(app)
        let auditStart = Date()
        try await app.audit([
            AuditDraft(
                action: "bench_data_generated", recordType: "installation",
                recordID: "persons=\(context.persons.count) seed=\(seed)", route: "CLI bench-data")
        ])
        let end = Date()
        return Summary(
            persons: context.persons.count, rows: context.rows, seconds: end.timeIntervalSince(started),
            cpuSeconds: cpuTime() - cpuStarted, auditSeconds: end.timeIntervalSince(auditStart))
    }

    // MARK: The kernel's part

    /// How many persons each municipality holds. At the national scale the numbers follow a skewed (Zipf-like,
    /// exponent 0.75) distribution over the municipalities, because `municipalities.json` has no population: Oslo
    /// first, then the other municipalities in a fixed pseudo-random order of rank, each with at least 5 persons.
    package static func distribution(_ scale: BenchScale, municipalities: [Kommunenummer]) -> [(Kommunenummer, Int)] {
        switch scale {
        case .persons(let n): return [("3420", n)]
        case .national:
            var order = municipalities.filter { $0.value != "0301" }
            var rng = BenchRandom(seed: 0x4E_4F_52_47)
            order.shuffle(using: &rng)
            if municipalities.contains(where: { $0.value == "0301" }) { order.insert("0301", at: 0) }
            let weights = order.indices.map { 1 / pow(Double($0 + 1), 0.75) }
            let minimum = 5
            let spread = Double(scale.persons - minimum * order.count)
            let total = weights.reduce(0, +)
            var counts = weights.map { minimum + Int(spread * $0 / total) }
            counts[0] += scale.persons - counts.reduce(0, +)
            return Array(zip(order, counts))
        }
    }

    static func tenancy(_ bench: BenchContext, passwordHash: String) async throws {
        let app = bench.app
        let names = app.referenceNames
        var codes: [Kommunenummer]
        switch bench.scale {
        case .persons: codes = DemoData.municipalities.map(\.0)
        case .national: codes = names.municipalities.keys.sorted()
        }
        bench.municipalities = codes
        let demoNames = Dictionary(uniqueKeysWithValues: DemoData.municipalities.map { ($0.0, ($0.1, $0.2)) })
        let municipalities = bench.table(Municipality.schema, ["code", "name", "county", "created_at"])
        for code in codes {
            let name = names.municipalities[code] ?? demoNames[code]?.0 ?? code.value
            let county = names.counties[String(code.value.prefix(2))] ?? demoNames[code]?.1 ?? ""
            try await municipalities.add(code.value, name, county, bench.now)
        }
        try await municipalities.finish()
        let units = bench.table(ServiceUnit.schema, ["id", "name", "sector", "host_municipality", "created_at"])
        for code in codes {
            for (sector, name) in DemoData.unitNames {
                let id = bench.uuid()
                bench.units[code, default: [:]][sector] = id
                try await units.add(id, name, sector.rawValue, code.value, bench.now)
            }
        }
        try await units.finish()
        for (username, display, role, code, sector) in DemoData.users where codes.contains(code) {
            try await user(bench, username, display, role, code, sector, passwordHash)
        }
    }

    static var userTable: [String] { ["id", "username", "display_name", "password_hash", "is_active", "created_at"] }
    static var roleTable: [String] { ["id", "user_id", "role", "municipality", "unit_id", "pending"] }

    @discardableResult
    static func user(
        _ bench: BenchContext, _ username: String, _ display: String, _ role: Role, _ code: Kommunenummer,
        _ sector: Sector?, _ hash: String
    ) async throws -> UUID {
        let id = bench.uuid()
        let users = bench.table(User.schema, userTable)
        try await users.add(id, username, display, hash, true, bench.now)
        try await users.finish()
        let roles = bench.table(RoleAssignment.schema, roleTable)
        try await roles.add(
            bench.uuid(), id, role.rawValue, code.value, sector.flatMap { bench.units[code]?[$0] }, false)
        try await roles.finish()
        bench.users[username] = id
        return id
    }

    /// Staff who follow the persons: one programme advisor per 25 candidates and one case worker per 150 persons in
    /// each municipality (the demo's own staff first).
    static func staff(
        _ bench: BenchContext, _ code: Kommunenummer, role: Role, prefix: String, needed: Int, hash: String
    ) async throws -> [UUID] {
        var ids: [UUID] = []
        let demo = role == .programmeAdvisor ? DemoData.advisors[code] : DemoData.caseWorkers[code]
        if let demo, let id = bench.users[demo] { ids.append(id) }
        let users = bench.table(User.schema, userTable)
        let roles = bench.table(RoleAssignment.schema, roleTable, after: [users])
        var n = 0
        while ids.count < max(1, needed) {
            n += 1
            let id = bench.uuid()
            let username = "\(prefix).\(code.value).\(n)"
            let label = role == .programmeAdvisor ? "programrådgiver" : "saksbehandler"
            try await users.add(id, username, "Bench \(label) \(n) (\(code.value))", hash, true, bench.now)
            try await roles.add(
                bench.uuid(), id, role.rawValue, code.value, bench.units[code]?[.integration], false)
            bench.users[username] = id
            ids.append(id)
        }
        try await users.finish()
        try await roles.finish()
        return ids
    }

    /// Origins: (country, weight, given names, family names).
    static let origins: [(String, Double, [String], [String])] = [
        (
            "UA", 40,
            ["Olena", "Andrii", "Iryna", "Taras", "Oksana", "Dmytro", "Yuliia", "Serhii", "Kateryna", "Petro"],
            ["Kovalenko", "Shevchenko", "Bondarenko", "Melnyk", "Tkachenko", "Kravchenko", "Moroz", "Hnatiuk"]
        ),
        (
            "SY", 15, ["Rania", "Omar", "Lina", "Yusuf", "Nour", "Khaled", "Salma", "Adam", "Maya", "Karim"],
            ["Haddad", "Darwish", "Khatib", "Sadiq", "Hassan", "Nasser", "Saleh"]
        ),
        (
            "AF", 12, ["Farid", "Zahra", "Mariam", "Ali", "Sima", "Hassan", "Fatima", "Nasrin", "Farhad", "Hamid"],
            ["Ahmadi", "Rahimi", "Karimi", "Noori", "Nazari", "Hakimi", "Sultani"]
        ),
        (
            "ER", 10, ["Senait", "Yonas", "Selam", "Filmon", "Ruth", "Helen", "Hiwet", "Dawit", "Rahel", "Mehari"],
            ["Tesfay", "Ghebremedhin", "Habte", "Berhane", "Kidane", "Tekle", "Abebe"]
        ),
        (
            "SO", 8, ["Amina", "Abdirahman", "Fatuma", "Halima", "Ibrahim", "Sahra", "Mustafa", "Bashir"],
            ["Farah", "Osman", "Warsame", "Jama", "Mohamed", "Ali", "Hussein"]
        ),
        (
            "CD", 5, ["Esther", "Patrick", "Divine", "Joseph", "Aline", "Grace", "Jean", "Marie"],
            ["Mukendi", "Ilunga", "Kabila", "Mbuyi", "Tshibanda"]
        ),
        (
            "IQ", 5, ["Layla", "Ahmed", "Zainab", "Mustafa", "Huda", "Yasir", "Samira", "Jamal"],
            ["Al-Jabouri", "Kareem", "Abbas", "Jaber", "Hamdan"]
        ),
        (
            "SD", 5, ["Amal", "Mohammed", "Awadia", "Osman", "Hawa", "Adil", "Nafisa", "Tarig"],
            ["Abdalla", "Elamin", "Hamid", "Yousif", "Babiker"]
        ),
    ]

    static let languages: [String: String] = [
        "UA": "uk", "SY": "ar", "AF": "prs", "ER": "ti", "SO": "so", "CD": "ln", "IQ": "ar", "SD": "ar",
    ]

    static let work = [
        "Butikkmedarbeider i 6 år.", "Sjåfør og mekaniker.", "Sykepleier, 10 år i sykehus.", "Lærer i barneskolen.",
        "Hjemmeværende med barn; noe jordbruk.", "Snekker og byggarbeider.", "Regnskapsfører.", "Frisør.",
    ]

    /// Households and their persons, settled over the past five years.
    static func people(_ bench: BenchContext, passwordHash: String) async throws {
        let today = bench.today
        let plan = distribution(bench.scale, municipalities: bench.municipalities)
        bench.populated = plan.map(\.0)
        let households = bench.table(
            Household.schema, ["id", "municipality", "name", "address", "created_at", "updated_at"])
        let persons = bench.table(
            Person.schema,
            [
                "id", "municipality", "household_id", "given_name", "family_name", "birth_date", "sex", "citizenship",
                "residence_ground", "arrival_date", "settlement_date", "permit_date", "settled_by_agreement",
                "education_level", "duf_number", "country_of_birth", "languages", "interpreter_language",
                "education_years", "work_experience", "research_reservation", "relation",
                "reference_residence_ground", "reference_settlement_date", "family_application_date", "advisor_id",
                "case_worker_id", "phone", "contact_preference", "created_at", "updated_at",
            ], after: [households])
        let sizes: [(Int, Double)] = [(1, 30), (2, 20), (3, 18), (4, 17), (5, 10), (6, 5)]
        let grounds: [(ResidenceGround, Double)] = [
            (.refugee, 45), (.resettlementRefugee, 20), (.familyReunification, 20), (.humanitarian, 10), (.other, 5),
        ]
        let levels: [(EducationLevel?, Double)] = [
            (.none, 12), (.primary, 28), (.upperSecondary, 30), (.higher, 22), (nil, 8),
        ]
        let first = today.adding(years: -5)
        let origin = origins.map { ($0, $0.1) }
        for (code, count) in plan {
            // Staff in proportion to the persons (about 45 % are programme candidates).
            let advisors = try await staff(
                bench, code, role: .programmeAdvisor, prefix: "veileder.bench", needed: count * 45 / 100 / 25,
                hash: passwordHash)
            let caseWorkers = try await staff(
                bench, code, role: .caseWorker, prefix: "saksbehandler.bench", needed: count / 150, hash: passwordHash)
            var made = 0
            var n = 0
            while made < count {
                n += 1
                let size = min(bench.weighted(sizes), count - made)
                let (country, _, givenNames, familyNames) = bench.weighted(origin)
                let ground: ResidenceGround = country == "UA" ? .collectiveProtection : bench.weighted(grounds)
                let family = bench.pick(familyNames)
                let arrival = bench.day(first, today.adding(days: -1))
                let settlement = min(today, arrival.adding(days: bench.int(0...14)))
                let household = bench.uuid()
                let created = Date(
                    timeIntervalSince1970: bench.now.timeIntervalSince1970 - Double(settlement.days(until: today))
                        * 86_400)
                try await households.add(
                    household, code.value, "Husstand \(family)", "Benchvegen \(n), \(code.value) (syntetisk)", created,
                    created)
                let caseWorker = caseWorkers[n % caseWorkers.count]
                let adults = size == 1 ? 1 : (size == 2 ? bench.int(1...2) : 2)
                let start = bench.persons.count
                for m in 0..<size {
                    let adult = m < adults
                    let age = adult ? (m == 0 ? bench.int(19...62) : bench.int(18...55)) : bench.int(0...17)
                    let birth = arrival.adding(days: -(age * 365 + bench.int(0...364)))
                    let sex: Sex =
                        adult ? (m == 0 ? (bench.chance(0.5) ? .female : .male) : .male) : bench.pick([.female, .male])
                    let education: EducationLevel? = adult ? bench.weighted(levels) : nil
                    let person = BenchPerson(
                        id: bench.uuid(), municipality: code, household: household, given: bench.pick(givenNames),
                        family: family, birth: birth, sex: sex, citizenship: country, ground: ground,
                        education: education, arrival: arrival, settlement: settlement, advisor: nil,
                        caseWorker: caseWorker)
                    var p = person
                    if p.programmeCandidate { p.advisor = advisors[(start + m) % advisors.count] }
                    try await persons.add(contentsOf: personRow(bench, p, index: m, adult: adult, created: created))
                    bench.persons.append(p)
                }
                bench.households.append(
                    BenchHousehold(
                        id: household, municipality: code, arrival: arrival, members: start..<bench.persons.count))
                made += size
            }
        }
        try await households.finish()
        try await persons.finish()
    }

    /// The columns of one person, in the order of the persons table above.
    static func personRow(_ bench: BenchContext, _ p: BenchPerson, index m: Int, adult: Bool, created: Date)
        -> [(any Encodable & Sendable)?]
    {
        let reunification = p.ground == .familyReunification
        let language = languages[p.citizenship]
        let languagesJSON: String? = language.map { "[{\"code\":\"\($0)\",\"level\":\"mother_tongue\"}]" }
        let relation: FamilyRelation = m == 0 ? .main : (adult ? .spouse : .child)
        let permit = p.arrival.adding(days: -(p.ground == .collectiveProtection ? 10 : bench.int(20...60)))
        let duf: String? = bench.chance(0.9) ? "\(p.arrival.year)" + digits(bench.int(0...99_999_999), 8) : nil
        let interpreter: String? = bench.chance(0.8) ? language : nil
        let years: Int? = adult ? bench.pick([0, 6, 9, 12, 16]) : nil
        let experience: String? = adult ? bench.pick(work) : nil
        let reservation: Bool? = adult ? bench.chance(0.02) : nil
        let referenceGround: String? = reunification ? ResidenceGround.refugee.rawValue : nil
        let referenceSettled: String? = reunification ? p.arrival.adding(years: -bench.int(1...4)).iso : nil
        let applied: String? = reunification ? p.arrival.adding(months: -bench.int(8...20)).iso : nil
        let phone: String? = adult && bench.chance(0.7) ? "4" + digits(bench.int(0...9_999_999), 7) : nil
        let contact: String? = adult ? bench.pick(ContactPreference.allCases).rawValue : nil
        var row: [(any Encodable & Sendable)?] = [
            p.id, p.municipality.value, p.household, p.given, p.family, p.birth.iso, p.sex.rawValue, p.citizenship,
        ]
        row += [p.ground.rawValue, p.arrival.iso, p.settlement.iso, permit.iso, !reunification, p.education?.rawValue]
        row += [duf, p.citizenship, languagesJSON, interpreter, years, experience, reservation, relation.rawValue]
        row += [referenceGround, referenceSettled, applied, p.advisor, p.caseWorker, phone, contact, created, created]
        return row
    }

    /// `n` with leading zeros to `width` digits.
    static func digits(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// Files shared with partners: health for most households, school or kindergarten for children, NAV for some
    /// adults.
    static func shares(_ bench: BenchContext) async throws {
        let shares = bench.table(
            PersonShare.schema, ["id", "person_id", "sector", "basis", "reference", "granted_at", "granted_by"])
        for h in bench.households {
            let health = bench.chance(0.4)
            for i in h.members {
                let p = bench.persons[i]
                var sectors: [Sector] = health ? [.health] : []
                let age = p.age(on: bench.today)
                if age >= 6 && age <= 15 && bench.chance(0.7) { sectors.append(.school) }
                if age >= 1 && age <= 5 && bench.chance(0.7) { sectors.append(.kindergarten) }
                if p.programmeCandidate && bench.chance(0.3) { sectors.append(.nav) }
                if p.programmeCandidate && bench.chance(0.5) { sectors.append(.adultEducation) }
                for s in sectors {
                    try await shares.add(
                        bench.uuid(), p.id, s.rawValue, ShareBasis.consent.rawValue,
                        "Samtykke signert ved bosetting (syntetisk)", bench.now, p.caseWorker)
                }
            }
        }
        try await shares.finish()
    }

    /// The facts recorded on the files: TB screening soon after arrival, the health examination, the kindergarten or
    /// school start for children.
    static func deadlineEvents(_ bench: BenchContext) async throws {
        let events = bench.table(
            DeadlineEvent.schema, ["id", "person_id", "kind", "date", "sector", "recorded_by", "recorded_at"])
        let today = bench.today
        for p in bench.persons {
            let age = p.age(on: today)
            var facts: [(DeadlineKind, LocalDate, Double)] = [
                (.tbScreening, p.arrival.adding(days: bench.int(5...30)), 0.85),
                (.healthExamination, p.settlement.adding(days: bench.int(30...120)), 0.6),
            ]
            if age >= 1 && age <= 5 {
                facts.append((.kindergartenStart, p.settlement.adding(days: bench.int(20...90)), 0.8))
            }
            if age >= 6 && age <= 15 { facts.append((.schoolStart, p.settlement.adding(days: bench.int(3...30)), 0.9)) }
            for (kind, date, p0) in facts where kind.isRecordedOnFile && date <= today && bench.chance(p0) {
                try await events.add(
                    bench.uuid(), p.id, kind.rawValue, date.iso, kind.sector.rawValue, p.caseWorker, bench.now)
            }
        }
        try await events.finish()
    }
}

/// `innbygger bench-data --persons 1000|50000|national [--seed S]`: a reproducible synthetic dataset for the bench
/// (`scripts/bench`), written into an empty installation after the migrations.
package struct BenchDataCommand: AsyncCommand {
    package init() {}

    package struct Signature: CommandSignature {
        @Option(name: "persons", help: "1000, 50000, another number of persons (100–1000000), or national")
        package var persons: String?
        @Option(name: "seed", help: "Seed of the generator (default 12); the same seed gives the same data")
        package var seed: String?
        package init() {}
    }

    package var help: String {
        "Generates a reproducible synthetic dataset (--persons 1000|50000|national) into an empty installation."
    }

    package func run(using context: CommandContext, signature: Signature) async throws {
        let text = signature.persons ?? "50000"
        guard let scale = BenchScale(argument: text) else {
            throw CommandFailure(
                "--persons must be a number of persons from \(BenchScale.allowed.lowerBound) to "
                    + "\(BenchScale.allowed.upperBound) or 'national' (got '\(text)')")
        }
        guard let seed = UInt64(signature.seed ?? "12") else {
            throw CommandFailure("--seed must be a non-negative whole number (got '\(signature.seed ?? "")')")
        }
        let app = context.application
        try await app.autoMigrate()
        let s = try await BenchData.generate(app, scale: scale, seed: seed)
        let total = s.rows.values.reduce(0, +)
        for (table, n) in s.rows.sorted(by: { $0.key < $1.key }) { context.console.print("  \(table): \(n)") }
        context.console.print(
            String(
                format: "bench-data: persons=%d rows=%d seconds=%.2f cpu_seconds=%.2f persons_per_second=%.0f "
                    + "audit_seconds=%.4f", s.persons, total, s.seconds, s.cpuSeconds,
                Double(s.persons) / max(s.seconds, 0.001), s.auditSeconds))
    }
}
