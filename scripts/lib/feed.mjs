/**
 * Live Binance or the recorded-data replay: MARKETLENS_FEED=auto probes BINANCE_REST_URL/api/v3/ping
 * (3 s) and falls back to replay when it does not answer.
 */
import { SetupError } from "./log.mjs";
import { httpGet } from "./net.mjs";

export const DEFAULT_BINANCE_REST_URL = "https://data-api.binance.vision";

/** Throws when MARKETLENS_FEED is not auto, live or replay. */
export function checkFeedSetting(setting) {
  if (!["auto", "live", "replay"].includes(setting)) {
    throw new SetupError(`MARKETLENS_FEED=${setting} is not one of auto, live, replay`, ["set MARKETLENS_FEED=auto (the default), live or replay"]);
  }
}

/** @returns {Promise<{ feed: "live" | "replay", reason: string }>} */
export async function detectFeed(setting = "auto", restUrl = DEFAULT_BINANCE_REST_URL) {
  checkFeedSetting(setting);
  if (setting === "live" || setting === "replay") return { feed: setting, reason: `MARKETLENS_FEED=${setting}` };
  const ping = await httpGet(`${restUrl.replace(/\/$/, "")}/api/v3/ping`, 3_000);
  if (ping.status === 200) return { feed: "live", reason: `${restUrl} answers` };
  return { feed: "replay", reason: `${restUrl} is not reachable (${ping.error ?? `HTTP ${ping.status}`}): using the recorded-data replay` };
}
