/// The sectors that work with a settled person. A partner user belongs to one sector and
/// sees only what has been shared with that sector (personopplysningsloven, data minimisation).
public enum Sector: String, CaseIterable, Codable, Sendable {
    case integration
    case nav
    case health
    case school
    case kindergarten
    case housing
    case adultEducation = "adult_education"
    case volunteer
}

/// Roles a user can hold, each per municipality and service unit.
public enum Role: String, CaseIterable, Codable, Sendable {
    case systemAdmin = "system_admin"
    case municipalAdmin = "municipal_admin"
    /// Aggregates and reports only; never names.
    case leader
    case caseWorker = "case_worker"
    case programmeAdvisor = "programme_advisor"
    case navPartner = "partner_nav"
    case healthPartner = "partner_health"
    case schoolPartner = "partner_school"
    case kindergartenPartner = "partner_kindergarten"
    case housingPartner = "partner_housing"
    case adultEducationPartner = "partner_adult_education"
    case volunteerCoordinator = "volunteer_coordinator"

    /// The sector a partner role works in; nil for roles that are not partners.
    public var partnerSector: Sector? {
        switch self {
        case .navPartner: .nav
        case .healthPartner: .health
        case .schoolPartner: .school
        case .kindergartenPartner: .kindergarten
        case .housingPartner: .housing
        case .adultEducationPartner: .adultEducation
        case .volunteerCoordinator: .volunteer
        default: nil
        }
    }

    /// Staff of the integration service itself, who hold the full person file.
    public var isIntegrationStaff: Bool { self == .caseWorker || self == .programmeAdvisor }

    /// Roles that open person files: granting one needs a second person's approval.
    public var readsPersonalData: Bool { isIntegrationStaff || partnerSector != nil }

    /// A role that opens person files, or approves such roles (the leader), takes effect only when a second person
    /// approves it: otherwise an administrator could make a leader and through it approve its own case workers
    /// (issue #30).
    public var needsApproval: Bool { readsPersonalData || self == .leader }

    /// Roles over the whole service, not a municipality: their assignment row's municipality means nothing.
    public var isSystemRole: Bool { self == .systemAdmin }
}
