import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// A refused form on a housing page: the message, the field's id (`<form>-<field>`) and what was typed.
struct FormState: Encodable {
    var error: String?
    var errorAnchor: String?
    var errorForm: String?
    var posted: [String: String]

    static let none = FormState(error: nil, errorAnchor: nil, errorForm: nil, posted: [:])

    init(error: String?, errorAnchor: String?, errorForm: String?, posted: [String: String]) {
        self.error = error
        self.errorAnchor = errorAnchor
        self.errorForm = errorForm
        self.posted = posted
    }

    init(_ req: Request, _ failure: ValidationFailure?) {
        guard let failure else {
            self = .none
            return
        }
        let posted = (try? req.content.decode([String: String].self)) ?? [:]
        let form = posted["form"] ?? "f"
        self.init(
            error: req.message(failure), errorAnchor: "\(form)-\(failure.field)", errorForm: form, posted: posted)
    }
}

/// `/housing`: the dwellings and their stock, a dwelling's page, reservations, tenancies, inspections, the queue
/// of incoming households, the allocation and the checklist.
struct HousingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let h = routes.grouped("housing")
        h.get(use: dwellings)
        Export.routes(routes, ["housing"], last: "dwellings") { req, format in
            try await Self.exportDwellings(req, format)
        }
        h.get("dwellings", "new", use: newDwelling)
        h.gated(.create, .register).post("dwellings", use: createDwelling)
        h.get("dwellings", ":dwellingID", use: dwelling)
        h.gated(.update, .register).post("dwellings", ":dwellingID", use: updateDwelling)
        h.gated(.update, .register).post("dwellings", ":dwellingID", "reserve", use: reserve)
        h.gated(.update, .register).post("dwellings", ":dwellingID", "release", use: release)
        h.gated(.create, .sectorPart).post("dwellings", ":dwellingID", "tenancy", use: startTenancy)
        h.get("allocate", use: allocate)
        h.get("queue", use: queue)
        Export.routes(routes, ["housing"], last: "queue") { req, format in try await Self.exportQueue(req, format) }
        h.get("tenancies", use: tenancies)
        Export.routes(routes, ["housing"], last: "tenancies") { req, format in
            try await Self.exportTenancies(req, format)
        }
        h.get("tenancies", ":tenancyID", use: tenancy)
        h.gated(.update, .sectorPart).post("tenancies", ":tenancyID", use: updateTenancy)
        h.gated(.update, .sectorPart).post("tenancies", ":tenancyID", "own-home", use: saveOwnHome)
        h.gated(.update, .sectorPart).post("tenancies", ":tenancyID", "end", use: endTenancy)
        h.get("photos", ":photoID", use: photo)
        h.get("checklist", use: checklist)
        h.gated(.update, .municipalSettings).post("checklist", use: saveChecklist)
    }

    // MARK: Dwellings

    struct DwellingRow: Encodable {
        var id: UUID
        var address: String
        var municipality: String
        var ownerKey: String
        var rooms: Int
        var sizeM2: Int?
        var stepFree: Bool
        var rent: Int
        var status: String
        var statusKey: String
    }
    struct StockRow: Encodable {
        var rooms: Int
        var counts: [Int]
        var total: Int
    }
    struct DwellingsModel: Encodable {
        var rows: [DwellingRow]
        var total: Int
        var pager: Pager
        var stock: [StockRow]
        var statusKeys: [String]
        var municipalities: [Choice]
        var statuses: [Choice]
        var owners: [Choice]
        var rooms: String
        var query: String
        var canCreate: Bool
    }

    static func filterQuery(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { k, v in
            v.flatMap {
                $0.isEmpty ? nil : "\(k)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }
        }
        .joined(separator: "&")
    }

    func dwellings(req: Request) async throws -> View {
        let f = try req.query.decode(HousingLists.DwellingFilter.self)
        let p = try req.query.decode(HousingLists.Paging.self)
        let window = try PageWindow(page: p.page, after: p.after, before: p.before, limit: p.limit)
        let query = Self.filterQuery([
            ("municipality", f.municipality), ("status", f.status), ("rooms", f.rooms),
            ("owner", f.owner),
        ])
        let list = try await HousingLists.dwellings(
            req.context, f, window, base: "/housing?" + (query.isEmpty ? "" : query + "&"))
        let readable = try await HousingLists.dwellingScope(req.context, nil)
        let codes = try await HousingLists.dwellingScope(req.context, f.municipality)
        let cells = try await HousingLists.stock(req.context, codes)
        let statuses = DwellingStatus.allCases
        let stock = Dictionary(grouping: cells, by: \.rooms).sorted { $0.key < $1.key }.map { rooms, cs in
            let counts = statuses.map { s in cs.first { $0.status == s.rawValue }?.n ?? 0 }
            return StockRow(rooms: rooms, counts: counts, total: counts.reduce(0, +))
        }
        let names = try await req.municipalityNames()
        return try await req.page(
            "Housing/dwellings", titleKey: "housing.title",
            DwellingsModel(
                rows: list.rows.map { d in
                    DwellingRow(
                        id: d.id!, address: d.address, municipality: names[d.$municipality.id] ?? "",
                        ownerKey: d.owner.labelKey, rooms: d.rooms, sizeM2: d.sizeM2, stepFree: d.stepFree,
                        rent: d.rent, status: d.status.rawValue, statusKey: d.status.labelKey)
                }, total: list.total, pager: list.pager, stock: stock, statusKeys: statuses.map(\.labelKey),
                municipalities: readable.count > 1
                    ? Choice.municipalities(readable, names: names, selected: f.municipality) : [],
                statuses: statuses.map {
                    Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == f.status)
                },
                owners: DwellingOwner.allCases.map {
                    Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == f.owner)
                }, rooms: f.rooms ?? "", query: query,
                canCreate: readable.contains { req.may(.create, .register(municipality: $0, sector: .housing)) }))
    }

    static func exportDwellings(_ req: Request, _ format: Export.Format) async throws -> Response {
        let f = try req.query.decode(HousingLists.DwellingFilter.self)
        let codes = try await HousingLists.dwellingScope(req.context, f.municipality)
        let dwellings = try await PageWindow.all(cap: 50_000, cursor: { Cursor([.text($0.address), .id($0.id!)]) }) {
            try await $0.rows(try HousingLists.dwellingQuery(req.context, f, codes), HousingLists.dwellingOrder)
        }
        let rows: [[XLSX.Cell]] = dwellings.map { d in
            [
                .text(d.address), .text(d.$municipality.id.value), .text(d.owner.rawValue), .number(d.rooms),
                d.sizeM2.map { .number($0) } ?? .text(""), d.floor.map { .number($0) } ?? .text(""),
                .text(d.stepFree ? "ja" : "nei"), .text(d.furnished ? "ja" : "nei"), .number(d.rent),
                d.deposit.map { .number($0) } ?? .text(""), .text(d.status.rawValue), .text(d.landlord ?? ""),
                .text(d.leaseTo?.iso ?? ""),
            ]
        }
        for m in codes {
            try await req.context.audit("export", recordType: "dwellings", recordID: nil, municipality: m)
        }
        return try Export.response(
            format, name: "boliger", sheet: "Boliger",
            header: [
                "address", "municipality", "owner", "rooms", "size_m2", "floor", "step_free", "furnished", "rent",
                "deposit", "status", "landlord", "lease_to",
            ], rows: rows)
    }

    struct DwellingModel: Encodable {
        var id: UUID?
        var form: [String: String]
        var municipalities: [Choice]
        var owners: [Choice]
        var statuses: [Choice]
        var stepFree: Bool
        var furnished: Bool
        var error: String?
        var errorAnchor: String?
        var errorForm: String?
        var posted: [String: String]
        var canEdit: Bool
        var status: String?
        var statusKey: String?
        var reservedFor: String?
        var reservedHref: String?
        var canRelease: Bool
        /// The household a free or reserved dwelling can be let to now (the one it is reserved for), by id.
        var tenantID: String?
        var tenantName: String?
        var canStart: Bool
        var tenancies: [TenancyLine]
        var today: String
        var maxStayMonths: Int
    }
    struct TenancyLine: Encodable {
        var id: UUID
        var household: String
        var start: String
        var ended: String?
        var endKey: String?
    }

    static func fields(_ d: Dwelling) -> [String: String] {
        [
            "municipality": d.$municipality.id.value, "address": d.address, "owner": d.owner.rawValue,
            "rooms": String(d.rooms), "sizeM2": d.sizeM2.map(String.init) ?? "",
            "floor": d.floor.map(String.init) ?? "",
            "rent": String(d.rent), "deposit": d.deposit.map(String.init) ?? "", "landlord": d.landlord ?? "",
            "leaseFrom": d.leaseFrom?.iso ?? "", "leaseTo": d.leaseTo?.iso ?? "",
            "leaseRent": d.leaseRent.map(String.init) ?? "",
            "leaseNoticeMonths": d.leaseNoticeMonths.map(String.init) ?? "", "status": d.status.rawValue,
            "schoolKm": d.schoolKm.map { String($0) } ?? "", "note": d.note ?? "",
        ]
    }

    func dwellingPage(_ req: Request, _ d: Dwelling?, state: FormState = .none) async throws -> View {
        let names = try await req.municipalityNames()
        let creatable = try await req.municipalities(where: .create) { .register(municipality: $0, sector: .housing) }
        guard d != nil || !creatable.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        var form = d.map(Self.fields) ?? ["status": "free", "owner": "municipal", "rooms": "3"]
        if state.error != nil {
            for (k, v) in state.posted { form[k] = v }
        }
        var tenancies: [TenancyLine] = []
        var reservedFor: String? = nil
        var reservedHref: String? = nil
        var tenantID: String? = nil
        var tenantName: String? = nil
        var canStart = false
        var stay = 0
        if let d {
            stay = try await HousingService.settings(req.context, d.$municipality.id).maxStayMonths
            let history = try await Tenancy.query(on: req.store).filter(\.$dwelling.$id == d.id!).sort(
                \.$start, .descending
            )
            .limit(20).all()
            for t in history {
                guard let h = try await HousingService.household(t.$household.id, on: req.store),
                    req.may(.read, HousingService.part(h))
                else { continue }
                tenancies.append(
                    TenancyLine(
                        id: t.id!, household: h.name, start: t.start.iso, ended: t.endedOn?.iso,
                        endKey: t.endReason?.labelKey))
            }
            if let hid = d.reservedHousehold, let h = try await HousingService.household(hid, on: req.store),
                req.may(.read, HousingService.part(h))
            {
                reservedFor = h.name
                reservedHref = "/households/\(hid)"
                tenantID = hid.uuidString
                tenantName = h.name
            } else if let iid = d.reservedIncoming,
                let need = try await req.application.sharedFacts.incomingNeed(iid, req.store),
                req.may(.read, need.resource)
                    || req.context.user?.principal.roles.contains(where: \.isIntegrationStaff) == true
            {
                reservedFor = "\(need.label) (\(need.reference))"
                reservedHref = "/settlement/incoming/\(iid)"
                if let hid = need.householdID, let h = try await HousingService.household(hid, on: req.store),
                    req.may(.read, HousingService.part(h))
                {
                    tenantID = hid.uuidString
                    tenantName = h.name
                }
            }
            canStart = tenantID != nil && [.free, .reserved, .preparing].contains(d.status)
        }
        let canEdit = d.map { req.may(.update, $0.resource) } ?? true
        return try await req.page(
            "Housing/dwelling", titleKey: d == nil ? "housing.new_dwelling" : "housing.dwelling",
            DwellingModel(
                id: d?.id, form: form,
                municipalities: Choice.municipalities(
                    d.map { [$0.$municipality.id] } ?? creatable, names: names, selected: form["municipality"]),
                owners: DwellingOwner.allCases.map {
                    Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == form["owner"])
                },
                statuses: DwellingStatus.allCases.map {
                    Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == form["status"])
                },
                stepFree: state.error != nil ? state.posted["stepFree"] != nil : d?.stepFree ?? false,
                furnished: state.error != nil ? state.posted["furnished"] != nil : d?.furnished ?? false,
                error: state.error, errorAnchor: state.errorAnchor, errorForm: state.errorForm,
                posted: state.posted, canEdit: canEdit, status: d?.status.rawValue, statusKey: d?.status.labelKey,
                reservedFor: reservedFor, reservedHref: reservedHref,
                canRelease: d?.status == .reserved && canEdit, tenantID: tenantID, tenantName: tenantName,
                canStart: canStart, tenancies: tenancies, today: req.context.today.iso, maxStayMonths: stay))
    }

    func newDwelling(req: Request) async throws -> View { try await dwellingPage(req, nil) }

    func dwelling(req: Request) async throws -> View {
        let d = try await HousingService.dwelling(req.context, try req.pathID("dwellingID"), for: .read)
        return try await dwellingPage(req, d)
    }

    static func dwellingInput(_ f: FormReader) -> DwellingInput {
        var i = DwellingInput()
        i.municipality = f.text("municipality")
        i.address = f.text("address")
        i.owner = f.text("owner")
        i.rooms = f.text("rooms")
        i.sizeM2 = f.text("sizeM2")
        i.floor = f.text("floor")
        i.stepFree = f.checkbox("stepFree")
        i.furnished = f.checkbox("furnished")
        i.rent = f.text("rent")
        i.deposit = f.text("deposit")
        i.landlord = f.text("landlord")
        i.leaseFrom = f.text("leaseFrom")
        i.leaseTo = f.text("leaseTo")
        i.leaseRent = f.text("leaseRent")
        i.leaseNoticeMonths = f.text("leaseNoticeMonths")
        i.status = f.text("status")
        i.schoolKm = f.text("schoolKm")
        i.note = f.text("note")
        return i
    }

    func createDwelling(req: Request) async throws -> Response {
        do {
            let d = try await HousingService.createDwelling(req.context, Self.dwellingInput(try FormReader(req)))
            return req.redirect(to: "/housing/dwellings/\(d.id!)?notice=created")
        } catch let e as ValidationFailure {
            return try await dwellingPage(req, nil, state: FormState(req, e)).reshown(req)
        }
    }

    /// Runs a write on a dwelling and shows its page again, with the form's problem when it was refused.
    func onDwelling(_ req: Request, _ body: (UUID) async throws -> String) async throws -> Response {
        let id = try req.pathID("dwellingID")
        do {
            return req.redirect(to: try await body(id))
        } catch let e as ValidationFailure {
            let d = try await HousingService.dwelling(req.context, id, for: .read)
            return try await dwellingPage(req, d, state: FormState(req, e)).reshown(req)
        }
    }

    func updateDwelling(req: Request) async throws -> Response {
        try await onDwelling(req) { id in
            _ = try await HousingService.updateDwelling(req.context, id, Self.dwellingInput(try FormReader(req)))
            return "/housing/dwellings/\(id)?notice=saved"
        }
    }

    func reserve(req: Request) async throws -> Response {
        try await onDwelling(req) { id in
            let f = try FormReader(req)
            let candidate = try await Self.candidate(req, incoming: f.text("incoming"), household: f.text("household"))
            _ = try await HousingService.reserve(req.context, id, for: candidate)
            return "/housing/dwellings/\(id)?notice=saved"
        }
    }

    func release(req: Request) async throws -> Response {
        try await onDwelling(req) { id in
            _ = try await HousingService.release(req.context, id)
            return "/housing/dwellings/\(id)?notice=saved"
        }
    }

    func startTenancy(req: Request) async throws -> Response {
        try await onDwelling(req) { id in
            let t = try await HousingService.startTenancy(
                req.context, dwelling: id, Self.tenancyInput(try FormReader(req)))
            return "/housing/tenancies/\(t.id!)?notice=created"
        }
    }

    /// A tenancy's terms as the start and the edit forms send them (the edit sends no household).
    static func tenancyInput(_ f: FormReader) -> TenancyInput {
        var i = TenancyInput()
        i.household = f.text("household")
        i.start = f.text("start")
        i.agreedEnd = f.text("agreedEnd")
        i.rent = f.text("rent")
        i.navGuarantee = f.text("navGuarantee")
        i.keys = f.text("keys")
        return i
    }

    // MARK: Allocation

    /// The household an allocation is for: an incoming household by its proposal, or a settled one.
    static func candidate(_ req: Request, incoming: String?, household: String?) async throws
        -> HousingService.Candidate
    {
        if let text = incoming {
            guard let id = UUID(uuidString: text),
                let need = try await req.application.sharedFacts.incomingNeed(id, req.store)
            else { throw ValidationFailure(field: "incoming", "invalid.reference") }
            try await req.context.authorize(.read, need.resource, recordType: "incoming_household", recordID: text)
            return .incoming(need)
        }
        if let text = household {
            guard let id = UUID(uuidString: text), let h = try await HousingService.household(id, on: req.store) else {
                throw ValidationFailure(field: "household", "invalid.reference")
            }
            try await req.context.authorize(.read, HousingService.part(h), recordType: "tenancy", recordID: text)
            return .household(h)
        }
        throw ValidationFailure(field: "household", "invalid.required")
    }

    struct AllocationQuery: Content {
        var incoming: String?
        var household: String?
        var stepFree: Bool?
    }
    struct Ranked: Encodable {
        var id: UUID
        var address: String
        var rooms: Int
        var rent: Int
        var statusKey: String
        var score: Int
        var reasons: [String]
    }
    struct Excluded: Encodable {
        var id: UUID
        var address: String
        var rooms: Int
        var reasons: [String]
    }
    struct AllocationModel: Encodable {
        var label: String
        var backHref: String
        var adults: Int
        var children: String
        var stepFree: Bool
        var needed: Int
        var ranked: [Ranked]
        var excluded: [Excluded]
        var incoming: String?
        var household: String?
        var canReserve: Bool
        var shown: Int
        var ruleReference: String
    }

    /// The most dwellings an allocation ranks (free and being prepared, by address).
    static let allocationLimit = 200

    func allocate(req: Request) async throws -> View {
        let q = try req.query.decode(AllocationQuery.self)
        let candidate = try await Self.candidate(req, incoming: q.incoming, household: q.household)
        let (municipality, label, back, need): (Kommunenummer, String, String, HouseholdNeed)
        switch candidate {
        case .incoming(let n):
            (municipality, label, back, need) = (
                n.municipality, "\(n.label) (\(n.reference))", "/settlement/incoming/\(n.id)", n.need
            )
        case .household(let h):
            (municipality, label, back, need) = (
                h.$municipality.id, h.name, "/households/\(h.id!)",
                HousingService.need(h, on: req.context.today, stepFree: q.stepFree ?? false)
            )
        }
        try await req.context.authorize(.list, .register(municipality: municipality, sector: .housing))
        let p = req.application.housingParameters
        guard let rule = p.value(\.roomRule, on: req.context.today),
            let weights = p.value(\.weights, on: req.context.today)
        else { throw Abort(.internalServerError, reason: "housing parameters have no entry for today") }
        let dwellings = try await Dwelling.query(on: req.store).filter(\.$municipality.$id == municipality)
            .filter(\.$status ~~ [.free, .preparing]).sort(\.$address).sort(\.$id).limit(Self.allocationLimit).all()
        let byID = Dictionary(uniqueKeysWithValues: dwellings.map { ($0.id!.uuidString, $0) })
        let (ranked, excluded) = DwellingMatch.rank(
            need,
            dwellings.map {
                DwellingOffer(
                    id: $0.id!.uuidString, rooms: $0.rooms, stepFree: $0.stepFree, status: $0.status,
                    schoolKm: $0.schoolKm)
            }, rule: rule, weights: weights)
        return try await req.page(
            "Housing/allocate", titleKey: "housing.allocate",
            AllocationModel(
                label: label, backHref: back, adults: need.adults,
                children: need.childAges.map(String.init).joined(separator: ", "), stepFree: need.stepFree,
                needed: rule.rooms(for: need),
                ranked: ranked.compactMap { r in
                    byID[r.id].map {
                        Ranked(
                            id: $0.id!, address: $0.address, rooms: $0.rooms, rent: $0.rent,
                            statusKey: $0.status.labelKey,
                            score: Int((r.score * 100).rounded()), reasons: r.reasons.map { "housing.reason.\($0)" })
                    }
                },
                excluded: excluded.compactMap { x in
                    byID[x.id].map {
                        Excluded(
                            id: $0.id!, address: $0.address, rooms: $0.rooms,
                            reasons: x.reasons.map { "housing.reason.\($0)" })
                    }
                }, incoming: q.incoming, household: q.household,
                canReserve: req.may(.update, .register(municipality: municipality, sector: .housing)),
                shown: dwellings.count, ruleReference: p.roomRule.entry(on: req.context.today)?.reference ?? ""))
    }

    // MARK: The queue

    struct QueueRow: Encodable {
        var id: UUID
        var label: String
        var reference: String
        var municipality: String
        var persons: Int
        var children: String
        var rooms: Int?
        var needed: Int
        var stepFree: Bool
        var expectedArrival: String?
        var housingKey: String
        var decisionKey: String
        var reserved: String?
    }
    struct QueueModel: Encodable {
        var rows: [QueueRow]
        var total: Int
        var pager: Pager
        var municipalities: [Choice]
        var query: String
    }

    static func queueRows(_ req: Request, municipality: String?, offset: Int, limit: Int) async throws -> (
        [QueueRow], Int
    ) {
        let codes = try await HousingLists.dwellingScope(req.context, municipality)
        // A partner reads a proposal only while it is assessed (`IncomingHousehold.resource`).
        let staff = try req.requireUser().principal.roles.contains(where: \.isIntegrationStaff)
        let (needs, total) = try await req.application.sharedFacts.housingQueue(
            codes, !staff, offset, limit, req.store)
        let visible = needs.filter { req.may(.read, $0.resource) }
        let names = try await req.municipalityNames()
        let rule = req.application.housingParameters.value(\.roomRule, on: req.context.today)
        let ids = visible.map(\.id)
        let reserved =
            ids.isEmpty
            ? [] : try await Dwelling.query(on: req.store).filter(\.$reservedIncoming ~~ ids).all()
        try await req.context.auditList("incoming_household", records: visible.map { ($0.id, $0.municipality) })
        return (
            visible.map { n in
                QueueRow(
                    id: n.id, label: n.label, reference: n.reference, municipality: names[n.municipality] ?? "",
                    persons: n.need.persons, children: n.need.childAges.map(String.init).joined(separator: ", "),
                    rooms: n.rooms, needed: rule?.rooms(for: n.need) ?? 0, stepFree: n.need.stepFree,
                    expectedArrival: n.expectedArrival?.iso, housingKey: "assessment.\(n.housingStatus)",
                    decisionKey: "decision.\(n.decision)",
                    reserved: reserved.first { $0.reservedIncoming == n.id }?.address)
            }, total
        )
    }

    func queue(req: Request) async throws -> View {
        let f = try req.query.decode(HousingLists.DwellingFilter.self)
        let p = try req.query.decode(HousingLists.Paging.self)
        let page = try Validate.page(p.page)
        let size = try Validate.number(p.limit, "limit", 1...200) ?? PageWindow.defaultSize
        let (rows, total) = try await Self.queueRows(
            req, municipality: f.municipality, offset: (page - 1) * size, limit: size)
        let query = Self.filterQuery([("municipality", f.municipality)])
        let readable = try await HousingLists.dwellingScope(req.context, nil)
        let names = try await req.municipalityNames()
        return try await req.page(
            "Housing/queue", titleKey: "housing.queue",
            QueueModel(
                rows: rows, total: total,
                pager: Pager(
                    base: "/housing/queue?" + (query.isEmpty ? "" : query + "&"), requested: page, total: total,
                    size: size),
                municipalities: readable.count > 1
                    ? Choice.municipalities(readable, names: names, selected: f.municipality) : [], query: query))
    }

    static func exportQueue(_ req: Request, _ format: Export.Format) async throws -> Response {
        let f = try req.query.decode(HousingLists.DwellingFilter.self)
        var rows: [QueueRow] = []
        var offset = 0
        while true {
            let (batch, total) = try await queueRows(req, municipality: f.municipality, offset: offset, limit: 500)
            rows += batch
            offset += 500
            if offset >= total || offset >= 50_000 { break }
        }
        return try Export.response(
            format, name: "boligkoe", sheet: "Boligkø",
            header: [
                "reference", "label", "municipality", "persons", "child_ages", "rooms_asked", "rooms_needed",
                "step_free", "expected_arrival", "housing_assessment", "decision", "reserved_dwelling",
            ],
            rows: rows.map {
                [
                    .text($0.reference), .text($0.label), .text($0.municipality), .number($0.persons),
                    .text($0.children),
                    $0.rooms.map { .number($0) } ?? .text(""), .number($0.needed), .text($0.stepFree ? "ja" : "nei"),
                    .text($0.expectedArrival ?? ""), .text(req.t($0.housingKey)), .text(req.t($0.decisionKey)),
                    .text($0.reserved ?? ""),
                ]
            })
    }

    // MARK: Tenancies

    struct TenancyListRow: Encodable {
        var id: UUID
        var household: String
        var address: String
        var municipality: String
        var start: String
        var agreedEnd: String?
        var rent: Int
        var nextInspection: String?
        var overdue: Bool
        var goal: String
        var ended: String?
        var endKey: String?
    }
    struct TenanciesModel: Encodable {
        var rows: [TenancyListRow]
        var total: Int
        var pager: Pager
        var municipalities: [Choice]
        var shows: [Choice]
        var query: String
    }

    static let shows = ["", "ending", "inspection", "own_home", "ended"]

    func tenancies(req: Request) async throws -> View {
        let f = try req.query.decode(HousingLists.TenancyFilter.self)
        let p = try req.query.decode(HousingLists.Paging.self)
        let window = try PageWindow(page: p.page, after: p.after, before: p.before, limit: p.limit)
        let query = Self.filterQuery([("municipality", f.municipality), ("show", f.show)])
        let list = try await HousingLists.tenancies(
            req.context, f, window, base: "/housing/tenancies?" + (query.isEmpty ? "" : query + "&"))
        let readable = try await HousingLists.dwellingScope(req.context, nil)
        let names = try await req.municipalityNames()
        let today = req.context.today.iso
        return try await req.page(
            "Housing/tenancies", titleKey: "housing.tenancies",
            TenanciesModel(
                rows: list.rows.map { r in
                    TenancyListRow(
                        id: r.id, household: r.household, address: r.address,
                        municipality: Kommunenummer(r.municipality).flatMap { names[$0] } ?? "", start: r.start_date,
                        agreedEnd: r.agreed_end, rent: r.rent, nextInspection: r.next_inspection,
                        overdue: (r.next_inspection ?? "9999") < today, goal: r.goal_date, ended: r.ended_on,
                        endKey: r.end_reason.map { "tenancy_end.\($0)" })
                }, total: list.total, pager: list.pager,
                municipalities: readable.count > 1
                    ? Choice.municipalities(readable, names: names, selected: f.municipality) : [],
                shows: Self.shows.map {
                    Choice(
                        value: $0, label: "housing.show.\($0.isEmpty ? "active" : $0)", selected: $0 == (f.show ?? ""))
                }, query: query))
    }

    static func exportTenancies(_ req: Request, _ format: Export.Format) async throws -> Response {
        let f = try req.query.decode(HousingLists.TenancyFilter.self)
        let rows = try await HousingLists.allTenancies(req.context, f)
        let (codes, _) = try await HousingLists.tenancyScope(req.context, f.municipality)
        for m in codes { try await req.context.audit("export", recordType: "tenancy", recordID: nil, municipality: m) }
        return try Export.response(
            format, name: "leieforhold", sheet: "Leieforhold",
            header: [
                "household", "address", "municipality", "start", "agreed_end", "rent", "next_inspection",
                "own_home_goal", "ended_on", "end_reason",
            ],
            rows: rows.map {
                [
                    .text($0.household), .text($0.address), .text($0.municipality), .text($0.start_date),
                    .text($0.agreed_end ?? ""), .number($0.rent), .text($0.next_inspection ?? ""), .text($0.goal_date),
                    .text($0.ended_on ?? ""), .text($0.end_reason ?? ""),
                ]
            })
    }

    struct DueLine: Encodable {
        var due: String
        var year: Int
        var items: [String]
        var met: Bool
        var open: Bool
    }
    struct InspectionLine: Encodable {
        var date: String
        var moveIn: Bool
        var items: [String]
        var findings: String?
        var nextSteps: String?
        var photos: [UUID]
    }
    struct TenancyModel: Encodable {
        var id: UUID
        var household: String
        var householdID: UUID
        var dwellingID: UUID
        var address: String
        var active: Bool
        var terms: [String: String]
        var ended: String?
        var endKey: String?
        var goal: String
        var goalStatusKey: String
        var housingSchoolOn: String?
        var saving: Bool
        var startLoanAppliedOn: String?
        var rentalSearchOn: String?
        var next: String?
        var nextOverdue: Bool
        var dues: [DueLine]
        var inspections: [InspectionLine]
        var checklist: [String]
        var canEdit: Bool
        var reasons: [Choice]
        var error: String?
        var errorAnchor: String?
        var errorForm: String?
        var posted: [String: String]
        var today: String
        var maxStayMonths: Int
    }

    func tenancyPage(_ req: Request, _ id: UUID, state: FormState = .none) async throws -> View {
        let (t, h) = try await HousingService.tenancy(req.context, id, for: .read)
        let settings = try await HousingService.settings(req.context, t.$municipality.id)
        let inspections = try await Inspection.query(on: req.store).filter(\.$tenancy.$id == id).with(\.$photos)
            .sort(\.$date, .descending).all()
        let visits = inspections.filter { !$0.moveIn }.map(\.date)
        let dues = InspectionSchedule.dues(start: t.start, items: settings.checklist, end: t.endedOn)
        let met = InspectionSchedule.met(dues, start: t.start, inspections: visits, graceDays: settings.graceDays)
        let lines = zip(dues, met).map { d, met in
            DueLine(due: d.due.iso, year: d.year, items: d.items, met: met, open: d.due == t.nextInspection)
        }
        let today = req.context.today
        let goal = OwnHomeGoal.status(goal: t.goalDate, ended: t.endedOn, reason: t.endReason, today: today)
        var terms: [String: String] = [
            "start": t.start.iso, "agreedEnd": t.agreedEnd?.iso ?? "", "rent": String(t.rent),
            "navGuarantee": t.navGuarantee.map(String.init) ?? "", "keys": t.keys.map(String.init) ?? "",
        ]
        if state.errorForm == "terms" { for (k, v) in state.posted { terms[k] = v } }
        return try await req.page(
            "Housing/tenancy", titleKey: "housing.tenancy",
            TenancyModel(
                id: id, household: h.name, householdID: h.id!, dwellingID: t.$dwelling.id, address: t.dwelling.address,
                active: t.active, terms: terms, ended: t.endedOn?.iso, endKey: t.endReason?.labelKey,
                goal: t.goalDate.iso, goalStatusKey: "housing.goal.\(goal.rawValue)",
                housingSchoolOn: t.housingSchoolOn?.iso,
                saving: t.saving, startLoanAppliedOn: t.startLoanAppliedOn?.iso, rentalSearchOn: t.rentalSearchOn?.iso,
                next: t.nextInspection?.iso, nextOverdue: t.nextInspection.map { $0 < today } ?? false,
                dues: Array(lines.prefix(24)),
                inspections: inspections.map {
                    InspectionLine(
                        date: $0.date.iso, moveIn: $0.moveIn, items: $0.items, findings: $0.findings,
                        nextSteps: $0.nextSteps, photos: $0.photos.compactMap(\.id))
                },
                checklist: (t.nextInspection.flatMap { n in dues.first { $0.due == n }?.items })
                    ?? settings.checklist.map(\.title),
                canEdit: req.may(.update, HousingService.part(h)) && t.active,
                reasons: TenancyEnd.allCases.map { Choice(value: $0.rawValue, label: $0.labelKey, selected: false) },
                error: state.error, errorAnchor: state.errorAnchor, errorForm: state.errorForm,
                posted: state.posted, today: today.iso, maxStayMonths: settings.maxStayMonths))
    }

    func tenancy(req: Request) async throws -> View {
        try await tenancyPage(req, try req.pathID("tenancyID"))
    }

    func onTenancy(_ req: Request, _ body: (UUID) async throws -> Void) async throws -> Response {
        let id = try req.pathID("tenancyID")
        do {
            try await body(id)
            return req.redirect(to: "/housing/tenancies/\(id)?notice=saved")
        } catch let e as ValidationFailure {
            return try await tenancyPage(req, id, state: FormState(req, e)).reshown(req)
        }
    }

    func updateTenancy(req: Request) async throws -> Response {
        try await onTenancy(req) { id in
            _ = try await HousingService.updateTenancy(req.context, id, Self.tenancyInput(try FormReader(req)))
        }
    }

    func saveOwnHome(req: Request) async throws -> Response {
        try await onTenancy(req) { id in
            let f = try FormReader(req)
            var i = OwnHomeInput()
            i.housingSchoolOn = f.text("housingSchoolOn")
            i.saving = f.checkbox("saving")
            i.startLoanAppliedOn = f.text("startLoanAppliedOn")
            i.rentalSearchOn = f.text("rentalSearchOn")
            _ = try await HousingService.saveOwnHome(req.context, id, i)
        }
    }

    func endTenancy(req: Request) async throws -> Response {
        try await onTenancy(req) { id in
            let f = try FormReader(req)
            _ = try await HousingService.endTenancy(req.context, id, on: f.text("endedOn"), reason: f.text("reason"))
        }
    }

    func photo(req: Request) async throws -> Response {
        let (p, data) = try await HousingService.photo(req.context, try req.pathID("photoID"))
        let res = Response(status: .ok, body: .init(data: data))
        res.headers.contentType = HTTPMediaType(type: "image", subType: String(p.contentType.dropFirst("image/".count)))
        res.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return res
    }

    // MARK: The checklist

    struct ChecklistQuery: Content { var municipality: String? }
    struct ChecklistLine: Encodable {
        var n: Int
        var title: String
        var fromYear: String
        var toYear: String
        var intervals: [Choice]
    }
    struct ChecklistModel: Encodable {
        var municipality: String
        var municipalityName: String
        var municipalities: [Choice]
        var lines: [ChecklistLine]
        var maxStayMonths: String
        var ownHomeYears: String
        var own: Bool
        var canEdit: Bool
        /// The housing pages' tabs, for those who work with the dwellings (not the administrator).
        var showTabs: Bool
        var reference: String
        var error: String?
        var errorAnchor: String?
        var errorForm: String?
        var posted: [String: String]
    }

    func checklistPage(_ req: Request, municipality: String?, state: FormState = .none) async throws -> View {
        let codes = try await req.context.scope(where: .read, requested: municipality) {
            .municipalSettings(municipality: $0)
        }
        let readable = try await req.municipalities(where: .read) { .municipalSettings(municipality: $0) }
        let m = codes[0]
        let s = try await HousingService.settings(req.context, m)
        let names = try await req.municipalityNames()
        var lines = s.checklist.enumerated().map { n, item in
            (n, item.title, String(item.fromYear), String(item.toYear), item.interval.rawValue)
        }
        if state.error != nil {
            lines = (0..<(lines.count + 1)).compactMap { n in
                guard state.posted["title.\(n)"] != nil else { return nil }
                return (
                    n, state.posted["title.\(n)"] ?? "", state.posted["fromYear.\(n)"] ?? "",
                    state.posted["toYear.\(n)"] ?? "",
                    state.posted["interval.\(n)"] ?? ""
                )
            }
        }
        // One empty line to add an item.
        lines.append((lines.count, "", "1", "1", InspectionInterval.yearly.rawValue))
        return try await req.page(
            "Housing/checklist", titleKey: "housing.checklist",
            ChecklistModel(
                municipality: m.value, municipalityName: names[m] ?? m.value,
                municipalities: readable.count > 1 ? Choice.municipalities(readable, names: names, selected: m) : [],
                lines: lines.map { n, title, from, to, interval in
                    ChecklistLine(
                        n: n, title: title, fromYear: from, toYear: to,
                        intervals: InspectionInterval.allCases.map {
                            Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == interval)
                        })
                },
                maxStayMonths: state.posted["maxStayMonths"] ?? String(s.maxStayMonths),
                ownHomeYears: state.posted["ownHomeYears"] ?? String(s.ownHomeYears), own: s.ownChecklist,
                canEdit: req.may(.update, .municipalSettings(municipality: m)),
                showTabs: req.may(.list, .register(municipality: m, sector: .housing)),
                reference: req.application.housingParameters.checklist.reference, error: state.error,
                errorAnchor: state.errorAnchor, errorForm: state.errorForm, posted: state.posted))
    }

    func checklist(req: Request) async throws -> View {
        try await checklistPage(req, municipality: try req.query.decode(ChecklistQuery.self).municipality)
    }

    func saveChecklist(req: Request) async throws -> Response {
        let f = try FormReader(req)
        let m = try Validate.municipality(f.text("municipality"))
        do {
            var items: [(title: String?, fromYear: String?, toYear: String?, interval: String?)] = []
            var n = 0
            while f.raw("title.\(n)") != nil && n < 200 {
                items.append(
                    (f.text("title.\(n)"), f.text("fromYear.\(n)"), f.text("toYear.\(n)"), f.text("interval.\(n)")))
                n += 1
            }
            try await HousingService.saveChecklist(
                req.context, m,
                .init(items: items, maxStayMonths: f.text("maxStayMonths"), ownHomeYears: f.text("ownHomeYears")))
            return req.redirect(to: "/housing/checklist?municipality=\(m.value)&notice=saved")
        } catch let e as ValidationFailure {
            return try await checklistPage(req, municipality: m.value, state: FormState(req, e)).reshown(req)
        }
    }
}

