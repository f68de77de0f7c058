/// What a user wants to do.
public enum Action: String, Sendable, Codable, CaseIterable {
    case list, read, create, update, delete
}

/// Where a grant applies: every municipality (system administration) or a set of municipality numbers.
public enum Scope: Sendable, Equatable {
    case all
    case municipalities(Set<Kommunenummer>)

    public func contains(_ municipality: Kommunenummer) -> Bool {
        switch self {
        case .all: true
        case .municipalities(let s): s.contains(municipality)
        }
    }
}

/// One role held by a user, already widened by the service agreements of the user's unit:
/// a case worker in Gol's integration service that also serves Hemsedal gets scope {3324, 3326}.
public struct Grant: Sendable, Equatable {
    public var role: Role
    public var scope: Scope
    public init(role: Role, scope: Scope) {
        self.role = role
        self.scope = scope
    }
}

/// The user as the policy sees it.
public struct Principal: Sendable {
    public var userID: String
    public var grants: [Grant]
    public init(userID: String, grants: [Grant]) {
        self.userID = userID
        self.grants = grants
    }

    public var roles: Set<Role> { Set(grants.map(\.role)) }

    /// Municipalities where the user holds any of `roles`.
    public func municipalities(for roles: Set<Role>) -> Scope {
        var codes: Set<Kommunenummer> = []
        for g in grants where roles.contains(g.role) {
            switch g.scope {
            case .all: return .all
            case .municipalities(let s): codes.formUnion(s)
            }
        }
        return .municipalities(codes)
    }
}

/// The things access is decided on. Records carry their municipality; person data carries the
/// sectors it has been shared with (by consent or legal basis), which is all a partner may see.
public enum Resource: Sendable, Equatable {
    /// A person's file, or a household's, in a municipality.
    case personalData(municipality: Kommunenummer, sharedWith: Set<Sector>)
    /// One sector's part of a person's file (e.g. the TB screening date the health station records).
    case sectorPart(municipality: Kommunenummer, sharedWith: Set<Sector>, sector: Sector)
    /// One section of a person's file (see `SectionTable`): `readers` are the sectors whose task needs it. A partner
    /// reads it only on a file shared with its sector.
    case fileSection(municipality: Kommunenummer, sharedWith: Set<Sector>, readers: Set<Sector>)
    /// The introduction programme on a person's file (integreringsloven kap. 4): the integration service's own record,
    /// which partners do not see even on a file shared with them.
    case programme(municipality: Kommunenummer)
    /// The grant ledger of a municipality: the grants each person brings, by name, and the payments received from
    /// IMDi (the integration service claims and reconciles them; partners have no task in it, leaders see the sums
    /// through `aggregates`).
    case grantLedger(municipality: Kommunenummer)
    /// A journal note on a person's file, written in `sector`; `shared` makes it visible to every
    /// sector that may read the file, otherwise only the writing sector sees it.
    case journalNote(municipality: Kommunenummer, sharedWith: Set<Sector>, sector: Sector, shared: Bool)
    /// The list of persons in a municipality (filtered per row for partners).
    case personalDataList(municipality: Kommunenummer)
    /// Counts and reports without names.
    case aggregates(municipality: Kommunenummer)
    /// The settlement year: IMDi's request and the council's decision (numbers, no names).
    case settlementPlan(municipality: Kommunenummer)
    /// A municipality's own settings: answer deadlines, the arrival-checklist template.
    case municipalSettings(municipality: Kommunenummer)
    /// The municipality's planning figures: settlement scenarios and the capacities they are measured against
    /// (numbers, no names).
    case planning(municipality: Kommunenummer)
    /// A measure of the municipality's integration plan owned by `sector` (nil: no partner owns it). Read and kept
    /// like the plan (`planning`); the partner that owns it reads it and reports its status (issue #14: "partners see
    /// only their own measures").
    case planMeasure(municipality: Kommunenummer, sector: Sector?)
    /// A municipality's register kept by the integration service together with one partner sector: the dwellings it
    /// lets or sublets (with housing), the workplaces and places for language and work practice (with NAV). No
    /// person's data is in it; what links a person to a dwelling or a place is that person's file (`sectorPart`).
    case register(municipality: Kommunenummer, sector: Sector)
    /// The audit log of a municipality.
    case auditLog(municipality: Kommunenummer)
    /// Users and role assignments of a municipality.
    case userAdministration(municipality: Kommunenummer)
    /// A role that reads personal data, granted by an administrator and waiting for a second person's approval:
    /// the municipality's leader or a system administrator (four-eyes principle for access to special-category data).
    case roleApproval(municipality: Kommunenummer)
    /// Municipalities, service units and agreements across the whole service.
    case tenancy
    /// The signed-in user's own account (password, API tokens).
    case ownAccount
}

