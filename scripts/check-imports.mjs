#!/usr/bin/env node
/**
 * Import directions (CONVENTIONS.md), run by `npm test`:
 *   - server/domain imports nothing outside server/domain, and no I/O package (node:fs/net/http..., pg, ioredis, next, @prisma...);
 *     its tests and test helpers (*.test.ts, *-test-helpers.ts) may read fixtures with node:fs
 *   - components never import server/db, server/redis or server/services
 *   - nothing outside workers/ imports workers/
 *   - server never imports app/ or components/
 * Prints each violation as file:line and exits 1 when there is any. Edit the RULES below to change a rule.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const SCANNED = ["app", "bin", "components", "server", "workers"];
const SKIP_DIRS = new Set(["node_modules", ".next", ".data", "generated"]);
const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/** Packages that do I/O or tie code to a framework: forbidden in server/domain. */
const IO_PACKAGES = [
  "fs", "fs/promises", "net", "http", "https", "http2", "tls", "dgram", "dns", "child_process", "cluster", "worker_threads",
  "pg", "ioredis", "bullmq", "next", "react-dom", "ws", "@prisma", "prisma",
];

function isIoPackage(specifier) {
  const bare = specifier.replace(/^node:/, "");
  return IO_PACKAGES.some((name) => bare === name || bare.startsWith(`${name}/`));
}

/** Project-relative path an import points at, or null for packages. */
function target(file, specifier) {
  if (specifier.startsWith("@/")) return specifier.slice(2);
  if (specifier.startsWith(".")) return relative(ROOT, resolve(dirname(join(ROOT, file)), specifier));
  return null;
}

const inside = (path, dir) => path === dir || path.startsWith(`${dir}/`);
const TEST_FILE = /(\.(test|integration-test|api-test)\.tsx?|test-helpers?\.ts)$/;

const RULES = [
  {
    applies: (file) => inside(file, "server/domain"),
    check: (specifier, to, file) => {
      if (to !== null && !inside(to, "server/domain")) return "server/domain must not import outside server/domain";
      if (to === null && isIoPackage(specifier) && !TEST_FILE.test(file)) return "server/domain must stay pure: no I/O or framework packages";
      return null;
    },
  },
  {
    applies: (file) => inside(file, "components"),
    check: (_specifier, to) =>
      to !== null && ["server/db", "server/redis", "server/services"].some((dir) => inside(to, dir))
        ? "components must not import server/db, server/redis or server/services (go through the API)"
        : null,
  },
  {
    applies: (file) => !inside(file, "workers"),
    check: (_specifier, to) => (to !== null && inside(to, "workers") ? "nothing outside workers/ may import workers/" : null),
  },
  {
    applies: (file) => inside(file, "server"),
    check: (_specifier, to) => (to !== null && (inside(to, "app") || inside(to, "components")) ? "server must not import app/ or components/" : null),
  },
];

/** Blanks out comments (keeping newlines) so commented-out imports do not count. */
function stripComments(source) {
  let out = "";
  let quote = null;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    const next = source[i + 1];
    if (quote) {
      out += char;
      if (char === "\\") {
        out += next ?? "";
        i += 1;
      } else if (char === quote) quote = null;
    } else if (char === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i += 1;
      out += "\n";
    } else if (char === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop - 1;
    } else {
      if (char === '"' || char === "'" || char === "`") quote = char;
      out += char;
    }
  }
  return out;
}

const IMPORT = /(?:\bimport\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)(["'])([^"'\n]+)\1/g;

function* imports(source) {
  const code = stripComments(source);
  for (const match of code.matchAll(IMPORT)) {
    const line = code.slice(0, match.index).split("\n").length;
    yield { specifier: match[2], line };
  }
}

function* walk(dir) {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) yield* walk(path);
    else if (SOURCE.test(entry.name)) yield path;
  }
}

const violations = [];
let files = 0;
for (const dir of SCANNED) {
  if (!existsSync(join(ROOT, dir))) continue;
  for (const file of walk(dir)) {
    files += 1;
    const rules = RULES.filter((rule) => rule.applies(file));
    for (const { specifier, line } of imports(readFileSync(join(ROOT, file), "utf8"))) {
      const to = target(file, specifier);
      for (const rule of rules) {
        const problem = rule.check(specifier, to, file);
        if (problem) violations.push(`${file}:${line}: imports "${specifier}": ${problem}`);
      }
    }
  }
}

if (violations.length > 0) {
  console.error(violations.join("\n"));
  console.error(`✗ import directions: ${violations.length} violation(s) in ${files} files (rules: scripts/check-imports.mjs, CONVENTIONS.md)`);
  process.exit(1);
}
console.log(`✓ import directions: OK (${files} files in ${SCANNED.join(", ")})`);