/// `POST /housing/tenancies/:id/inspections`: a visit with its photos (multipart, the upload body limit); a refused
/// form shows the tenancy again with the message and what was typed.
struct InspectionUploadController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.gated(.update, .sectorPart).on(
            .POST, "housing", "tenancies", ":tenancyID", "inspections", body: .collect(maxSize: Uploads.maxSize),
            use: record)
    }

    struct Form: Content {
        var date: String?
        var moveIn: String?
        var items: [String]?
        var findings: String?
        var nextSteps: String?
        var photos: [File]?
    }

    func record(req: Request) async throws -> Response {
        let id = try req.pathID("tenancyID")
        let form = (try? req.content.decode(Form.self)) ?? Form()
        do {
            let input = InspectionInput(
                date: form.date, moveIn: form.moveIn != nil, items: form.items,
                findings: form.findings.flatMap { $0.isEmpty ? nil : $0 },
                nextSteps: form.nextSteps.flatMap { $0.isEmpty ? nil : $0 })
            let photos = (form.photos ?? []).filter { $0.data.readableBytes > 0 }.map {
                HousingService.Photo(data: $0.data, contentType: $0.contentType?.description)
            }
            _ = try await HousingService.recordInspection(req.context, id, input, photos: photos)
            return req.redirect(to: "/housing/tenancies/\(id)?notice=saved#inspections")
        } catch let e as ValidationFailure {
            let state = FormState(
                error: req.message(e), errorAnchor: "inspection-\(e.field)", errorForm: "inspection",
                posted: ["date": form.date ?? "", "findings": form.findings ?? "", "nextSteps": form.nextSteps ?? ""])
            return try await HousingController().tenancyPage(req, id, state: state).reshown(req)
        }
    }
}
