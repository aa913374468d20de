/**
 * Token-bucket rate limiting in Redis (one atomic Lua script per request): a bucket per subject
 * (`user:<id>`, `ip:<address>`) holding up to `limit` tokens and refilling `limit` per `windowS`.
 * A request takes one token; an empty bucket answers "limited" with the time until the next
 * token (Retry-After). Clock: the caller's deps.now(), so tests can pin it. When Redis does not
 * answer the request is allowed (DESIGN.md: Redis down degrades the app, it does not stop it) and
 * the decision says so, so the caller can count it.
 */
import type { ServiceDeps } from "./service-deps.ts";
import { whenRedisReady } from "./service-deps.ts";

export interface RateLimitPolicy {
  /** Bucket size = requests allowed per window. */
  limit: number;
  windowS: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until a token is available again (0 when allowed). */
  retryAfterS: number;
  /** True when Redis did not answer and the request was let through unchecked. */
  unchecked: boolean;
}

// KEYS[1] bucket; ARGV: capacity, window ms, now ms. Returns { allowed 0|1, tokens left (string), wait ms }.
const TOKEN_BUCKET = `
local capacity = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = capacity; at = now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * capacity / window)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * window / capacity)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], window)
return { allowed, tostring(tokens), wait }
`;

/** Takes one token from the subject's bucket. */
export async function takeToken(deps: ServiceDeps, subject: string, policy: RateLimitPolicy): Promise<RateLimitDecision> {
  try {
    await whenRedisReady(deps.redis);
    const reply = (await deps.redis.eval(TOKEN_BUCKET, 1, deps.keys.apiRateLimit(subject), policy.limit, policy.windowS * 1000, deps.now())) as [number, string, number];
    const [allowed, tokens, waitMs] = reply;
    return {
      allowed: allowed === 1,
      remaining: Math.max(0, Math.floor(Number(tokens))),
      retryAfterS: allowed === 1 ? 0 : Math.max(1, Math.ceil(waitMs / 1000)),
      unchecked: false,
    };
  } catch {
    return { allowed: true, remaining: policy.limit, retryAfterS: 0, unchecked: true };
  }
}
