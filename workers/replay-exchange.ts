/**
 * Process entry: the replay exchange (a local Binance spot WS + REST) on REPLAY_PORT, streaming the
 * shipped recordings shifted to the present at REPLAY_SPEED. Started by `npm start` in replay mode.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { env } from "../server/env.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { FakeBinanceServer } from "../server/replay/fake-binance-server.ts";
import { ReplayClock } from "../server/replay/replay-dataset.ts";
import { loadReplayDatasets } from "../server/replay/replay-datasets.ts";

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

const shutdown = async (signal: string) => {
  log.info({ signal }, "replay exchange stopping");
  await server.close();
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
