import Foundation

@testable import InnbyggerCore

/// A date written in a test table.
func d(_ s: String) -> LocalDate { LocalDate(iso: s)! }
