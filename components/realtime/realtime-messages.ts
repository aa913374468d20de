/**
 * Pure browser-side handling of the gateway's notification and scanner messages (docs/websocket.md;
 * types shared with the server: server/realtime/protocol.ts): parsing a frame, and the reducers the
 * zustand stores use: toasts + bell (merged by deliveryId), toplists (snapshot, then changed lists),
 * screen match sets (snapshot, then added/removed; a gap → resubscribe).
 */
import type { NotificationMessage, ScannerMessage, ScreenMessage, ToplistEntries } from "../../server/realtime/protocol.ts";
import { parseTypedFrame } from "./typed-frame.ts";

export type { NotificationMessage, ScannerMessage, ScreenMessage, ToplistEntries };

export type TopicMessage = NotificationMessage | ScannerMessage | ScreenMessage | { type: "error"; message: string; stream?: string };

const TOPIC_TYPES: ReadonlySet<string> = new Set(["notification", "scanner", "screen", "error"]);

/** A notification, scanner, screen or error frame; undefined for anything else (bars, pongs, garbage). */
export function parseTopicMessage(text: string): TopicMessage | undefined {
  return parseTypedFrame<TopicMessage>(text, TOPIC_TYPES);
}

// ---- notifications -------------------------------------------------------------------------

export type BellItem = Omit<NotificationMessage, "type">;

export interface NotificationsState {
  /** Newest first, unique by deliveryId, at most BELL_LIMIT. */
  bell: BellItem[];
  /** Toasts on screen, oldest first (at most TOAST_LIMIT). */
  toasts: BellItem[];
  /** deliveryIds newer than the last time the bell was opened. */
  unread: number;
  /** createdAt of the newest item seen when the bell was last opened. */
  seenUpTo: number;
}

export const BELL_LIMIT = 50;
export const TOAST_LIMIT = 5;

export const EMPTY_NOTIFICATIONS: NotificationsState = { bell: [], toasts: [], unread: 0, seenUpTo: 0 };

function countUnread(bell: BellItem[], seenUpTo: number): number {
  return bell.filter((item) => item.createdAt > seenUpTo).length;
}

/** Merges items into the bell: unique by deliveryId, newest first, capped. */
function mergeBell(bell: BellItem[], items: BellItem[]): BellItem[] {
  const byId = new Map<string, BellItem>();
  for (const item of [...items, ...bell]) if (!byId.has(item.deliveryId)) byId.set(item.deliveryId, item);
  return [...byId.values()].sort((a, b) => b.createdAt - a.createdAt).slice(0, BELL_LIMIT);
}

/** The bell loaded from GET /api/v1/notifications (no toasts for these: they are history). */
export function applyBellLoaded(state: NotificationsState, items: BellItem[]): NotificationsState {
  const bell = mergeBell(state.bell, items);
  return { ...state, bell, unread: countUnread(bell, state.seenUpTo) };
}

/** A live notification: into the bell, and a toast unless it was already known (a replayed one). */
export function applyNotification(state: NotificationsState, message: NotificationMessage): NotificationsState {
  const { type: _type, ...item } = message;
  if (state.bell.some((known) => known.deliveryId === item.deliveryId)) return state;
  const bell = mergeBell(state.bell, [item]);
  const toasts = [...state.toasts, item].slice(-TOAST_LIMIT);
  return { ...state, bell, toasts, unread: countUnread(bell, state.seenUpTo) };
}

export function dismissToast(state: NotificationsState, deliveryId: string): NotificationsState {
  const toasts = state.toasts.filter((toast) => toast.deliveryId !== deliveryId);
  return toasts.length === state.toasts.length ? state : { ...state, toasts };
}

/** The user opened the bell: everything in it counts as read. */
export function markBellRead(state: NotificationsState): NotificationsState {
  const seenUpTo = Math.max(state.seenUpTo, ...state.bell.map((item) => item.createdAt));
  return { ...state, seenUpTo, unread: 0 };
}

// ---- scanner -------------------------------------------------------------------------------

export interface ToplistsState {
  /** List name → entries, best first. */
  lists: Record<string, ToplistEntries>;
  epoch: string | null;
  seq: number | null;
  /** Epoch ms of the newest cycle applied. */
  at: number | null;
  /** True until a snapshot arrived (after subscribe or a resync). */
  awaitingSnapshot: boolean;
}

export const EMPTY_TOPLISTS: ToplistsState = { lists: {}, epoch: null, seq: null, at: null, awaitingSnapshot: true };

export type Reduced<S> = { state: S; resync: boolean };

/**
 * Applies a scanner message. A snapshot replaces everything; an update replaces the lists it carries when
 * its seq follows the last one (same epoch). Older updates are ignored; a gap or a new epoch asks for a resync.
 */
export function applyScannerMessage(state: ToplistsState, message: ScannerMessage): Reduced<ToplistsState> {
  if (message.snapshot) {
    return { state: { lists: message.lists, epoch: message.epoch, seq: message.seq, at: message.at, awaitingSnapshot: false }, resync: false };
  }
  if (state.awaitingSnapshot) return { state, resync: false };
  const next = () => ({ lists: { ...state.lists, ...message.lists }, epoch: message.epoch, seq: message.seq, at: message.at, awaitingSnapshot: false });
  if (state.seq === null || state.epoch === null) return { state: next(), resync: false };
  if (message.epoch !== state.epoch) return { state: { ...state, awaitingSnapshot: true }, resync: true };
  if (message.seq !== null && message.seq <= state.seq) return { state, resync: false };
  if (message.seq === state.seq + 1) return { state: next(), resync: false };
  return { state: { ...state, awaitingSnapshot: true }, resync: true };
}

export interface ScreenState {
  /** Matching symbols, in symbol order. */
  symbols: string[];
  epoch: string | null;
  seq: number | null;
  awaitingSnapshot: boolean;
}

export const EMPTY_SCREEN: ScreenState = { symbols: [], epoch: null, seq: null, awaitingSnapshot: true };

/**
 * Applies a screen message. Updates come only when the matches changed, so seq may skip: the check is the
 * count after applying `removed` then `added` (plus `truncated` and the epoch); a mismatch asks for a resync.
 */
export function applyScreenMessage(state: ScreenState, message: ScreenMessage): Reduced<ScreenState> {
  if (message.snapshot) {
    const symbols = [...(message.symbols ?? [])].sort();
    return { state: { symbols, epoch: message.epoch, seq: message.seq, awaitingSnapshot: false }, resync: false };
  }
  if (state.awaitingSnapshot) return { state, resync: false };
  if (state.seq !== null && message.seq !== null && state.epoch === message.epoch && message.seq <= state.seq) return { state, resync: false };
  if (message.truncated || (state.epoch !== null && message.epoch !== state.epoch)) return { state: { ...state, awaitingSnapshot: true }, resync: true };
  const set = new Set(state.symbols);
  for (const symbol of message.removed ?? []) set.delete(symbol);
  for (const symbol of message.added ?? []) set.add(symbol);
  if (set.size !== message.count) return { state: { ...state, awaitingSnapshot: true }, resync: true };
  return { state: { symbols: [...set].sort(), epoch: message.epoch, seq: message.seq, awaitingSnapshot: false }, resync: false };
}
