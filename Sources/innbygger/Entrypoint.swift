import Foundation
import InnbyggerApp
import Logging
import Vapor

/// `innbygger serve|migrate|demo|token|audit verify`. Every failure ends with one line on stderr and a non-zero exit.
@main
enum Entrypoint {
    static func main() async {
        do {
            var env = try Environment.detect()
            try LoggingSystem.bootstrap(from: &env)
            let app = try await Application.make(env)
            do {
                try await configure(app)
                let command = env.arguments.dropFirst().first ?? "serve"
                switch command {
                case "serve",
                    _ where command.hasPrefix("-"):
                    try await prepareDatabase(app)
                case "token", "audit":
                    try await app.autoMigrate()
                default:
                    break
                }
                // Like `app.execute()`, but errors are reported once, below, as one line on stderr.
                try await app.startup()
                try await app.running?.onStop.get()
                try await app.asyncShutdown()
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
        } catch {
            FileHandle.standardError.write(Data("innbygger: \(error)\n".utf8))
            exit(1)
        }
    }
}
