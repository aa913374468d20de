/**
 * The config watcher on a real folder, PostgreSQL and Redis, in-process and as the real `workers/control.ts`
 * process: a valid change (written in place or by rename, as editors do) is applied to the database; an invalid one
 * is refused with the right file:line in `{ns}:health:config` and the database keeps the config applied before;
 * a deleted file deactivates nothing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../../server/env.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { createSymbolsWriter } from "../../server/services/symbols.service.ts";
import { ConfigWatcher, type ConfigHealth } from "./config-watcher.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
const namespace = `mltsymc${randomBytes(3).toString("hex")}`;
const keys = redisKeys(namespace);
let pool: pg.Pool;
let redis: Redis;
const exchanges: string[] = [];
const dirs: string[] = [];

function setup() {
  const exchange = `C${randomBytes(4).toString("hex").toUpperCase()}`;
  exchanges.push(exchange);
  const dir = mkdtempSync(path.join(tmpdir(), "marketlens-control-"));
  dirs.push(dir);
  return { exchange, dir };
}

const symbolsYaml = (exchange: string, tickers: string[]) =>
  `# test symbols\nsymbols:\n${tickers.map((ticker) => `  - id: ${exchange}:${ticker}\n    display_name: ${ticker} name\n`).join("")}`;
const exchangesYaml = (exchange: string, enabled: boolean) => `exchanges:\n  ${exchange}:\n    enabled: ${enabled}\n    display_name: Test ${exchange}\n`;

/** Writes like an editor that saves to a temp file and renames it over the original. */
function replaceFile(file: string, text: string) {
  const temp = `${file}.tmp-${randomBytes(3).toString("hex")}`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

async function symbolRows(exchange: string) {
  const result = await pool.query<{ id: string; active: boolean; display_name: string }>("SELECT id, active, display_name FROM symbols WHERE exchange = $1 ORDER BY id", [exchange]);
  return result.rows;
}

async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function configHealth(): Promise<ConfigHealth | null> {
  const text = await redis.get(keys.configHealth());
  return text ? (JSON.parse(text) as ConfigHealth) : null;
}

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4 });
  redis = new Redis(env().REDIS_URL);
});

