/**
 * Per-channel rate limit: a token bucket in Redis (`{ns}:notify:bucket:{channelId}`, HASH tokens + at),
 * refilled at `ratePerMinute`, holding at most `burst` tokens. Taking a token is one Lua script, so several
 * notifier processes share the bucket; the script reads Redis's own clock (TIME), so their clocks need not agree.
 * Over the limit the caller gets how long to wait: the delivery is delayed, never dropped (unlike
 * TradingView's hard auto-stop after 15 triggers in 3 minutes).
 */
import type { Redis } from "ioredis";

const TAKE_TOKEN = `
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2]) / 60000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / per_ms) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 60000)
return wait`;

/**
 * Takes one token from the channel's bucket. Returns 0 when the send may go now, else the milliseconds until
 * a token is available (nothing was taken).
 * @example await takeToken(redis, keys.notifyBucket(id), { ratePerMinute: 30, burst: 10 }) // 0 for the first 10
 */
export async function takeToken(redis: Redis, key: string, limit: { ratePerMinute: number; burst: number }): Promise<number> {
  const wait = await redis.eval(TAKE_TOKEN, 1, key, String(limit.burst), String(limit.ratePerMinute));
  return Number(wait);
}