public enum Decision: Sendable, Equatable {
    case allow
    case deny(String)
    public var isAllowed: Bool { self == .allow }
}

/// The one place that decides access. Default deny: anything not allowed below is refused.
///
/// Grounds: GDPR art. 5 (1) c (data minimisation) and art. 32 (access control), integreringsloven § 41
/// (the municipality processes only what it needs for its tasks), and the duty of confidentiality in
/// forvaltningsloven § 13: partners see a person only when the file is shared with their sector.
public enum AccessPolicy {
    public static func decide(_ principal: Principal, _ action: Action, _ resource: Resource) -> Decision {
        for grant in principal.grants where allows(grant, action, resource) { return .allow }
        return .deny("no role allows \(action.rawValue) on \(resource.kind)")
    }

    /// One grant against one resource: each family of resources has its own small rule below.
    static func allows(_ g: Grant, _ action: Action, _ resource: Resource) -> Bool {
        switch resource {
        case .ownAccount:
            return true
        case .tenancy, .userAdministration, .roleApproval, .auditLog:
            return administration(g, action, resource)
        case .aggregates, .settlementPlan, .municipalSettings, .planning:
            return municipal(g, action, resource)
        case .planMeasure(let m, let sector):
            if municipal(g, action, .planning(municipality: m)) { return true }
            // The owning partner: reads it and reports where it stands; never creates or deletes.
            guard g.scope.contains(m), let own = g.role.partnerSector, own == sector else { return false }
            return action == .read || action == .list || action == .update
        case .register(let m, let sector):
            return register(g, action, municipality: m, sector: sector)
        case .personalData(let m, let sharedWith):
            return personFile(g, action, municipality: m, sharedWith: sharedWith)
        case .personalDataList(let m):
            guard action == .list, g.scope.contains(m) else { return false }
            return g.role.isIntegrationStaff || g.role.partnerSector != nil
        case .sectorPart(let m, let sharedWith, let sector):
            return sectorPart(g, action, municipality: m, sharedWith: sharedWith, sector: sector)
        case .programme(let m):
            return programme(g, action, municipality: m)
        case .grantLedger(let m):
            return grantLedger(g, action, municipality: m)
        case .fileSection(let m, let sharedWith, let readers):
            return fileSection(g, action, municipality: m, sharedWith: sharedWith, readers: readers)
        case .journalNote(let m, let sharedWith, let sector, let shared):
            return journalNote(g, action, municipality: m, sharedWith: sharedWith, sector: sector, shared: shared)
        }
    }

    /// Accounts, roles, the audit log and the service's municipalities: administrators, and leaders for approvals.
    static func administration(_ g: Grant, _ action: Action, _ resource: Resource) -> Bool {
        switch resource {
        case .tenancy:
            return g.role == .systemAdmin || (action == .read || action == .list) && g.role == .municipalAdmin
        case .userAdministration(let m):
            return (g.role == .systemAdmin || g.role == .municipalAdmin) && g.scope.contains(m)
        case .roleApproval(let m):
            return (g.role == .systemAdmin || g.role == .leader) && g.scope.contains(m)
        case .auditLog(let m):
            return (g.role == .systemAdmin || g.role == .municipalAdmin) && g.scope.contains(m)
                && (action == .read || action == .list)
        default:
            return false
        }
    }

