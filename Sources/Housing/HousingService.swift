import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

struct HousingParametersKey: StorageKey { typealias Value = HousingParameters }

extension Application {
    /// The housing parameters (`Resources/Parameters/housing.json`), read once at start.
    package var housingParameters: HousingParameters {
        get {
            guard let p = storage[HousingParametersKey.self] else { fatalError("housing parameters not configured") }
            return p
        }
        set { storage[HousingParametersKey.self] = newValue }
    }
}

/// A dwelling as typed in the form or sent to the API: text, checked at the edge.
package struct DwellingInput: Content {
    package var municipality: String?
    package var address: String?
    package var owner: String?
    package var rooms: String?
    package var sizeM2: String?
    package var floor: String?
    package var stepFree: Bool?
    package var furnished: Bool?
    package var rent: String?
    package var deposit: String?
    package var landlord: String?
    package var leaseFrom: String?
    package var leaseTo: String?
    package var leaseRent: String?
    package var leaseNoticeMonths: String?
    package var status: String?
    package var schoolKm: String?
    package var note: String?

    package init() {}
}

/// A tenancy's terms as typed.
package struct TenancyInput: Content {
    package var household: String?
    package var start: String?
    package var agreedEnd: String?
    package var rent: String?
    package var navGuarantee: String?
    package var keys: String?
    package init() {}
}

/// The steps on the way to one's own home as typed.
package struct OwnHomeInput: Content {
    package var housingSchoolOn: String?
    package var saving: Bool?
    package var startLoanAppliedOn: String?
    package var rentalSearchOn: String?
    package init() {}
}

package struct InspectionInput: Content {
    package var date: String?
    package var moveIn: Bool?
    package var items: [String]?
    package var findings: String?
    package var nextSteps: String?
    package init(
        date: String? = nil, moveIn: Bool? = nil, items: [String]? = nil, findings: String? = nil,
        nextSteps: String? = nil
    ) {
        self.date = date
        self.moveIn = moveIn
        self.items = items
        self.findings = findings
        self.nextSteps = nextSteps
    }
}

/// The municipality's housing settings in force: the parameters, with its own departures.
package struct HousingSettings: Sendable {
    package var maxStayMonths: Int
    package var ownHomeYears: Int
    package var graceDays: Int
    package var checklist: [ChecklistItem]
    package var ownChecklist: Bool
}

