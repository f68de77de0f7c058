import Foundation
import VaporTesting
import XCTest

@testable import InnbyggerKernel

/// The key pages give the same HTML whatever the real date, because everything the suite shows follows the
/// service's fixed day (issue #29: a demo seed that read the wall clock made the snapshots fail on a later day).
///
/// This is the suite's one XCTest case, on purpose: `swift test` runs it at the real date, and scripts/test's
/// "dates" stage runs the test binary again under libfaketime with the wall clock moved to another year and season.
/// libfaketime hides a Swift program's arguments, and with none the test binary runs XCTest, so only this case.
final class RealDateTests: XCTestCase {
    func testKeyPagesAreTheSameOnAnyRealDate() async throws {
        let wall = Date()
        // The page helpers are shared with the Swift Testing snapshots; here they report through XCTest.
        try await VaporTestingContext.$emitWarningIfCurrentTestInfoIsUnavailable.withValue(false) {
            try await self.compareKeyPages(wall: wall)
        }
    }

    private func compareKeyPages(wall: Date) async throws {
        try await withDemoApp { app in
            XCTAssertEqual(LocalDate.today, testDay, "the service's day is the suite's, whatever the wall clock")
            let pages =
                try await SnapshotTests.caseWorkerPages(app) + SnapshotTests.advisorPages(app)
            XCTAssertEqual(pages.count, 9)
            for (name, path, status, html) in pages {
                XCTAssertEqual(status, .ok, path)
                if let problem = try SnapshotTests.difference(name, html) {
                    XCTFail("on the real date \(Oslo.stamp(wall)): \(problem)")
                }
            }
        }
    }
}
