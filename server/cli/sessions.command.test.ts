import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runSessionsCommand } from "./sessions.command.ts";

interface PrintedSession {
  date: string;
  open: number;
  close: number;
}

const root = path.resolve(import.meta.dirname, "..", "..");
const utc = (iso: string): number => Date.parse(iso);

async function sessions(exchange: string, from: string, to: string, holidaysDirectory?: string): Promise<PrintedSession[]> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk));
  await runSessionsCommand({ exchange, from, to, holidaysDirectory }, output);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? [] : text.trimEnd().split("\n").map((line) => JSON.parse(line) as PrintedSession);
}

const dates = (printed: PrintedSession[]): string[] => printed.map((session) => session.date);

describe("marketlens sessions with config/holidays (runSessionsCommand)", () => {
  it("NYSE DST weeks: 2024-03-08 opens 14:30Z (EST), 2024-03-11 13:30Z (EDT); 2024-11-01 EDT, 2024-11-04 EST", async () => {
    expect(await sessions("NYSE", "2024-03-08", "2024-03-12")).toEqual([
      { date: "2024-03-08", open: utc("2024-03-08T14:30:00Z"), close: utc("2024-03-08T21:00:00Z") },
      { date: "2024-03-11", open: utc("2024-03-11T13:30:00Z"), close: utc("2024-03-11T20:00:00Z") },
    ]);
    expect(await sessions("NYSE", "2024-11-01", "2024-11-05")).toEqual([
      { date: "2024-11-01", open: utc("2024-11-01T13:30:00Z"), close: utc("2024-11-01T20:00:00Z") },
      { date: "2024-11-04", open: utc("2024-11-04T14:30:00Z"), close: utc("2024-11-04T21:00:00Z") },
    ]);
  });

  it("NYSE early closes at 13:00 New York and holidays", async () => {
    const july = await sessions("NYSE", "2024-07-03", "2024-07-06");
    expect(july).toEqual([
      { date: "2024-07-03", open: utc("2024-07-03T13:30:00Z"), close: utc("2024-07-03T17:00:00Z") }, // 13:00 EDT
      { date: "2024-07-05", open: utc("2024-07-05T13:30:00Z"), close: utc("2024-07-05T20:00:00Z") },
    ]);
    expect(await sessions("NYSE", "2024-11-28", "2024-11-30")).toEqual([
      { date: "2024-11-29", open: utc("2024-11-29T14:30:00Z"), close: utc("2024-11-29T18:00:00Z") }, // 13:00 EST
    ]);
    expect(dates(await sessions("NYSE", "2025-01-08", "2025-01-11"))).toEqual(["2025-01-08", "2025-01-10"]); // Jan 9 mourning
    expect(dates(await sessions("NYSE", "2024-03-28", "2024-04-02"))).toEqual(["2024-03-28", "2024-04-01"]); // Good Friday + weekend
    expect(dates(await sessions("NASDAQ", "2025-01-08", "2025-01-11"))).toEqual(["2025-01-08", "2025-01-10"]);
  });

  it("NYSE trading-day counts per year", async () => {
    // 2024: 262 weekdays − 10 holidays = 252; 2023: 260 − 10 = 250; 2025: 261 − 11 (incl. Jan 9) = 250
    expect(await sessions("NYSE", "2024-01-01", "2025-01-01")).toHaveLength(252);
    expect(await sessions("NYSE", "2023-01-01", "2024-01-01")).toHaveLength(250);
    expect(await sessions("NYSE", "2025-01-01", "2026-01-01")).toHaveLength(250);
    const all = await sessions("NYSE", "2023-01-01", "2028-01-01");
    for (const session of all) expect([0, 6].includes(new Date(session.open).getUTCDay())).toBe(false); // no Saturday/Sunday session
    // every open is 09:30 New York: 13:30Z (EDT) or 14:30Z (EST); every session is 6.5 h, or 3.5 h on an early close
    const hours = new Set(all.map((session) => `${new Date(session.open).toISOString().slice(11, 16)} ${(session.close - session.open) / 3_600_000}`));
    expect([...hours].sort()).toEqual(["13:30 3.5", "13:30 6.5", "14:30 3.5", "14:30 6.5"]);
  });

  it("BIST 2025-01-02 is 07:00Z–15:00Z; Republic Day eve is a 12:30 half day", async () => {
    expect(await sessions("BIST", "2025-01-02", "2025-01-03")).toEqual([{ date: "2025-01-02", open: utc("2025-01-02T07:00:00Z"), close: utc("2025-01-02T15:00:00Z") }]);
    expect(dates(await sessions("BIST", "2024-12-31", "2025-01-03"))).toEqual(["2024-12-31", "2025-01-02"]);
    expect(await sessions("BIST", "2025-10-28", "2025-10-30")).toEqual([{ date: "2025-10-28", open: utc("2025-10-28T07:00:00Z"), close: utc("2025-10-28T09:30:00Z") }]);
  });

  it("CRYPTO trades every day", async () => {
    const printed = await sessions("crypto", "2024-02-26", "2024-03-04");
    expect(dates(printed)).toEqual(["2024-02-26", "2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02", "2024-03-03"]);
    expect(printed[3]).toEqual({ date: "2024-02-29", open: utc("2024-02-29T00:00:00Z"), close: utc("2024-03-01T00:00:00Z") });
  });

  it("refuses a bad exchange, bad dates, a reversed range, an uncovered year and an invalid holiday file", async () => {
    await expect(sessions("LSE", "2024-01-01", "2024-02-01")).rejects.toThrow('unknown --exchange "LSE" (NYSE, NASDAQ, BIST, CRYPTO)');
    await expect(sessions("NYSE", "2024-13-01", "2024-02-01")).rejects.toThrow('--from "2024-13-01" is not a real date YYYY-MM-DD');
    await expect(sessions("NYSE", "2024-01-01", "tomorrow")).rejects.toThrow('--to "tomorrow" is not a real date');
    await expect(sessions("NYSE", "2024-02-01", "2024-01-01")).rejects.toThrow("--to 2024-01-01 is before --from 2024-02-01");
    await expect(sessions("BIST", "2023-12-29", "2024-01-03")).rejects.toThrow("BIST: holiday data covers 2024-01-01..2026-12-31, not 2023-12-29");
    const directory = mkdtempSync(path.join(tmpdir(), "holidays-"));
    writeFileSync(path.join(directory, "nyse.yaml"), 'exchange: NYSE\ncovers: { from: "2024-01-01", to: "2024-12-31" }\nholidays:\n  - { date: "2024-07-04", name: Independence Day, closed: true, early_close: "13:00" }\n');
    await expect(sessions("NYSE", "2024-01-01", "2024-02-01", directory)).rejects.toThrow(`${path.join(directory, "nyse.yaml")}:4: holidays.0: needs exactly one of closed`);
  });
});

describe("marketlens sessions (real process)", () => {
  const marketlens = (...args: string[]) => spawnSync(process.execPath, [path.join(root, "bin", "marketlens.mjs"), "sessions", ...args], { encoding: "utf8" });

  it("prints NDJSON, documents --to as exclusive, exits 1 with a clear message on bad input", () => {
    const ok = marketlens("--exchange", "NYSE", "--from", "2024-03-08", "--to", "2024-03-12");
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('{"date":"2024-03-08","open":1709908200000,"close":1709931600000}\n{"date":"2024-03-11","open":1710163800000,"close":1710187200000}\n');
    expect(marketlens("--help").stdout).toMatch(/--to <date>\s+end date, YYYY-MM-DD \(exclusive/);
    const bad = marketlens("--exchange", "NYSE", "--from", "2024-02-30", "--to", "2024-03-01");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('marketlens: sessions: --from "2024-02-30" is not a real date YYYY-MM-DD');
    const unknown = marketlens("--exchange", "TSE", "--from", "2024-01-01", "--to", "2024-01-02");
    expect([unknown.status, unknown.stdout]).toEqual([1, ""]);
    expect(unknown.stderr).toContain('unknown --exchange "TSE"');
  }, 60_000);
});