    /// A municipality's numbers and settings, without names.
    static func municipal(_ g: Grant, _ action: Action, _ resource: Resource) -> Bool {
        let reads = action == .read || action == .list
        let overview: Set<Role> = [.leader, .municipalAdmin, .caseWorker, .programmeAdvisor]
        switch resource {
        case .aggregates(let m):
            return reads && g.scope.contains(m) && overview.contains(g.role)
        case .settlementPlan(let m):
            guard g.scope.contains(m) else { return false }
            switch action {
            case .read, .list: return overview.contains(g.role)
            // The request and decision are registered by the settlement case workers or the administrator.
            case .create, .update: return g.role == .caseWorker || g.role == .municipalAdmin
            case .delete: return g.role == .municipalAdmin
            }
        case .municipalSettings(let m):
            guard g.scope.contains(m) else { return false }
            if g.role == .systemAdmin || g.role == .municipalAdmin { return true }
            return reads && g.role.isIntegrationStaff
        case .planning(let m):
            // Read by everyone who reads the municipality's numbers; drawn up by the leaders who put scenarios to
            // the council, the administrator and the settlement case workers.
            guard g.scope.contains(m), overview.contains(g.role) else { return false }
            return reads || g.role == .leader || g.role == .municipalAdmin || g.role == .caseWorker
        default:
            return false
        }
    }

    /// A person's or household's file: integration staff in full, partners read what is shared with their sector.
    static func personFile(_ g: Grant, _ action: Action, municipality m: Kommunenummer, sharedWith: Set<Sector>) -> Bool
    {
        guard g.scope.contains(m) else { return false }
        if g.role.isIntegrationStaff {
            // Deleting a person file is rare and irreversible: case workers only.
            return action != .delete || g.role == .caseWorker
        }
        if let sector = g.role.partnerSector {
            return action == .read && sharedWith.contains(sector)
        }
        return false
    }

    /// One sector's part of a file: integration staff, and the partner of that sector on files shared with it.
    static func sectorPart(
        _ g: Grant, _ action: Action, municipality m: Kommunenummer, sharedWith: Set<Sector>, sector: Sector
    )
        -> Bool
    {
        guard g.scope.contains(m), action != .delete else { return false }
        if g.role.isIntegrationStaff { return true }
        // A partner records its own sector's part, and only on files shared with that sector.
        return g.role.partnerSector == sector && sharedWith.contains(sector)
    }

    /// A section of a file: read by the integration service when the table lets it, and by a partner when the table
    /// names its sector and the file is shared with that sector. Sections are only read; writes go to their records.
    static func fileSection(
        _ g: Grant, _ action: Action, municipality m: Kommunenummer, sharedWith: Set<Sector>, readers: Set<Sector>
    ) -> Bool {
        guard g.scope.contains(m), action == .read else { return false }
        if g.role.isIntegrationStaff { return readers.contains(.integration) }
        guard let sector = g.role.partnerSector else { return false }
        return readers.contains(sector) && sharedWith.contains(sector)
    }

    /// A register of the municipality: the integration service keeps it (deleting is the case workers'), and the
    /// partner whose sector shares it works in it too; nobody else, leaders included (they see its counts as
    /// aggregates).
    static func register(_ g: Grant, _ action: Action, municipality m: Kommunenummer, sector: Sector) -> Bool {
        guard g.scope.contains(m) else { return false }
        if g.role.isIntegrationStaff { return action != .delete || g.role == .caseWorker }
        return g.role.partnerSector == sector && action != .delete
    }

    /// The introduction programme: integration staff only, whatever the file is shared with.
    /// The grant ledger: integration staff read it; the case workers register and correct the payments received.
    static func grantLedger(_ g: Grant, _ action: Action, municipality m: Kommunenummer) -> Bool {
        guard g.scope.contains(m), g.role.isIntegrationStaff else { return false }
        return action == .read || action == .list || g.role == .caseWorker
    }

    static func programme(_ g: Grant, _ action: Action, municipality m: Kommunenummer) -> Bool {
        guard g.scope.contains(m), g.role.isIntegrationStaff else { return false }
        return action != .delete || g.role == .caseWorker
    }

