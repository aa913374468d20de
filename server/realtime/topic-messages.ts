/**
 * Parsing of what the gateway relays besides bars, defensively (a malformed pub/sub message is
 * dropped and counted, never thrown): in-app notifications from `{ns}:notify:user:{userId}`
 * (server/services/notifications/channel-senders.ts) and the scanner's per-cycle ScannerUpdate from
 * `{ns}:scanner:updates` (workers/scanner/scanner-messages.ts), turned into the frames clients get
 * (protocol.ts: NotificationMessage, ScannerMessage, ScreenMessage). Pure.
 */
import { z } from "zod";
import { SCANNER_STREAM, SCREEN_STREAM_PREFIX, type NotificationMessage, type ScannerMessage, type ScreenMessage } from "./protocol.ts";

const ZInAppMessage = z.object({
  deliveryId: z.string().min(1),
  notificationId: z.string().min(1),
  title: z.string(),
  body: z.string(),
  severity: z.enum(["info", "warning", "critical"]),
  url: z.string().optional(),
  sourceRef: z.string().nullable(),
  createdAt: z.number(),
});

/** The notification frame for one published InAppMessage; undefined when malformed. */
export function parseNotification(text: string): NotificationMessage | undefined {
  try {
    const parsed = ZInAppMessage.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const { url, ...rest } = parsed.data;
    return { type: "notification", ...rest, ...(url !== undefined ? { url } : {}) };
  } catch {
    return undefined;
  }
}

const ZEntries = z.array(z.tuple([z.string(), z.number()]));
const ZScannerUpdate = z.object({
  epoch: z.string().min(1),
  seq: z.number().int(),
  at: z.number(),
  lists: z.record(z.string(), ZEntries),
  screens: z.array(
    z.object({
      id: z.string().min(1),
      count: z.number().int().nonnegative(),
      added: z.array(z.string()),
      removed: z.array(z.string()),
      truncated: z.boolean(),
    }),
  ),
});

export interface ScannerCycle {
  epoch: string;
  seq: number;
  at: number;
  /** The frame for scanner subscribers. */
  scanner: ScannerMessage;
  /** The frame for each screen whose matches changed, by screen id. */
  screens: Map<string, ScreenMessage>;
}

/** Splits one ScannerUpdate into the frames subscribers get; undefined when malformed. */
export function parseScannerUpdate(text: string): ScannerCycle | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ZScannerUpdate.safeParse(data);
  if (!parsed.success) return undefined;
  const { epoch, seq, at, lists } = parsed.data;
  const screens = new Map<string, ScreenMessage>();
  for (const screen of parsed.data.screens) {
    screens.set(screen.id, {
      type: "screen",
      stream: SCREEN_STREAM_PREFIX + screen.id,
      screenId: screen.id,
      snapshot: false,
      epoch,
      seq,
      added: screen.added,
      removed: screen.removed,
      count: screen.count,
      truncated: screen.truncated,
    });
  }
  return { epoch, seq, at, scanner: { type: "scanner", stream: SCANNER_STREAM, snapshot: false, epoch, seq, at, lists }, screens };
}
