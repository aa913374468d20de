#!/usr/bin/env node
/**
 * Entry of `npm start`, `npm test` and `npm run bench` (see scripts/README.md).
 * Plain Node ESM with built-ins only: it runs before `npm install`. The work is in scripts/lib/.
 */
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`✗ Marketlens needs Node.js >= 20.19; this is ${process.version} (${process.execPath}).`);
  console.error("  → install Node 20.19+ (https://nodejs.org, or: nvm install 20), then run the command again");
  process.exit(1);
}

const { main } = await import("./lib/main.mjs");
await main(process.argv.slice(2));
