import Testing

@testable import InnbyggerCore

private func user(_ role: Role, _ codes: Kommunenummer...) -> Principal {
    Principal(
        userID: "u", grants: [Grant(role: role, scope: role == .systemAdmin ? .all : .municipalities(Set(codes)))])
}

@Suite("AccessPolicy")
struct AccessPolicyTests {
    static let elverumFile = Resource.personalData(municipality: "3420", sharedWith: [])
    static let elverumSharedWithHealth = Resource.personalData(municipality: "3420", sharedWith: [.health])

    /// (who, action, resource, allowed)
    static let table: [(Principal, Action, Resource, Bool)] = [
        // Integration staff work on files in their own municipalities only.
        (user(.caseWorker, "3420"), .read, elverumFile, true),
        (user(.caseWorker, "3420"), .update, elverumFile, true),
        (user(.caseWorker, "3420"), .delete, elverumFile, true),
        (user(.caseWorker, "3427"), .read, elverumFile, false),
        (user(.caseWorker, "3324", "3326"), .read, .personalData(municipality: "3326", sharedWith: []), true),
        (user(.programmeAdvisor, "3420"), .update, elverumFile, true),
        (user(.programmeAdvisor, "3420"), .delete, elverumFile, false),
        (user(.caseWorker, "3420"), .list, .personalDataList(municipality: "3420"), true),
        (user(.caseWorker, "3420"), .list, .personalDataList(municipality: "3443"), false),
        // Partners read only what is shared with their sector, and never write.
        (user(.healthPartner, "3420"), .read, elverumSharedWithHealth, true),
        (user(.healthPartner, "3420"), .read, elverumFile, false),
        (user(.healthPartner, "3420"), .update, elverumSharedWithHealth, false),
        (user(.navPartner, "3420"), .read, elverumSharedWithHealth, false),
        (user(.healthPartner, "3427"), .read, elverumSharedWithHealth, false),
        (user(.healthPartner, "3420"), .list, .personalDataList(municipality: "3420"), true),
        // Sector parts: partners record their own sector's events on files shared with them.
        (
            user(.healthPartner, "3420"), .create,
            .sectorPart(municipality: "3420", sharedWith: [.health], sector: .health), true
        ),
        (
            user(.healthPartner, "3420"), .create, .sectorPart(municipality: "3420", sharedWith: [], sector: .health),
            false
        ),
        (
            user(.healthPartner, "3420"), .create,
            .sectorPart(municipality: "3420", sharedWith: [.health, .school], sector: .school), false
        ),
        (
            user(.schoolPartner, "3427"), .create,
            .sectorPart(municipality: "3420", sharedWith: [.school], sector: .school), false
        ),
        (user(.caseWorker, "3420"), .create, .sectorPart(municipality: "3420", sharedWith: [], sector: .health), true),
        (
            user(.leader, "3420"), .create, .sectorPart(municipality: "3420", sharedWith: [.health], sector: .health),
            false
        ),
        (user(.caseWorker, "3420"), .delete, .sectorPart(municipality: "3420", sharedWith: [], sector: .health), false),
        // The programme is the integration service's own record: partners never see it, even on a shared file.
        (user(.programmeAdvisor, "3420"), .read, .programme(municipality: "3420"), true),
        (user(.programmeAdvisor, "3420"), .update, .programme(municipality: "3420"), true),
        (user(.caseWorker, "3420"), .list, .programme(municipality: "3420"), true),
        (user(.caseWorker, "3427"), .read, .programme(municipality: "3420"), false),
        (user(.navPartner, "3420"), .read, .programme(municipality: "3420"), false),
        // The grant ledger: integration staff read it, case workers register payments; no partner, no leader.
        (user(.caseWorker, "3420"), .list, .grantLedger(municipality: "3420"), true),
        (user(.caseWorker, "3420"), .create, .grantLedger(municipality: "3420"), true),
        (user(.programmeAdvisor, "3420"), .read, .grantLedger(municipality: "3420"), true),
        (user(.programmeAdvisor, "3420"), .create, .grantLedger(municipality: "3420"), false),
        (user(.caseWorker, "3427"), .read, .grantLedger(municipality: "3420"), false),
        (user(.leader, "3420"), .read, .grantLedger(municipality: "3420"), false),
        (user(.municipalAdmin, "3420"), .read, .grantLedger(municipality: "3420"), false),
        (user(.navPartner, "3420"), .read, .grantLedger(municipality: "3420"), false),
        (user(.housingPartner, "3420"), .list, .grantLedger(municipality: "3420"), false),
        // Planning figures: read with the municipality's numbers, drawn up by leaders, administrators and case
        // workers; partners have no task in them.
        (user(.leader, "3427"), .read, .planning(municipality: "3427"), true),
        (user(.leader, "3427"), .create, .planning(municipality: "3427"), true),
        (user(.leader, "3427"), .delete, .planning(municipality: "3427"), true),
        (user(.municipalAdmin, "3427"), .update, .planning(municipality: "3427"), true),
        (user(.caseWorker, "3427"), .create, .planning(municipality: "3427"), true),
        (user(.programmeAdvisor, "3427"), .read, .planning(municipality: "3427"), true),
        (user(.programmeAdvisor, "3427"), .create, .planning(municipality: "3427"), false),
        (user(.leader, "3420"), .read, .planning(municipality: "3427"), false),
        (user(.navPartner, "3427"), .read, .planning(municipality: "3427"), false),
        (user(.adultEducationPartner, "3427"), .list, .planning(municipality: "3427"), false),
        // A plan measure: as the plan, and for the partner that owns it, read and its status reported.
        (user(.navPartner, "3427"), .read, .planMeasure(municipality: "3427", sector: .nav), true),
        // Registers (issue #15): the integration service and the sharing partner keep them; nobody else.
        (user(.housingPartner, "3326"), .create, .register(municipality: "3326", sector: .housing), true),
        (user(.housingPartner, "3326"), .delete, .register(municipality: "3326", sector: .housing), false),
        (user(.housingPartner, "3326"), .read, .register(municipality: "3326", sector: .nav), false),
        (user(.housingPartner, "3324"), .read, .register(municipality: "3326", sector: .housing), false),
        (user(.navPartner, "3427"), .update, .register(municipality: "3427", sector: .nav), true),
        (user(.healthPartner, "3427"), .read, .register(municipality: "3427", sector: .nav), false),
        (user(.leader, "3427"), .read, .register(municipality: "3427", sector: .nav), false),
        (user(.municipalAdmin, "3427"), .read, .register(municipality: "3427", sector: .housing), false),
        (user(.programmeAdvisor, "3427"), .create, .register(municipality: "3427", sector: .nav), true),
        (user(.programmeAdvisor, "3427"), .delete, .register(municipality: "3427", sector: .nav), false),
        (user(.caseWorker, "3427"), .delete, .register(municipality: "3427", sector: .nav), true),
        (user(.navPartner, "3427"), .update, .planMeasure(municipality: "3427", sector: .nav), true),
        (user(.navPartner, "3427"), .create, .planMeasure(municipality: "3427", sector: .nav), false),
        (user(.navPartner, "3427"), .delete, .planMeasure(municipality: "3427", sector: .nav), false),
        (user(.navPartner, "3427"), .read, .planMeasure(municipality: "3427", sector: .health), false),
        (user(.navPartner, "3427"), .read, .planMeasure(municipality: "3427", sector: nil), false),
        (user(.navPartner, "3420"), .read, .planMeasure(municipality: "3427", sector: .nav), false),
        (user(.leader, "3427"), .update, .planMeasure(municipality: "3427", sector: .nav), true),
        (user(.programmeAdvisor, "3427"), .read, .planMeasure(municipality: "3427", sector: .nav), true),
        (user(.programmeAdvisor, "3427"), .update, .planMeasure(municipality: "3427", sector: .nav), false),
        (user(.adultEducationPartner, "3420"), .read, .programme(municipality: "3420"), false),
        (user(.leader, "3420"), .read, .programme(municipality: "3420"), false),
        (user(.municipalAdmin, "3420"), .read, .programme(municipality: "3420"), false),
        // Journal notes stay in the writing sector unless shared.
        (
            user(.caseWorker, "3420"), .read,
            .journalNote(municipality: "3420", sharedWith: [], sector: .integration, shared: false), true
        ),
        (
            user(.caseWorker, "3420"), .read,
            .journalNote(municipality: "3420", sharedWith: [.health], sector: .health, shared: false), false
        ),
        (
            user(.caseWorker, "3420"), .read,
            .journalNote(municipality: "3420", sharedWith: [.health], sector: .health, shared: true), true
        ),
        (
            user(.caseWorker, "3420"), .update,
            .journalNote(municipality: "3420", sharedWith: [.health], sector: .health, shared: true), false
        ),
        (
            user(.healthPartner, "3420"), .read,
            .journalNote(municipality: "3420", sharedWith: [.health], sector: .integration, shared: false), false
        ),
        (
            user(.healthPartner, "3420"), .read,
            .journalNote(municipality: "3420", sharedWith: [.health], sector: .integration, shared: true), true
        ),
        (
            user(.healthPartner, "3420"), .read,
            .journalNote(municipality: "3420", sharedWith: [], sector: .integration, shared: true), false
        ),
        (
            user(.healthPartner, "3420"), .create,
            .journalNote(municipality: "3420", sharedWith: [.health], sector: .health, shared: false), true
        ),
        (
            user(.healthPartner, "3420"), .create,
            .journalNote(municipality: "3420", sharedWith: [], sector: .health, shared: false), false
        ),
        (
            user(.navPartner, "3420"), .read,
            .journalNote(municipality: "3420", sharedWith: [.health, .nav], sector: .health, shared: false), false
        ),
        (
            user(.leader, "3420"), .read,
            .journalNote(municipality: "3420", sharedWith: [], sector: .integration, shared: true), false
        ),
        (
            user(.caseWorker, "3427"), .read,
            .journalNote(municipality: "3420", sharedWith: [], sector: .integration, shared: true), false
        ),
        // Settlement year: numbers read by leaders and staff, written by case workers and administrators.
        (user(.leader, "3420"), .read, .settlementPlan(municipality: "3420"), true),
        (user(.leader, "3420"), .update, .settlementPlan(municipality: "3420"), false),
        (user(.caseWorker, "3420"), .create, .settlementPlan(municipality: "3420"), true),
        (user(.caseWorker, "3420"), .delete, .settlementPlan(municipality: "3420"), false),
        (user(.caseWorker, "3427"), .read, .settlementPlan(municipality: "3420"), false),
        (user(.municipalAdmin, "3420"), .delete, .settlementPlan(municipality: "3420"), true),
        (user(.healthPartner, "3420"), .read, .settlementPlan(municipality: "3420"), false),
        // Municipal settings: administrators change them, integration staff read them.
        (user(.municipalAdmin, "3420"), .update, .municipalSettings(municipality: "3420"), true),
        (user(.municipalAdmin, "3427"), .update, .municipalSettings(municipality: "3420"), false),
        (user(.caseWorker, "3420"), .read, .municipalSettings(municipality: "3420"), true),
        (user(.caseWorker, "3420"), .update, .municipalSettings(municipality: "3420"), false),
        (user(.systemAdmin), .update, .municipalSettings(municipality: "3420"), true),
        (user(.housingPartner, "3420"), .read, .municipalSettings(municipality: "3420"), false),
        // Leaders: aggregates only, never names.
        (user(.leader, "3420"), .read, elverumFile, false),
        (user(.leader, "3420"), .list, .personalDataList(municipality: "3420"), false),
        (user(.leader, "3420"), .read, .aggregates(municipality: "3420"), true),
        (user(.leader, "3420"), .read, .aggregates(municipality: "3427"), false),
        (user(.leader, "3420"), .read, .auditLog(municipality: "3420"), false),
        // Administrators: users and audit of their municipality; no person files.
        (user(.municipalAdmin, "3420"), .read, elverumFile, false),
        (user(.municipalAdmin, "3420"), .list, .auditLog(municipality: "3420"), true),
        (user(.municipalAdmin, "3420"), .update, .auditLog(municipality: "3420"), false),
        (user(.municipalAdmin, "3420"), .create, .userAdministration(municipality: "3420"), true),
        (user(.municipalAdmin, "3420"), .create, .userAdministration(municipality: "3427"), false),
        (user(.municipalAdmin, "3420"), .read, .tenancy, true),
        (user(.municipalAdmin, "3420"), .update, .tenancy, false),
        (user(.systemAdmin), .update, .tenancy, true),
        (user(.systemAdmin), .list, .auditLog(municipality: "3427"), true),
        (user(.systemAdmin), .read, elverumFile, false),
        // Everyone has their own account; nobody without a grant has anything else.
        (user(.volunteerCoordinator, "3420"), .update, .ownAccount, true),
        (Principal(userID: "x", grants: []), .read, .aggregates(municipality: "3420"), false),
        (Principal(userID: "x", grants: []), .read, elverumFile, false),
    ]

    @Test("Decisions", arguments: table.indices)
    func decision(_ i: Int) {
        let (who, action, resource, allowed) = Self.table[i]
        #expect(
            AccessPolicy.decide(who, action, resource).isAllowed == allowed,
            "\(who.grants.map(\.role)) \(action) \(resource)")
    }

    @Test("Several grants: any one that allows is enough")
    func unionOfGrants() {
        let p = Principal(
            userID: "u",
            grants: [
                Grant(role: .leader, scope: .municipalities(["3420"])),
                Grant(role: .caseWorker, scope: .municipalities(["3427"])),
            ])
        #expect(AccessPolicy.decide(p, .read, .personalData(municipality: "3427", sharedWith: [])).isAllowed)
        #expect(!AccessPolicy.decide(p, .read, .personalData(municipality: "3420", sharedWith: [])).isAllowed)
    }
}
