import Fluent
import Vapor

/// The database itself refuses to change or remove audit entries, whoever asks: a trigger on each dialect.
/// Someone with the rights to drop the trigger still cannot forge the keyed chain (`AuditLog`).
package struct ProtectAuditEntries: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "sqlite" {
            for op in ["UPDATE", "DELETE"] {
                try await sql.raw(
                    """
                    CREATE TRIGGER audit_entries_no_\(unsafeRaw: op.lowercased())
                    BEFORE \(unsafeRaw: op) ON audit_entries
                    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END
                    """
                ).run()
            }
        } else {
            try await sql.raw(
                """
                CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $$
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
                FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
                FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()
                """
            ).run()
        }
    }

    package func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "sqlite" {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_update").run()
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_delete").run()
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries").run()
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries").run()
            try await sql.raw("DROP FUNCTION IF EXISTS audit_entries_append_only()").run()
        }
    }
}
