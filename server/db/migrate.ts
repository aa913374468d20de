/**
 * Applies prisma/migrations/* without Prisma's downloadable engines: the schema engine compiled to
 * WebAssembly (@prisma/schema-engine-wasm) runs `applyMigrations` over the pg driver adapter and records
 * each migration in `_prisma_migrations` exactly as `prisma migrate deploy` does. Air-gapped installs
 * need this (the Prisma CLI tries to download a native engine). Needs `node --experimental-wasm-modules`
 * on Node 20 (bin/marketlens.mjs passes it).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export interface MigrationStatus {
  name: string;
  applied: boolean;
  appliedAt: string | null;
  failed: boolean;
}

const LOCKFILE = { path: "migration_lock.toml", content: 'provider = "postgresql"\n' };
const FILTERS = { externalTables: [], externalEnums: [] };

/** Names of the migration folders, in apply order. */
export async function listMigrations(migrationsDir: string): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

/** Applies every pending migration; returns the names applied by this call. */
export async function applyMigrations(options: { databaseUrl: string; projectRoot: string }): Promise<string[]> {
  const migrationsDir = path.join(options.projectRoot, "prisma", "migrations");
  const schemaPath = path.join(options.projectRoot, "prisma", "schema.prisma");
  const [{ SchemaEngine }, { PrismaPg }, { bindMigrationAwareSqlAdapterFactory }] = await Promise.all([
    import("@prisma/schema-engine-wasm"),
    import("@prisma/adapter-pg"),
    import("@prisma/driver-adapter-utils"),
  ]);
  const names = await listMigrations(migrationsDir);
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: await readFile(path.join(migrationsDir, name, "migration.sql"), "utf8") },
      },
    })),
  );
  // PrismaPg's executeScript splits scripts on every ";" (breaking DO $$ … $$ blocks and comments);
  // send each migration script whole instead: one simple-protocol query, one implicit transaction.
  const opened: { dispose(): Promise<void> }[] = [];
  class WholeScriptPrismaPg extends PrismaPg {
    override async connect() {
      const adapter = await super.connect();
      opened.push(adapter);
      const queryable = adapter as unknown as { client: pg.Pool; onError(error: unknown): never };
      adapter.executeScript = async (script: string) => {
        try {
          await queryable.client.query(script);
        } catch (error) {
          queryable.onError(error);
        }
      };
      return adapter;
    }
  }
  const adapter = bindMigrationAwareSqlAdapterFactory(new WholeScriptPrismaPg({ connectionString: options.databaseUrl }));
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaPath, await readFile(schemaPath, "utf8")]] },
    () => undefined,
    adapter,
  );
  try {
    const result = await engine.applyMigrations({
      filters: FILTERS,
      migrationsList: { baseDir: migrationsDir, shadowDbInitScript: "", lockfile: LOCKFILE, migrationDirectories },
    });
    return result.appliedMigrationNames;
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose())); // else the pool idles for 10 s before exit
  }
}

/** Which migrations are applied, pending or failed, read from `_prisma_migrations`. */
export async function migrationStatus(options: { databaseUrl: string; projectRoot: string }): Promise<MigrationStatus[]> {
  const names = await listMigrations(path.join(options.projectRoot, "prisma", "migrations"));
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const exists = await client.query<{ present: boolean }>("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present");
    const rows = exists.rows[0]?.present
      ? (await client.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
          "SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations",
        )).rows
      : [];
    return names.map((name) => {
      const row = rows.find((candidate) => candidate.migration_name === name && candidate.rolled_back_at === null);
      return {
        name,
        applied: Boolean(row?.finished_at),
        appliedAt: row?.finished_at ? row.finished_at.toISOString() : null,
        failed: Boolean(row && !row.finished_at),
      };
    });
  } finally {
    await client.end();
  }
}
