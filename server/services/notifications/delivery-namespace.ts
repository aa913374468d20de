/**
 * Which MARKETLENS_NAMESPACE a delivery belongs to: the one whose notify queue carries its job. Recorded on the
 * delivery (deliveries.namespace) so that a notifier's stale-delivery sweep re-enqueues only its own
 * namespace's deliveries when several namespaces share one database. Derived from the BullMQ queue prefix,
 * which server/redis/keys.ts builds as `{namespace}:bull`, so producers need no extra setting.
 */
import type { Queue } from "bullmq";
import { redisKeys } from "../../redis/keys.ts";

/** The part RedisKeys.queuePrefix() appends to the namespace (":bull"). */
const QUEUE_SUFFIX = redisKeys("").queuePrefix();

/**
 * The namespace of a BullMQ prefix built by RedisKeys.queuePrefix(), or null for any other prefix.
 * @example namespaceOfQueuePrefix("marketlens:bull") // "marketlens"
 */
export function namespaceOfQueuePrefix(prefix: string | undefined): string | null {
  if (!prefix || !prefix.endsWith(QUEUE_SUFFIX) || prefix.length === QUEUE_SUFFIX.length) return null;
  return prefix.slice(0, -QUEUE_SUFFIX.length);
}

/** The namespace of a notify queue (null when it was not built with RedisKeys, e.g. a test double). */
export function namespaceOfQueue(queue: Pick<Queue, "opts"> | { opts?: undefined }): string | null {
  return namespaceOfQueuePrefix(queue.opts?.prefix);
}
