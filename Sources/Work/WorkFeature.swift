import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Work practice and employers (issue #15): workplaces and their places for language and work practice, matching,
/// placements with their follow-up, and the measures NAV owns.
package struct WorkFeature: Feature {
    package init() {}

    package let id = "work"
}
