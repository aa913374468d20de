/**
 * `marketlens symbols activate|deactivate|add|remove|sync` as a user runs them (real processes, real PostgreSQL and
 * Redis): each change is published on `{ns}:symbols:changed` for running collectors; unknown ids fail with a clear
 * message; `sync` applies an exchanges file and a symbols file, deactivating what the file no longer lists (rows
 * stay), and an invalid file changes nothing.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
const namespace = `mltsymcli${randomBytes(3).toString("hex")}`;
const exchange = `L${randomBytes(4).toString("hex").toUpperCase()}`;
const dir = mkdtempSync(path.join(tmpdir(), "marketlens-symbols-cli-"));
let pool: pg.Pool;
let subscriber: Redis;
const messages: { reason: string; exchanges: string[]; ids: string[] }[] = [];

function marketlens(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(root, "bin", "marketlens.mjs"), ...args], {
    encoding: "utf8",
    env: { ...process.env, MARKETLENS_NAMESPACE: namespace },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function rows() {
  const result = await pool.query<{ id: string; active: boolean }>("SELECT id, active FROM symbols WHERE exchange = $1 ORDER BY id", [exchange]);
  return result.rows.map((row) => `${row.id.split(":")[1]}:${row.active ? "on" : "off"}`);
}

async function messageCount(count: number) {
  const deadline = Date.now() + 5_000;
  while (messages.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return messages.length;
}

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 2 });
  subscriber = new Redis(env().REDIS_URL);
  subscriber.on("message", (_channel: string, text: string) => void messages.push(JSON.parse(text)));
  await subscriber.subscribe(redisKeys(namespace).symbolsChanged());
});

afterAll(async () => {
  await pool.query("DELETE FROM symbols WHERE exchange = $1", [exchange]);
  await pool.query("DELETE FROM exchanges WHERE id = $1", [exchange]);
  await subscriber.quit();
  await pool.end();
  rmSync(dir, { recursive: true, force: true });
});

describe("marketlens symbols (live changes)", () => {
  it("add, deactivate, activate and remove change the table and tell running collectors", async () => {
    const id = `${exchange}:AAA`;
    const add = marketlens("symbols", "add", id, "--name", "Triple A");
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(`added ${id}; running collectors pick it up now`);
    expect(await rows()).toEqual(["AAA:on"]);

    const off = marketlens("symbols", "deactivate", id.toLowerCase());
    expect(off.stdout).toContain(`deactivated ${id}; running collectors pick it up now`);
    expect(await rows()).toEqual(["AAA:off"]);
    expect(marketlens("symbols", "deactivate", id).stdout).toContain(`${id} is already inactive`);
    expect(marketlens("symbols", "activate", id).stdout).toContain(`activated ${id}`);
    expect(await rows()).toEqual(["AAA:on"]);

    const unknown = marketlens("symbols", "deactivate", `${exchange}:NOPE`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`symbol ${exchange}:NOPE does not exist (see marketlens symbols list)`);
    expect(marketlens("symbols", "activate", `${exchange}:NOPE`).code).toBe(1);

    expect(marketlens("symbols", "remove", id).stdout).toContain(`removed ${id}; running collectors pick it up now`);
    expect(await rows()).toEqual([]);
    // add, deactivate, activate, remove: one message each (the no-op deactivate and the unknown ids publish nothing)
    expect(await messageCount(4)).toBe(4);
    expect(messages.map((message) => message.reason)).toEqual(["add", "deactivate", "activate", "remove"]);
    expect(messages.every((message) => message.exchanges.join() === exchange && message.ids.join() === id)).toBe(true);
  }, 60_000);

  it("sync applies both files, deactivates what the file no longer lists, and refuses an invalid file whole", async () => {
    const symbolsFile = path.join(dir, "symbols.yaml");
    const exchangesFile = path.join(dir, "exchanges.yaml");
    writeFileSync(exchangesFile, `exchanges:\n  ${exchange}:\n    enabled: false\n    display_name: Test exchange\n`);
    writeFileSync(symbolsFile, `symbols:\n  - id: ${exchange}:BBB\n  - id: ${exchange}:CCC\n`);
    const manual = marketlens("symbols", "add", `${exchange}:MAN`);
    expect(manual.code, manual.stderr).toBe(0);
    const first = marketlens("symbols", "sync", "--file", symbolsFile, "--exchanges-file", exchangesFile);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`disabled: ${exchange}`);
    expect(first.stdout).toContain("symbols: 2 in");
    expect(await rows()).toEqual(["BBB:on", "CCC:on", "MAN:on"]);
    expect((await pool.query("SELECT enabled, display_name FROM exchanges WHERE id = $1", [exchange])).rows).toEqual([{ enabled: false, display_name: "Test exchange" }]);

    writeFileSync(symbolsFile, `symbols:\n  - id: ${exchange}:BBB\n`);
    const second = marketlens("symbols", "sync", "--file", symbolsFile, "--exchanges-file", exchangesFile);
    expect(second.stdout).toContain(`deactivated (no longer listed): ${exchange}:CCC`);
    expect(await rows()).toEqual(["BBB:on", "CCC:off", "MAN:on"]); // the CLI-added symbol is not the file's

    writeFileSync(exchangesFile, `exchanges:\n  ${exchange}:\n    enabled: yes\n    display_name: Test exchange\n`);
    writeFileSync(symbolsFile, `symbols:\n  - id: ${exchange}:ZZZ\n`);
    const refused = marketlens("symbols", "sync", "--file", symbolsFile, "--exchanges-file", exchangesFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/exchanges\.yaml:3: exchanges\.L[0-9A-F]+\.enabled: must be true or false/);
    expect(await rows()).toEqual(["BBB:on", "CCC:off", "MAN:on"]);
  }, 60_000);
});
