/**
 * The running product: replay exchange (replay feed only), realtime gateway, control plane, collectors (Binance,
 * Yahoo, Alpaca), analytics worker, scanner, notifier and web,
 * supervised, started in that order; resolves once the web answers.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SetupError, step } from "./log.mjs";
import { checkpoint, onCleanup } from "./lifecycle.mjs";
import { httpGet, portFree, portOwner, tcpProbe, waitFor } from "./net.mjs";
import { ROOT, bin } from "./paths.mjs";
import { Supervisor } from "./supervisor.mjs";

const WORKERS = {
  replay: "workers/replay-exchange.ts",
  gateway: "workers/gateway.ts",
  collector: "workers/collector.ts",
  "yahoo-collector": "workers/yahoo-collector.ts",
  "alpaca-collector": "workers/alpaca-collector.ts",
  control: "workers/control.ts",
  analytics: "workers/analytics.ts",
  scanner: "workers/scanner.ts",
  notifier: "workers/notifier.ts",
};

/** The ports a stack uses, from env (defaults as in server/env.ts). */
export function stackPorts(env) {
  return { web: Number(env.WEB_PORT || 3000), gateway: Number(env.GATEWAY_PORT || 3001), replay: Number(env.REPLAY_PORT || 3002), replayYahoo: Number(env.REPLAY_YAHOO_PORT || 3004), replayAlpaca: Number(env.REPLAY_ALPACA_PORT || 3003) };
}

/** The environment of the stack's processes for a feed: replay points the collector at the local fake exchange. */
export function feedEnv(env, feed) {
  const ports = stackPorts(env);
  const result = { ...env, MARKETLENS_FEED: feed };
  if (feed === "replay") {
    result.BINANCE_WS_URL = `ws://127.0.0.1:${ports.replay}`;
    result.BINANCE_REST_URL = `http://127.0.0.1:${ports.replay}`;
    result.YAHOO_BASE_URL = `http://127.0.0.1:${ports.replayYahoo}`;
    // the fake Alpaca server's fixed replay keys (server/replay/alpaca-replay-datasets.ts ALPACA_REPLAY_KEYS)
    result.ALPACA_STREAM_URL = `ws://127.0.0.1:${ports.replayAlpaca}/v2/iex`;
    result.ALPACA_DATA_URL = `http://127.0.0.1:${ports.replayAlpaca}`;
    result.ALPACA_KEY_ID = "REPLAYKEY";
    result.ALPACA_SECRET_KEY = "replay-secret";
  }
  return result;
}

async function checkPorts(wanted) {
  for (const [name, port] of wanted) {
    if (!(await portFree(port))) {
      const owner = await portOwner(port);
      const variable = `${name.toUpperCase()}_PORT`;
      throw new SetupError(`port ${port} (${variable}) is already in use${owner ? ` by ${owner}` : ""}`, [
        "stop that process (another `npm start` or `npm test` of this project?)",
        `or choose another port: ${variable}=<port> npm start`,
      ]);
    }
  }
}

/**
 * Starts the processes. Their unexpected exit calls `onCrash(name, message)`.
 * @param {{ env: NodeJS.ProcessEnv, feed: "live" | "replay", echo: boolean, logPrefix: string, onCrash: (name: string, message: string) => void }} options
 * @returns {Promise<Supervisor>}
 */
export async function startStack({ env, feed, echo, logPrefix, onCrash }) {
  const ports = stackPorts(env);
  const roles = feed === "replay" ? ["replay", "gateway", "control", "collector", "yahoo-collector", "alpaca-collector", "analytics", "scanner", "notifier"] : ["gateway", "control", "collector", "yahoo-collector", "alpaca-collector", "analytics", "scanner", "notifier"];
  for (const role of roles) {
    if (!existsSync(join(ROOT, WORKERS[role]))) {
      throw new SetupError(`${WORKERS[role]} is missing (the ${role} process entry)`, ["restore it from git or pull the latest main"]);
    }
  }
  await checkPorts([["web", ports.web], ["gateway", ports.gateway], ...(feed === "replay" ? [["replay", ports.replay], ["replay_yahoo", ports.replayYahoo], ["replay_alpaca", ports.replayAlpaca]] : [])]);

  let crashed = null;
  const supervisor = new Supervisor({
    echo,
    logPrefix,
    onUnexpectedExit: (name, code, signal) => {
      crashed ??= `${name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`;
      onCrash(name, crashed);
    },
  });
  onCleanup(() => supervisor.stopAll());
  const node = process.execPath;
  const worker = (role) => supervisor.start(role, node, ["--import", "tsx", WORKERS[role]], env);

  if (feed === "replay") {
    step(`Replay exchange: node --import tsx ${WORKERS.replay} (fake Binance on 127.0.0.1:${ports.replay})`);
    worker("replay");
    const up = await waitFor(async () => crashed || (await tcpProbe("127.0.0.1", ports.replay, 500)).ok, { timeoutMs: 30_000, intervalMs: 200 });
    checkpoint();
    if (crashed) return supervisor;
    if (up !== true) throw new SetupError(`the replay exchange does not listen on 127.0.0.1:${ports.replay} after 30 s`, ["its output is above; fix the error it shows"], supervisor.tail("replay"));
  }
  step(`Gateway: node --import tsx ${WORKERS.gateway} (WebSocket on :${ports.gateway}/ws)`);
  worker("gateway");
  step(`Analytics: node --import tsx ${WORKERS.analytics} (indicators, patterns, features per closed bar)`);
  worker("analytics");
  step(`Control: node --import tsx ${WORKERS.control} (applies config/symbols.yaml and config/exchanges.yaml changes live)`);
  worker("control");
  step(`Collector: node --import tsx ${WORKERS.collector} (feed: ${feed})`);
  worker("collector");
  step(`Yahoo collector: node --import tsx ${WORKERS["yahoo-collector"]} (polls ${feed === "replay" ? `the fake Yahoo server on 127.0.0.1:${ports.replayYahoo}` : "Yahoo Finance"} during sessions)`);
  worker("yahoo-collector");
  step(`Alpaca collector: node --import tsx ${WORKERS["alpaca-collector"]} (${feed === "replay" ? `the fake Alpaca server on 127.0.0.1:${ports.replayAlpaca}` : "Alpaca v2 stream; idles \"disabled\" without ALPACA_KEY_ID/ALPACA_SECRET_KEY"}, NYSE sessions)`);
  worker("alpaca-collector");
  step(`Scanner: node --import tsx ${WORKERS.scanner} (toplists and user screens every second)`);
  worker("scanner");
  step(`Notifier: node --import tsx ${WORKERS.notifier} (email, Slack, webhook and in-app deliveries)`);
  worker("notifier");
  step(`Web: next start -p ${ports.web}`);
  supervisor.start("web", bin("next"), ["start", "-p", String(ports.web)], { ...env, NODE_ENV: "production" });

  const answered = await waitFor(async () => crashed || (await httpGet(`http://127.0.0.1:${ports.web}/api/v1/health`, 2_000)).status > 0, {
    timeoutMs: 60_000,
    intervalMs: 300,
  });
  checkpoint();
  if (!crashed && answered !== true) {
    throw new SetupError(`the web app does not answer on http://127.0.0.1:${ports.web} after 60 s`, ["its output is above; fix the error it shows"], supervisor.tail("web"));
  }
  return supervisor;
}