afterAll(async () => {
  await pool.query("DELETE FROM symbols WHERE exchange = ANY($1)", [exchanges]);
  await pool.query("DELETE FROM exchanges WHERE id = ANY($1)", [exchanges]);
  await redis.del(keys.configHealth());
  await redis.quit();
  await pool.end();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("ConfigWatcher", () => {
  it("applies valid changes live and refuses invalid ones with the line at fault, keeping the old config", async () => {
    const { exchange, dir } = setup();
    const symbolsFile = path.join(dir, "symbols.yaml");
    const exchangesFile = path.join(dir, "exchanges.yaml");
    writeFileSync(symbolsFile, symbolsYaml(exchange, ["AAA", "BBB"]));
    writeFileSync(exchangesFile, exchangesYaml(exchange, true));
    const logs: string[] = [];
    const watcher = new ConfigWatcher({
      dir,
      projectRoot: root,
      writer: createSymbolsWriter({ pool, redis, keys, now: () => Date.now() }),
      health: { redis, keys },
      log: (_level, message) => void logs.push(message),
      debounceMs: 100,
      pollMs: 60_000, // changes must come through fs.watch
    });
    await watcher.start();
    expect(await symbolRows(exchange)).toEqual([
      { id: `${exchange}:AAA`, active: true, display_name: "AAA name" },
      { id: `${exchange}:BBB`, active: true, display_name: "BBB name" },
    ]);

    // an editor's save (temp file + rename): CCC added, BBB no longer listed → deactivated, row kept
    replaceFile(symbolsFile, symbolsYaml(exchange, ["AAA", "CCC"]));
    const applied = await until(() => symbolRows(exchange), (rows) => rows.length === 3 && rows.some((row) => row.id.endsWith(":BBB") && !row.active), "the valid change");
    expect(applied.map((row) => [row.id, row.active])).toEqual([[`${exchange}:AAA`, true], [`${exchange}:BBB`, false], [`${exchange}:CCC`, true]]);

    // invalid: asset_class on line 7 → refused with that line, nothing changes
    const before = await symbolRows(exchange);
    writeFileSync(symbolsFile, `# test symbols\nsymbols:\n  - id: ${exchange}:AAA\n    display_name: AAA name\n  - id: ${exchange}:DDD\n    display_name: DDD\n    asset_class: bond\n`);
    const refused = await until(configHealth, (health) => health?.files[path.join(dir, "symbols.yaml")]?.status === "refused", "the refusal");
    const state = refused!.files[path.join(dir, "symbols.yaml")]!;
    expect(state.error).toMatchObject({ line: 7 });
    expect(state.error!.message).toMatch(/symbols\.yaml:7: symbols\.1\.asset_class/);
    expect(logs.some((line) => line.includes("symbols.yaml:7:") && line.includes("refused"))).toBe(true);
    expect(await symbolRows(exchange)).toEqual(before);

    // a YAML syntax error, then the file deleted: both refused, still nothing deactivated
    writeFileSync(symbolsFile, `symbols:\n  - id: ${exchange}:AAA\n  - id: [broken\n`);
    await until(configHealth, (health) => health?.files[path.join(dir, "symbols.yaml")]?.error?.line === 3, "the syntax error at line 3");
    unlinkSync(symbolsFile);
    await until(configHealth, (health) => /cannot read: ENOENT/.test(health?.files[path.join(dir, "symbols.yaml")]?.error?.message ?? ""), "the missing file");
    expect(await symbolRows(exchange)).toEqual(before);

    // fixed again: applied (only the difference to the file applied last)
    writeFileSync(symbolsFile, symbolsYaml(exchange, ["AAA", "CCC", "EEE"]));
    await until(() => symbolRows(exchange), (rows) => rows.some((row) => row.id.endsWith(":EEE") && row.active), "the fixed file");
    expect((await configHealth())!.files[path.join(dir, "symbols.yaml")]).toMatchObject({ status: "applied" });

    // exchanges: disabling is applied; an invalid file is refused at its line and the row stays as it was
    writeFileSync(exchangesFile, exchangesYaml(exchange, false));
    await until(async () => (await pool.query("SELECT enabled FROM exchanges WHERE id = $1", [exchange])).rows[0], (row) => row?.enabled === false, "the disabled exchange");
    writeFileSync(exchangesFile, `exchanges:\n  ${exchange}:\n    enabled: true\n    display_name: Test\n    colour: red\n`);
    const refusedExchanges = await until(configHealth, (health) => health?.files[path.join(dir, "exchanges.yaml")]?.status === "refused", "the exchanges refusal");
    expect(refusedExchanges!.files[path.join(dir, "exchanges.yaml")]!.error!.message).toMatch(/exchanges\.yaml:5: .*colour/);
    expect((await pool.query("SELECT enabled FROM exchanges WHERE id = $1", [exchange])).rows[0]).toEqual({ enabled: false });
    await watcher.stop();
  });

  it("runs as the real control process (workers/control.ts) on MARKETLENS_CONFIG_DIR", async () => {
    const { exchange, dir } = setup();
    writeFileSync(path.join(dir, "symbols.yaml"), symbolsYaml(exchange, ["PPP"]));
    writeFileSync(path.join(dir, "exchanges.yaml"), exchangesYaml(exchange, true));
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(root, "workers", "control.ts")], {
      cwd: root,
      env: { ...process.env, MARKETLENS_CONFIG_DIR: dir, MARKETLENS_NAMESPACE: namespace, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await until(() => symbolRows(exchange), (rows) => rows.length === 1, "the control process to apply the files at start", 30_000);
      writeFileSync(path.join(dir, "symbols.yaml"), symbolsYaml(exchange, ["PPP", "QQQ"]));
      await until(() => symbolRows(exchange), (rows) => rows.some((row) => row.id.endsWith(":QQQ") && row.active), "the live change");
      writeFileSync(path.join(dir, "symbols.yaml"), `symbols:\n  - id: ${exchange}:PPP\n  - id: ${exchange}:rrr\n`);
      await until(async () => output, (text) => text.includes("symbols.yaml:3:"), "the refusal in the log");
      expect((await symbolRows(exchange)).map((row) => row.id)).toEqual([`${exchange}:PPP`, `${exchange}:QQQ`]);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    expect(output).toContain("control stopping");
  });
});
