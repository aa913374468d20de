/**
 * `npm start`: set-up, feed detection, build, then the stack until Ctrl-C/SIGTERM or a crash.
 */
import { ensureBuild } from "./build.mjs";
import { DEFAULT_BINANCE_REST_URL, checkFeedSetting, detectFeed } from "./feed.mjs";
import { SetupError, note, seconds, step, success } from "./log.mjs";
import { checkpoint, whenInterrupted } from "./lifecycle.mjs";
import { setUp } from "./setup.mjs";
import { feedEnv, stackPorts, startStack } from "./stack.mjs";

export async function start() {
  const startedAt = Date.now();
  const feedSetting = process.env.MARKETLENS_FEED || "auto";
  checkFeedSetting(feedSetting);
  // The probe takes up to 3 s: run it while the set-up works.
  const feedProbe = detectFeed(feedSetting, process.env.BINANCE_REST_URL || DEFAULT_BINANCE_REST_URL).then(
    (value) => ({ value }),
    (error) => ({ error }),
  );
  const env = await setUp({ durable: true, env: { NODE_ENV: process.env.NODE_ENV || "production" } });
  const probe = await feedProbe;
  if (probe.error) throw probe.error;
  const { feed, reason } = probe.value;
  step(`Feed: ${feed} (${reason})`);
  checkpoint();
  await ensureBuild(env);
  checkpoint();

  let crashed = null;
  let reportCrash;
  const crash = new Promise((resolveCrash) => (reportCrash = resolveCrash));
  const onCrash = (name, message) => {
    crashed ??= { name, message };
    reportCrash(crashed);
  };
  await startStack({ env: feedEnv(env, feed), feed, echo: true, logPrefix: "start", onCrash });
  if (!crashed) {
    success(`Marketlens is up: http://localhost:${stackPorts(env).web}/chart/BINANCE:BTCUSDT (feed: ${feed})`);
    note(`ready in ${seconds(Date.now() - startedAt)}; Ctrl-C stops it (and the local PostgreSQL/Redis this run started)`);
  }
  const end = await Promise.race([crash, whenInterrupted().then((signal) => ({ signal }))]);
  if (end.signal) return 0;
  throw new SetupError(`${end.message}; stopping everything`, [
    `its output is above (also in .data/logs/start-${end.name}.log); fix the error it shows, then run npm start again`,
  ]);
}
