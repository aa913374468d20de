/**
 * The `marketlens` CLI as a user runs it (real process, real PostgreSQL): migrate, symbols, bad YAML.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { env } from "../env.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
const databaseUrl = env().DATABASE_URL;

function marketlens(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(root, "bin", "marketlens.mjs"), ...args], {
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("marketlens CLI", () => {
  const pool = new pg.Pool({ connectionString: databaseUrl });
  afterAll(async () => {
    await pool.query("DELETE FROM symbols WHERE id = 'BINANCE:CLITESTUSDT'");
    await pool.end();
  });

  it("migrate up is idempotent and status lists every migration as applied", () => {
    const up = marketlens("migrate", "up");
    expect(up.code, up.stderr).toBe(0);
    expect(marketlens("migrate", "up").stdout).toContain("migrations: up to date");
    const status = marketlens("migrate", "status");
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^applied {2}\d{14}_init/m);
  }, 60_000);

  it("symbols sync seeds the configured symbols; add and remove change the table", async () => {
    expect(marketlens("symbols", "sync").code).toBe(0);
    const seeded = await pool.query<{ id: string }>("SELECT id FROM symbols WHERE id = ANY($1)", [["BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT"]]);
    expect(seeded.rows.map((row) => row.id).sort()).toEqual(["BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT"]);
    expect(marketlens("symbols", "add", "BINANCE:CLITESTUSDT", "--name", "CLI test").code).toBe(0);
    expect(marketlens("symbols", "list").stdout).toMatch(/BINANCE:CLITESTUSDT\s+active\s+crypto\s+CLI test/);
    expect(marketlens("symbols", "remove", "BINANCE:CLITESTUSDT").code).toBe(0);
    const missing = marketlens("symbols", "remove", "BINANCE:CLITESTUSDT");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("symbol BINANCE:CLITESTUSDT does not exist");
  }, 60_000);

  it("refuses invalid YAML with the file and line at fault and changes nothing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "marketlens-cli-"));
    const file = path.join(dir, "symbols.yaml");
    writeFileSync(file, "symbols:\n  - id: BINANCE:CLITESTUSDT\n  - id: [broken\n");
    const before = await pool.query("SELECT count(*)::int AS n FROM symbols");
    const result = marketlens("symbols", "sync", "--file", file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/symbols\.yaml:3: invalid YAML/);
    const after = await pool.query("SELECT count(*)::int AS n FROM symbols");
    expect(after.rows[0]).toEqual(before.rows[0]);
  }, 60_000);

  it("rejects a bad symbol id and an unknown timeframe with a message", () => {
    const bad = marketlens("symbols", "add", "btc usdt");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("must be EXCHANGE:TICKER");
    const tf = marketlens("bars", "--input", "x.ndjson", "--timeframes", "1m,2m");
    expect(tf.code).toBe(1);
    expect(tf.stderr).toContain('unknown timeframe "2m"');
  });
});