/// Dwellings, allocation, tenancies and inspections (issue #15). Every function takes a service context: the policy
/// decides (`Resource.register` for dwellings, the household's housing part for tenancies), and every write is
/// audited in the request's transaction.
package enum HousingService {
    // MARK: Settings

    package static func settings(_ ctx: ServiceContext, _ m: Kommunenummer) async throws -> HousingSettings {
        let p = ctx.app.housingParameters
        let today = ctx.today
        let own = try await HousingSetting.query(on: ctx.db).filter(\.$municipality.$id == m).first()
        var checklist = p.checklist.items
        if own?.ownChecklist == true {
            checklist = try await ChecklistRow.query(on: ctx.db).filter(\.$municipality.$id == m).sort(\.$position)
                .all().map(\.item)
        }
        guard let stay = p.value(\.maxStayMonths, on: today), let years = p.value(\.ownHomeGoalYears, on: today),
            let grace = p.value(\.inspectionGraceDays, on: today)
        else { throw Abort(.internalServerError, reason: "housing parameters have no entry for today") }
        return HousingSettings(
            maxStayMonths: own?.maxStayMonths ?? stay, ownHomeYears: own?.ownHomeYears ?? years, graceDays: grace,
            checklist: checklist, ownChecklist: own?.ownChecklist == true)
    }

    // MARK: Dwellings

    static func int(_ text: String?, _ field: String, _ range: ClosedRange<Int>, required: Bool = false) throws -> Int?
    {
        try Validate.number(Validate.formInt(text, field), field, range, required: required)
    }

    static func choice<E: RawRepresentable>(_ text: String?, _ field: String) throws -> E where E.RawValue == String {
        guard let t = text, let v = E(rawValue: t) else { throw ValidationFailure(field: field, "invalid.one_of") }
        return v
    }

    /// Checks the input and writes it onto `d`.
    static func apply(_ input: DwellingInput, to d: Dwelling) throws {
        d.address = try Validate.required(input.address, "address", max: 200)
        d.owner = try choice(input.owner, "owner")
        d.rooms = try int(input.rooms, "rooms", 1...20, required: true)!
        d.sizeM2 = try int(input.sizeM2, "sizeM2", 5...1000)
        d.floor = try int(input.floor, "floor", -2...50)
        d.stepFree = input.stepFree ?? false
        d.furnished = input.furnished ?? false
        d.rent = try int(input.rent, "rent", 0...100_000, required: true)!
        d.deposit = try int(input.deposit, "deposit", 0...500_000)
        d.status = try choice(input.status, "status")
        d.landlord = try Validate.text(input.landlord, "landlord", max: 200, required: false)
        d.leaseFrom = try Validate.optionalDate(input.leaseFrom.flatMap { $0.isEmpty ? nil : $0 }, "leaseFrom")
        d.leaseTo = try Validate.optionalDate(input.leaseTo.flatMap { $0.isEmpty ? nil : $0 }, "leaseTo")
        if let f = d.leaseFrom, let t = d.leaseTo, t < f {
            throw ValidationFailure(field: "leaseTo", "invalid.period_order")
        }
        d.leaseRent = try int(input.leaseRent, "leaseRent", 0...200_000)
        d.leaseNoticeMonths = try int(input.leaseNoticeMonths, "leaseNoticeMonths", 0...24)
        if d.owner == .privateLease && d.landlord == nil {
            throw ValidationFailure(field: "landlord", "housing.invalid.landlord_needed")
        }
        if let km = try Validate.decimal(input.schoolKm, "schoolKm") {
            guard km >= 0, km <= 500 else { throw ValidationFailure(field: "schoolKm", "invalid.range", "0", "500") }
            d.schoolKm = km
        } else {
            d.schoolKm = nil
        }
        d.note = try Validate.text(input.note, "note", max: 1000, required: false, multiline: true)
    }

    package static func createDwelling(_ ctx: ServiceContext, _ input: DwellingInput) async throws -> Dwelling {
        let m = try Validate.municipality(input.municipality)
        try await ctx.authorize(.create, .register(municipality: m, sector: .housing), recordType: "dwelling")
        let d = Dwelling()
        d.$municipality.id = m
        try apply(input, to: d)
        // A new dwelling is never let: a tenancy lets it.
        guard d.status != .let_ && d.status != .reserved else {
            throw ValidationFailure(field: "status", "housing.invalid.status_by_tenancy")
        }
        try await d.create(on: ctx.db)
        try await ctx.audit("create", recordType: "dwelling", recordID: d.id?.uuidString, municipality: m)
        return d
    }

    package static func dwelling(_ ctx: ServiceContext, _ id: UUID?, for action: Action) async throws -> Dwelling {
        try await ctx.guarded(
            action, recordType: "dwelling", id: id, auditsRead: false,
            find: { try await Dwelling.find($0, on: ctx.db) }, resource: \.resource,
            municipality: { $0.$municipality.id })
    }

    package static func updateDwelling(_ ctx: ServiceContext, _ id: UUID?, _ input: DwellingInput) async throws
        -> Dwelling
    {
        let d = try await dwelling(ctx, id, for: .update)
        let before = d.status
        try apply(input, to: d)
        // Let and reserved follow the tenancy and the reservation, not the form.
        if d.status != before && (d.status == .let_ || d.status == .reserved || before == .let_) {
            throw ValidationFailure(field: "status", "housing.invalid.status_by_tenancy")
        }
        try await d.update(on: ctx.db)
        try await ctx.audit(
            "update", recordType: "dwelling", recordID: d.id?.uuidString, municipality: d.$municipality.id)
        return d
    }

    // MARK: Households and their housing part

    /// A household with its members and their shares, as the policy needs it.
    static func household(_ id: UUID, on db: any Database) async throws -> Household? {
        try await Household.query(on: db).filter(\.$id == id).with(\.$members) { $0.with(\.$shares) }.first()
    }

    /// The housing part of a household's file: the integration service, and the housing sector when every member is
    /// shared with it (as for the household itself).
    package static func part(_ h: Household) -> Resource {
        // The household's own sharing (`HouseholdService.resource`), narrowed to the housing sector's part.
        guard case .personalData(let m, let shared) = HouseholdService.resource(h) else {
            return .sectorPart(municipality: h.$municipality.id, sharedWith: [], sector: .housing)
        }
        return .sectorPart(municipality: m, sharedWith: shared, sector: .housing)
    }

    /// The household's need as the room rule reads it, on `day`.
    package static func need(_ h: Household, on day: LocalDate, stepFree: Bool) -> HouseholdNeed {
        let ages = (h.$members.value ?? []).filter { $0.movedOutOn.map { $0 > day } ?? true }.map {
            $0.birthDate.age(on: day)
        }
        return HouseholdNeed(
            adults: ages.filter { $0 >= 18 }.count, childAges: ages.filter { $0 < 18 }.sorted(), stepFree: stepFree)
    }

    /// The household's settlement: its members' earliest settlement date.
    static func settled(_ h: Household) -> LocalDate? {
        (h.$members.value ?? []).compactMap(\.settlementDate).min()
    }

    /// The settlement assessment's question: of the rooms the proposal needs, how many dwellings are free or being
    /// prepared in its municipality (one count in the database).
    package static func capacity(_ ctx: ServiceContext, incoming id: UUID) async throws -> HousingCapacity? {
        guard let need = try await ctx.app.sharedFacts.incomingNeed(id, ctx.db),
            ctx.may(.list, .register(municipality: need.municipality, sector: .housing)),
            let rule = ctx.app.housingParameters.value(\.roomRule, on: ctx.today)
        else { return nil }
        let rooms = max(rule.rooms(for: need.need), need.rooms ?? 0)
        let q = Dwelling.query(on: ctx.db).filter(\.$municipality.$id == need.municipality)
            .filter(\.$status ~~ [.free, .preparing]).filter(\.$rooms >= rooms)
        if need.need.stepFree { q.filter(\.$stepFree == true) }
        return HousingCapacity(rooms: rooms, free: try await q.count(), href: "/housing/allocate?incoming=\(id)")
    }

    // MARK: Reservation

    package enum Candidate {
        case incoming(IncomingNeed)
        case household(Household)
    }

    /// Reserves the dwelling for an incoming or a settled household; the proposal's housing assessment notes it.
    package static func reserve(_ ctx: ServiceContext, _ id: UUID?, for candidate: Candidate) async throws -> Dwelling {
        let d = try await dwelling(ctx, id, for: .update)
        guard d.status == .free || d.status == .preparing else {
            throw ValidationFailure(field: "dwelling", "housing.invalid.not_free")
        }
        switch candidate {
        case .incoming(let need):
            guard need.municipality == d.$municipality.id else {
                throw ValidationFailure(field: "incoming", "invalid.household_elsewhere")
            }
            d.reservedIncoming = need.id
            d.reservedHousehold = nil
            try await ctx.app.sharedFacts.dwellingReserved(ctx, need.id, d.address)
        case .household(let h):
            try await ctx.authorize(.update, part(h), recordType: "tenancy", recordID: h.id?.uuidString)
            guard h.$municipality.id == d.$municipality.id else {
                throw ValidationFailure(field: "household", "invalid.household_elsewhere")
            }
            d.reservedHousehold = h.id
            d.reservedIncoming = nil
        }
        d.reservedOn = ctx.today
        d.status = .reserved
        try await d.update(on: ctx.db)
        try await ctx.audit(
            "reserve", recordType: "dwelling", recordID: d.id?.uuidString, municipality: d.$municipality.id)
        return d
    }

    /// Lifts a reservation: the dwelling is free again.
    package static func release(_ ctx: ServiceContext, _ id: UUID?) async throws -> Dwelling {
        let d = try await dwelling(ctx, id, for: .update)
        guard d.status == .reserved else { throw ValidationFailure(field: "dwelling", "housing.invalid.not_reserved") }
        d.status = .free
        d.reservedIncoming = nil
        d.reservedHousehold = nil
        d.reservedOn = nil
        try await d.update(on: ctx.db)
        try await ctx.audit(
            "release", recordType: "dwelling", recordID: d.id?.uuidString, municipality: d.$municipality.id)
        return d
    }

    // MARK: Tenancies

    /// A tenancy after the policy allows `action` on its household's housing part; reads are audited.
    package static func tenancy(_ ctx: ServiceContext, _ id: UUID?, for action: Action) async throws
        -> (Tenancy, Household)
    {
        guard let id, let t = try await Tenancy.query(on: ctx.db).filter(\.$id == id).with(\.$dwelling).first(),
            let h = try await household(t.$household.id, on: ctx.db)
        else { throw Abort(.notFound) }
        try await ctx.authorize(action, part(h), recordType: "tenancy", recordID: id.uuidString)
        if action == .read {
            try await ctx.audit(
                "read", recordType: "tenancy", recordID: id.uuidString, municipality: t.$municipality.id)
        }
        return (t, h)
    }

    /// Lets the dwelling to a household: the household it is reserved for, or a settled household named in the form.
    package static func startTenancy(_ ctx: ServiceContext, dwelling id: UUID?, _ input: TenancyInput) async throws
        -> Tenancy
    {
        let d = try await dwelling(ctx, id, for: .update)
        guard d.status == .free || d.status == .reserved || d.status == .preparing else {
            throw ValidationFailure(field: "household", "housing.invalid.not_free")
        }
        guard let hid = input.household.flatMap(UUID.init(uuidString:)), let h = try await household(hid, on: ctx.db)
        else { throw ValidationFailure(field: "household", "invalid.reference") }
        try await ctx.authorize(.create, part(h), recordType: "tenancy", recordID: hid.uuidString)
        guard h.$municipality.id == d.$municipality.id else {
            throw ValidationFailure(field: "household", "invalid.household_elsewhere")
        }
        if d.status == .reserved {
            // A reserved dwelling is let to the household it is reserved for: directly, or as the proposal's arrival.
            var holder = d.reservedHousehold
            if holder == nil, let incoming = d.reservedIncoming {
                holder = try await ctx.app.sharedFacts.incomingNeed(incoming, ctx.db)?.householdID
            }
            guard holder == hid else {
                throw ValidationFailure(field: "household", "housing.invalid.reserved_for_other")
            }
        }
        let active = try await Tenancy.query(on: ctx.db).filter(\.$household.$id == hid).filter(\.$endedOn == nil)
            .count()
        guard active == 0 else { throw ValidationFailure(field: "household", "housing.invalid.already_housed") }
        let settings = try await settings(ctx, d.$municipality.id)
        let t = Tenancy()
        t.$municipality.id = d.$municipality.id
        t.$dwelling.id = d.id!
        t.$household.id = hid
        try applyTerms(input, to: t, settings: settings)
        t.rent = try int(input.rent, "rent", 0...100_000) ?? d.rent
        t.goalDate = OwnHomeGoal.goal(settled: settled(h) ?? t.start, years: settings.ownHomeYears)
        t.serviceHeld = d.owner.heldByService
        t.saving = false
        refreshNext(t, inspections: [], settings: settings)
        try await t.create(on: ctx.db)
        d.status = .let_
        d.reservedIncoming = nil
        d.reservedHousehold = nil
        d.reservedOn = nil
        try await d.update(on: ctx.db)
        try await ctx.audit(
            "create", recordType: "tenancy", recordID: t.id?.uuidString, municipality: t.$municipality.id)
        return t
    }

    static func applyTerms(_ input: TenancyInput, to t: Tenancy, settings: HousingSettings) throws {
        guard let start = try Validate.optionalDate(input.start, "start") else {
            throw ValidationFailure(field: "start", "invalid.required")
        }
        guard start <= LocalDate.today.adding(days: 365) else {
            throw ValidationFailure(field: "start", "invalid.too_far_ahead")
        }
        t.start = start
        t.agreedEnd = try Validate.optionalDate(input.agreedEnd.flatMap { $0.isEmpty ? nil : $0 }, "agreedEnd")
        if let end = t.agreedEnd {
            guard end > start else { throw ValidationFailure(field: "agreedEnd", "invalid.period_order") }
            // The municipality's longest stay (a time-limited lease, issue #15).
            guard end <= start.adding(months: settings.maxStayMonths) else {
                throw ValidationFailure(field: "agreedEnd", "housing.invalid.max_stay", String(settings.maxStayMonths))
            }
        }
        t.navGuarantee = try int(input.navGuarantee, "navGuarantee", 0...500_000)
        t.keys = try int(input.keys, "keys", 0...20)
    }

    package static func updateTenancy(_ ctx: ServiceContext, _ id: UUID?, _ input: TenancyInput) async throws -> Tenancy
    {
        let (t, _) = try await tenancy(ctx, id, for: .update)
        guard t.active else { throw ValidationFailure(field: "start", "housing.invalid.ended") }
        let settings = try await settings(ctx, t.$municipality.id)
        try applyTerms(input, to: t, settings: settings)
        t.rent = try int(input.rent, "rent", 0...100_000, required: true)!
        let inspections = try await Inspection.query(on: ctx.db).filter(\.$tenancy.$id == t.id!).all()
        refreshNext(t, inspections: inspections, settings: settings)
        try await t.update(on: ctx.db)
        try await ctx.audit(
            "update", recordType: "tenancy", recordID: t.id?.uuidString, municipality: t.$municipality.id)
        return t
    }

    package static func saveOwnHome(_ ctx: ServiceContext, _ id: UUID?, _ input: OwnHomeInput) async throws -> Tenancy {
        let (t, _) = try await tenancy(ctx, id, for: .update)
        func past(_ text: String?, _ field: String) throws -> LocalDate? {
            guard let text, !text.isEmpty else { return nil }
            return try Validate.pastDate(text, field)
        }
        t.housingSchoolOn = try past(input.housingSchoolOn, "housingSchoolOn")
        t.saving = input.saving ?? false
        t.startLoanAppliedOn = try past(input.startLoanAppliedOn, "startLoanAppliedOn")
        t.rentalSearchOn = try past(input.rentalSearchOn, "rentalSearchOn")
        try await t.update(on: ctx.db)
        try await ctx.audit(
            "own_home_steps", recordType: "tenancy", recordID: t.id?.uuidString, municipality: t.$municipality.id)
        return t
    }

    /// Ends the tenancy: the dwelling is prepared for the next household.
    package static func endTenancy(_ ctx: ServiceContext, _ id: UUID?, on text: String?, reason: String?)
        async throws -> Tenancy
    {
        let (t, _) = try await tenancy(ctx, id, for: .update)
        guard t.active else { throw ValidationFailure(field: "endedOn", "housing.invalid.ended") }
        guard let day = try Validate.optionalDate(text, "endedOn") else {
            throw ValidationFailure(field: "endedOn", "invalid.required")
        }
        guard day >= t.start else { throw ValidationFailure(field: "endedOn", "invalid.period_order") }
        guard day <= ctx.today.adding(days: 365) else {
            throw ValidationFailure(field: "endedOn", "invalid.too_far_ahead")
        }
        t.endedOn = day
        t.endReason = try choice(reason, "reason")
        t.nextInspection = nil
        t.nextInspectionYear = nil
        try await t.update(on: ctx.db)
        let d = t.dwelling
        d.status = .preparing
        try await d.update(on: ctx.db)
        try await ctx.audit("end", recordType: "tenancy", recordID: t.id?.uuidString, municipality: t.$municipality.id)
        return t
    }

    // MARK: Inspections

    /// The largest photo an inspection takes, and the kinds.
    package static let photoMaxBytes = 5 * 1024 * 1024
    package static let photoTypes: [String: String] = ["image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"]

    /// A photo as uploaded: its bytes and the type the browser named (checked against the bytes).
    package struct Photo: Sendable {
        package var data: ByteBuffer
        package var contentType: String?
    }

    /// Records a visit with what was gone through, found and agreed, and its photos.
    package static func recordInspection(
        _ ctx: ServiceContext, _ id: UUID?, _ input: InspectionInput, photos: [Photo] = []
    ) async throws -> Inspection {
        let (t, _) = try await tenancy(ctx, id, for: .update)
        let date = try Validate.pastDate(input.date, "date")
        guard date >= t.start.adding(days: -30) else { throw ValidationFailure(field: "date", "invalid.period_order") }
        let settings = try await settings(ctx, t.$municipality.id)
        let known = Set(settings.checklist.map(\.title))
        let items = input.items ?? []
        guard items.allSatisfy(known.contains), items.count <= 100 else {
            throw ValidationFailure(field: "items", "invalid.one_of")
        }
        let findings = try Validate.text(input.findings, "findings", max: 4000, required: false, multiline: true)
        let next = try Validate.text(input.nextSteps, "nextSteps", max: 4000, required: false, multiline: true)
        guard !items.isEmpty || findings != nil || input.moveIn == true else {
            throw ValidationFailure(field: "findings", "housing.invalid.empty_inspection")
        }
        guard photos.count <= 10 else { throw ValidationFailure(field: "photos", "invalid.at_most", "10") }
        var kinds: [String] = []
        for p in photos {
            guard p.data.readableBytes <= photoMaxBytes else {
                throw ValidationFailure(field: "photos", "housing.invalid.photo_size", "5")
            }
            guard let kind = sniff(p.data), p.contentType == nil || p.contentType == kind else {
                throw ValidationFailure(field: "photos", "housing.invalid.photo_type")
            }
            kinds.append(kind)
        }
        let i = Inspection()
        i.$tenancy.id = t.id!
        i.date = date
        i.moveIn = input.moveIn ?? false
        i.itemsJSON = String(decoding: try JSONEncoder().encode(items), as: UTF8.self)
        i.findings = findings
        i.nextSteps = next
        i.byUser = ctx.user?.id
        try await i.create(on: ctx.db)
        for (p, kind) in zip(photos, kinds) {
            let photo = InspectionPhoto()
            photo.$inspection.id = i.id!
            photo.contentType = kind
            photo.bytes = p.data.readableBytes
            try await photo.create(on: ctx.db)
            try write(p.data, to: photoPath(ctx.app, photo.id!))
        }
        let all = try await Inspection.query(on: ctx.db).filter(\.$tenancy.$id == t.id!).all()
        refreshNext(t, inspections: all, settings: settings)
        try await t.update(on: ctx.db)
        try await ctx.audit(
            "inspection", recordType: "tenancy", recordID: t.id?.uuidString, municipality: t.$municipality.id)
        return i
    }

    /// The image type the bytes are, by their signature; nil for anything else.
    static func sniff(_ data: ByteBuffer) -> String? {
        let head = data.getBytes(at: data.readerIndex, length: min(12, data.readableBytes)) ?? []
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if head.count >= 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) {
            return "image/webp"
        }
        return nil
    }

    /// Where a photo's bytes live: the data directory's `housing-photos` folder, by the photo's id only.
    package static func photoPath(_ app: Application, _ id: UUID) -> String {
        app.settings.dataDirectory + "/housing-photos/" + id.uuidString.lowercased()
    }

    static func write(_ data: ByteBuffer, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(data.readableBytesView)) else {
            throw Abort(.internalServerError, reason: "cannot store the photo")
        }
    }

    /// The photo's bytes, after the policy allows reading its tenancy.
    package static func photo(_ ctx: ServiceContext, _ id: UUID?) async throws -> (InspectionPhoto, Data) {
        guard let id,
            let p = try await InspectionPhoto.query(on: ctx.db).filter(\.$id == id).with(\.$inspection).first()
        else { throw Abort(.notFound) }
        _ = try await tenancy(ctx, p.inspection.$tenancy.id, for: .read)
        guard let data = FileManager.default.contents(atPath: photoPath(ctx.app, id)) else { throw Abort(.notFound) }
        return (p, data)
    }

    /// Stores the next open visit on the tenancy (see `InspectionSchedule.nextOpen`).
    static func refreshNext(_ t: Tenancy, inspections: [Inspection], settings: HousingSettings) {
        guard t.endedOn == nil else {
            t.nextInspection = nil
            t.nextInspectionYear = nil
            return
        }
        let dues = InspectionSchedule.dues(start: t.start, items: settings.checklist)
        let open = InspectionSchedule.nextOpen(
            dues, start: t.start, inspections: inspections.filter { !$0.moveIn }.map(\.date),
            graceDays: settings.graceDays)
        t.nextInspection = open?.due
        t.nextInspectionYear = open?.year
    }

    /// Recomputes the next visit of every active tenancy of the municipality after its checklist changed, in batches.
    static func refreshAll(_ ctx: ServiceContext, _ m: Kommunenummer) async throws {
        let settings = try await settings(ctx, m)
        var after: UUID? = nil
        while true {
            let q = Tenancy.query(on: ctx.db).filter(\.$municipality.$id == m).filter(\.$endedOn == nil)
            if let after { q.filter(\.$id > after) }
            let batch = try await q.sort(\.$id).limit(500).with(\.$inspections).all()
            for t in batch {
                refreshNext(t, inspections: t.inspections, settings: settings)
                try await t.update(on: ctx.db)
            }
            guard batch.count == 500 else { break }
            after = batch.last?.id
        }
    }

    // MARK: Checklist and settings

    package struct ChecklistInput: Sendable {
        package var items: [(title: String?, fromYear: String?, toYear: String?, interval: String?)]
        package var maxStayMonths: String?
        package var ownHomeYears: String?
    }

    /// Replaces the municipality's checklist and settings (the administrator's; integration staff read them).
    package static func saveChecklist(_ ctx: ServiceContext, _ m: Kommunenummer, _ input: ChecklistInput) async throws {
        try await ctx.authorize(.update, .municipalSettings(municipality: m))
        var items: [ChecklistItem] = []
        for (n, row) in input.items.enumerated() {
            guard let title = try Validate.text(row.title, "title.\(n)", max: 200, required: false) else { continue }
            let from = try int(row.fromYear, "fromYear.\(n)", 1...5, required: true)!
            let to = try int(row.toYear, "toYear.\(n)", 1...5, required: true)!
            guard to >= from else { throw ValidationFailure(field: "toYear.\(n)", "invalid.period_order") }
            let interval: InspectionInterval = try choice(row.interval, "interval.\(n)")
            guard !items.contains(where: { $0.title == title }) else {
                throw ValidationFailure(field: "title.\(n)", "housing.invalid.item_twice")
            }
            items.append(ChecklistItem(title: title, fromYear: from, toYear: to, interval: interval))
        }
        guard !items.isEmpty else { throw ValidationFailure(field: "title.0", "invalid.required") }
        let stay = try int(input.maxStayMonths, "maxStayMonths", 1...240)
        let years = try int(input.ownHomeYears, "ownHomeYears", 1...10)
        try await ChecklistRow.query(on: ctx.db).filter(\.$municipality.$id == m).delete()
        for (n, item) in items.enumerated() {
            let row = ChecklistRow()
            row.$municipality.id = m
            row.position = n
            row.title = item.title
            row.fromYear = item.fromYear
            row.toYear = item.toYear
            row.interval = item.interval
            try await row.create(on: ctx.db)
        }
        let s = try await HousingSetting.query(on: ctx.db).filter(\.$municipality.$id == m).first() ?? HousingSetting()
        s.$municipality.id = m
        s.maxStayMonths = stay
        s.ownHomeYears = years
        s.ownChecklist = true
        try await s.save(on: ctx.db)
        try await refreshAll(ctx, m)
        try await ctx.audit("update", recordType: "housing_settings", recordID: nil, municipality: m)
    }
}
