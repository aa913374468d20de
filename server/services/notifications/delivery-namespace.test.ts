import { describe, expect, it } from "vitest";
import { redisKeys } from "../../redis/keys.ts";
import { namespaceOfQueue, namespaceOfQueuePrefix } from "./delivery-namespace.ts";

describe("namespaceOfQueuePrefix", () => {
  it("reads the namespace back from the prefix RedisKeys builds", () => {
    for (const namespace of ["marketlens", "mlt-notify-3fa2", "a:b"]) expect(namespaceOfQueuePrefix(redisKeys(namespace).queuePrefix())).toBe(namespace);
  });

  it("answers null for prefixes RedisKeys did not build", () => {
    expect(namespaceOfQueuePrefix(undefined)).toBeNull();
    expect(namespaceOfQueuePrefix("")).toBeNull();
    expect(namespaceOfQueuePrefix("bull")).toBeNull(); // BullMQ's default prefix
    expect(namespaceOfQueuePrefix(":bull")).toBeNull(); // empty namespace
    expect(namespaceOfQueuePrefix("marketlens:queues")).toBeNull();
  });

  it("takes a queue's prefix from its options (a test double without options has none)", () => {
    expect(namespaceOfQueue({ opts: { prefix: "ns1:bull" } } as never)).toBe("ns1");
    expect(namespaceOfQueue({})).toBeNull();
  });
});
