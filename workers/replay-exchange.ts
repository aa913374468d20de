/**
 * Process entry: the replay exchange (a local Binance spot WS + REST) on REPLAY_PORT, streaming the
 * shipped recordings shifted to the present at REPLAY_SPEED. Started by `npm start` in replay mode.
 * Also serves the fake Yahoo v8 chart server (server/replay/fake-yahoo-server.ts: THYAO.IS synthesized on BIST
 * sessions, recorded charts) on REPLAY_YAHOO_PORT, on the real clock (Yahoo is polled, REPLAY_SPEED does not apply).
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

const shutdown = async (signal: string) => {
  log.info({ signal }, "replay exchange stopping");
  await server.close();
  await yahoo.close();
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
