/**
 * Process entry: the replay exchange (a local Binance spot WS + REST) on REPLAY_PORT, streaming the
 * shipped recordings shifted to the present at REPLAY_SPEED. Started by `npm start` in replay mode.
 * Also serves the fake Yahoo v8 chart server (server/replay/fake-yahoo-server.ts: THYAO.IS synthesized on BIST
 * sessions, recorded charts) on REPLAY_YAHOO_PORT, on the real clock (Yahoo is polled, REPLAY_SPEED does not apply).
 * And the fake Alpaca server (server/replay/fake-alpaca-server.ts: WS /v2/iex + REST bars; AAPL synthesized on NYSE
 * sessions, server/replay/alpaca-replay-datasets.ts) on REPLAY_ALPACA_PORT, on the real clock too (the Alpaca
 * collector follows the NYSE sessions on the wall clock).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { env } from "../server/env.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { FakeBinanceServer } from "../server/replay/fake-binance-server.ts";
import { ReplayClock } from "../server/replay/replay-dataset.ts";
import { loadReplayDatasets } from "../server/replay/replay-datasets.ts";
import { FakeYahooServer } from "../server/replay/fake-yahoo-server.ts";
import { loadYahooReplaySeries } from "../server/replay/yahoo-replay-datasets.ts";
import { FakeAlpacaServer } from "../server/replay/fake-alpaca-server.ts";
import { ALPACA_REPLAY_KEYS, loadAlpacaReplayDatasets } from "../server/replay/alpaca-replay-datasets.ts";

const log = componentLogger("replay-exchange");
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const config = env();
const server = new FakeBinanceServer({
  datasets: loadReplayDatasets(projectRoot),
  clock: new ReplayClock(Date.now(), config.REPLAY_SPEED),
  port: config.REPLAY_PORT,
  host: "127.0.0.1",
});

await server.listen();
log.info({ url: server.url, speed: config.REPLAY_SPEED }, "replay exchange listening (Binance spot protocol, recorded data)");
const yahoo = new FakeYahooServer({ series: await loadYahooReplaySeries(projectRoot), clock: { now: () => Date.now() }, port: config.REPLAY_YAHOO_PORT, host: "127.0.0.1" });
await yahoo.listen();
log.info({ url: yahoo.url }, "fake Yahoo chart server listening (THYAO.IS synthesized on BIST sessions, recorded charts)");

const alpaca = new FakeAlpacaServer({
  datasets: await loadAlpacaReplayDatasets(projectRoot),
  clock: { now: () => Date.now(), speed: 1 },
  ...ALPACA_REPLAY_KEYS,
  reviseEvery: 3,
  requestsPerMinute: 1_000,
  port: config.REPLAY_ALPACA_PORT,
  host: "127.0.0.1",
});
await alpaca.listen();
log.info({ url: alpaca.url, stream: alpaca.wsUrl }, "fake Alpaca server listening (AAPL synthesized on NYSE sessions from the recorded BTC/USDT path)");

const shutdown = async (signal: string) => {
  log.info({ signal }, "replay exchange stopping");
  await server.close();
  await yahoo.close();
  await alpaca.close();
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