    /// A journal note: written in one sector, read there or, when shared, by every sector that may read the file.
    static func journalNote(
        _ g: Grant, _ action: Action, municipality m: Kommunenummer, sharedWith: Set<Sector>, sector: Sector,
        shared: Bool
    ) -> Bool {
        guard g.scope.contains(m), action != .delete else { return false }
        let own: Sector? = g.role.isIntegrationStaff ? .integration : g.role.partnerSector
        guard let own else { return false }
        // Partners reach a note only through a file shared with their sector.
        if own != .integration && !sharedWith.contains(own) { return false }
        if action == .read || action == .list { return own == sector || shared }
        return own == sector
    }
}

extension Resource {
    public var kind: String {
        switch self {
        case .personalData: "personal_data"
        case .sectorPart: "sector_part"
        case .journalNote: "journal_note"
        case .programme: "programme"
        case .grantLedger: "grant_ledger"
        case .fileSection: "file_section"
        case .personalDataList: "personal_data_list"
        case .aggregates: "aggregates"
        case .settlementPlan: "settlement_plan"
        case .municipalSettings: "municipal_settings"
        case .planning: "planning"
        case .planMeasure: "plan_measure"
        case .register: "register"
        case .auditLog: "audit_log"
        case .userAdministration: "user_administration"
        case .roleApproval: "role_approval"
        case .tenancy: "tenancy"
        case .ownAccount: "own_account"
        }
    }
}

/// Kinds of record for the check made before a request's body is read (see `AccessPolicy.mayEver`).
public enum ResourceKind: String, Sendable, CaseIterable {
    case personalData = "personal_data"
    case sectorPart = "sector_part"
    case journalNote = "journal_note"
    case programme
    case grantLedger = "grant_ledger"
    case settlementPlan = "settlement_plan"
    case municipalSettings = "municipal_settings"
    case planning
    case planMeasure = "plan_measure"
    case register
    case userAdministration = "user_administration"
    case roleApproval = "role_approval"
    case tenancy

    /// Kinds that hold personal data, whose refusals the audit log keeps.
    public var isPersonal: Bool { [.personalData, .sectorPart, .journalNote, .programme, .grantLedger].contains(self) }

    /// Every variant of the kind in municipality `m`, with the widest sharing: if none of them allows an action,
    /// no record of the kind does (the policy only ever narrows by sharing and sector).
    public func widest(in m: Kommunenummer) -> [Resource] {
        let all = Set(Sector.allCases)
        switch self {
        case .personalData:
            return [.personalData(municipality: m, sharedWith: all)]
        case .sectorPart:
            return Sector.allCases.map { .sectorPart(municipality: m, sharedWith: all, sector: $0) }
        case .journalNote:
            return Sector.allCases.flatMap { s in
                [true, false].map { .journalNote(municipality: m, sharedWith: all, sector: s, shared: $0) }
            }
        case .programme:
            return [.programme(municipality: m)]
        case .grantLedger:
            return [.grantLedger(municipality: m)]
        case .settlementPlan:
            return [.settlementPlan(municipality: m)]
        case .municipalSettings:
            return [.municipalSettings(municipality: m)]
        case .planning:
            return [.planning(municipality: m)]
        case .planMeasure:
            return [.planMeasure(municipality: m, sector: nil)]
                + Sector.allCases.map {
                    .planMeasure(municipality: m, sector: $0)
                }
        case .register:
            return Sector.allCases.map { .register(municipality: m, sector: $0) }
        case .userAdministration:
            return [.userAdministration(municipality: m)]
        case .roleApproval:
            return [.roleApproval(municipality: m)]
        case .tenancy:
            return [.tenancy]
        }
    }
}

extension AccessPolicy {
    /// Whether some record of `kind` in some municipality the user holds a role in could allow `action`. Checked
    /// before the body is read, so a caller without the right is refused (403) rather than told what is wrong with
    /// the input (400): validation comes after authorization. The record's own check still follows.
    public static func mayEver(_ principal: Principal, _ action: Action, _ kind: ResourceKind) -> Bool {
        for g in principal.grants {
            let places: [Kommunenummer]
            switch g.scope {
            // Any number stands for "every municipality" here, as the scope contains them all.
            case .all: places = ["0301"]
            case .municipalities(let s): places = Array(s)
            }
            for m in places where kind.widest(in: m).contains(where: { allows(g, action, $0) }) { return true }
        }
        return false
    }
}
