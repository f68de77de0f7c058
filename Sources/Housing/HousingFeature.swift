import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Housing (issue #15): the dwellings the service lets or sublets, allocation to incoming and settled households,
/// tenancies, the inspections of tenancy years 1–5 and the way to one's own home.
package struct HousingFeature: Feature {
    package init() {}

    package let id = "housing"
}
