import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCalendarHolidays, loadHolidaysConfig, parseHolidaysConfig } from "./holidays-config.ts";

const directory = path.resolve(import.meta.dirname, "..", "..", "config", "holidays");
const header = 'exchange: NYSE\ncovers: { from: "2024-01-01", to: "2024-12-31" }\nholidays:\n';

describe("holidays config", () => {
  it("reads the shipped files", async () => {
    const nyse = await loadHolidaysConfig(path.join(directory, "nyse.yaml"));
    expect(nyse.covers).toEqual({ from: "2023-01-01", to: "2027-12-31" });
    expect(nyse.holidays).toContainEqual({ date: "2025-01-09", name: expect.stringContaining("Mourning") as string, closed: true });
    expect(nyse.holidays).toContainEqual({ date: "2024-07-03", name: "Day before Independence Day", closed: false, earlyClose: "13:00" });
    const bist = await loadCalendarHolidays("BIST", directory);
    expect(bist?.covers).toEqual({ from: "2024-01-01", to: "2026-12-31" });
    expect((await loadCalendarHolidays("NASDAQ", directory))?.holidays).toEqual(nyse.holidays);
    expect(await loadCalendarHolidays("CRYPTO", directory)).toBeUndefined();
  });

  it("refuses invalid entries with file:line", () => {
    expect(() => parseHolidaysConfig(`${header}  - { date: "2024-02-30", name: x, closed: true }\n`, "h.yaml")).toThrow("h.yaml:4: holidays.0.date: must be a real date");
    expect(() => parseHolidaysConfig(`${header}  - { date: "2024-07-03", name: x, early_close: "1pm" }\n`, "h.yaml")).toThrow('h.yaml:4: holidays.0.early_close: must be a wall-clock time "HH:MM"');
    expect(() => parseHolidaysConfig(`${header}  - { date: "2024-07-03", name: x }\n`, "h.yaml")).toThrow("h.yaml:4: holidays.0: needs exactly one of");
    expect(() => parseHolidaysConfig(`${header}  - { date: "2024-07-04", name: x, closed: true }\n  - { date: "2024-07-04", name: y, closed: true }\n`, "h.yaml")).toThrow("h.yaml:5: 2024-07-04 is listed twice");
    expect(() => parseHolidaysConfig(`${header}  - { date: "2025-01-01", name: x, closed: true }\n`, "h.yaml")).toThrow("h.yaml:4: 2025-01-01 is outside covers");
    expect(() => parseHolidaysConfig(`${header}  - { date: "2024-07-04", name: x, closed: true, typo: 1 }\n`, "h.yaml")).toThrow(/h\.yaml:4: holidays\.0: .*typo/);
    expect(() => parseHolidaysConfig(`${header}  - { date: "2024-07-04", name: x, closed: true\n`, "h.yaml")).toThrow(/h\.yaml:4: invalid YAML/);
    expect(() => parseHolidaysConfig(header.replace("NYSE", "LSE"), "h.yaml")).toThrow("h.yaml:1: exchange:");
  });

  it("refuses a file written for another exchange, and a missing file", async () => {
    await expect(loadCalendarHolidays("NYSE", path.join(directory, "missing"))).rejects.toThrow(/nyse\.yaml: cannot read: ENOENT/);
    const swapped = mkdtempSync(path.join(tmpdir(), "holidays-"));
    copyFileSync(path.join(directory, "bist.yaml"), path.join(swapped, "nyse.yaml"));
    await expect(loadCalendarHolidays("NYSE", swapped)).rejects.toThrow("nyse.yaml: exchange is BIST, expected NYSE");
  });
});
