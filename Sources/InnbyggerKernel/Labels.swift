import InnbyggerCore

/// A word of the vocabulary that pages show by its name in the page's language: the name is the translation key
/// `<labelPrefix>.<rawValue>`. Building the key here, from the stored value, keeps a page from showing a Swift case
/// name (`"measure.\(kind)"` would give `measure.socialStudies`, a key no file has).
package protocol Labelled: CaseIterable, RawRepresentable where RawValue == String {
    static var labelPrefix: String { get }
}

extension Labelled {
    /// The translation key of this value's name.
    package var labelKey: String { "\(Self.labelPrefix).\(rawValue)" }
    /// Every value's key: each must be in every language (`ViewTests`).
    package static var labelKeys: [String] { allCases.map(\.labelKey) }
}

/// The kernel's and the core's words that pages name. A feature names its own through `Feature.vocabulary`.
package enum Vocabulary {
    package static let kernel: [any Labelled.Type] = [
        Role.self, Sector.self, ResidenceGround.self, EducationLevel.self, Sex.self, FamilyRelation.self,
        ContactPreference.self,
        ShareBasis.self, LanguageSkill.Level.self, DeadlineKind.self, DeadlineStatus.self, Category.self,
        LawRegime.self, MeasureKind.self, AbsenceKind.self, AttendancePeriod.self, StopKind.self, EndReason.self,
        FinalGoal.self, ProgrammeGroup.self, ProgrammeStatus.self, OutcomeKind.self, OutcomeStatus.self,
        NorwegianSkill.self, LanguageTestKind.self,
    ]
}

extension Role: Labelled { package static var labelPrefix: String { "role" } }
extension Sector: Labelled { package static var labelPrefix: String { "sector" } }
extension ResidenceGround: Labelled { package static var labelPrefix: String { "ground" } }
extension EducationLevel: Labelled { package static var labelPrefix: String { "education" } }
extension Sex: Labelled { package static var labelPrefix: String { "sex" } }
extension FamilyRelation: Labelled { package static var labelPrefix: String { "relation" } }
extension ContactPreference: Labelled { package static var labelPrefix: String { "contact_preference" } }
extension ShareBasis: Labelled { package static var labelPrefix: String { "basis" } }
extension LanguageSkill.Level: Labelled { package static var labelPrefix: String { "language_level" } }
extension DeadlineKind: Labelled { package static var labelPrefix: String { "deadline" } }
extension DeadlineStatus: Labelled { package static var labelPrefix: String { "status" } }
extension Category: Labelled { package static var labelPrefix: String { "category" } }
extension LawRegime: Labelled { package static var labelPrefix: String { "regime" } }
extension MeasureKind: Labelled { package static var labelPrefix: String { "measure" } }
extension AbsenceKind: Labelled { package static var labelPrefix: String { "absence" } }
extension AttendancePeriod: Labelled { package static var labelPrefix: String { "period" } }
extension StopKind: Labelled { package static var labelPrefix: String { "programme.stop" } }
extension EndReason: Labelled { package static var labelPrefix: String { "end_reason" } }
extension FinalGoal: Labelled { package static var labelPrefix: String { "goal" } }
extension ProgrammeGroup: Labelled { package static var labelPrefix: String { "programme.group" } }
extension ProgrammeStatus: Labelled { package static var labelPrefix: String { "programme.status" } }
extension OutcomeKind: Labelled { package static var labelPrefix: String { "outcome" } }
extension OutcomeStatus: Labelled { package static var labelPrefix: String { "outcome_status" } }
extension NorwegianSkill: Labelled { package static var labelPrefix: String { "skill" } }
extension LanguageTestKind: Labelled { package static var labelPrefix: String { "norwegian.test" } }
