/**
 * Watchlists: named symbol lists an alert can target instead of one symbol (every member is evaluated). Owned
 * like alerts (another user's list answers 404). Symbols must be known. Writes publish `{ns}:alerts:changed`:
 * membership decides which alerts the analytics worker evaluates on a stream.
 */
import { deleteWatchlist, insertWatchlist, selectWatchlistById, selectWatchlistsOfUser, updateWatchlist, type WatchlistRow } from "../db/watchlists.repo.ts";
import { AppError } from "./app-error.ts";
import { publishAlertsChanged, type AlertsServiceDeps } from "./alerts.service.ts";
import { requireKnownSymbols } from "./alerts-symbols.ts";
import { requireOwner } from "./ownership.ts";

const MAX_WATCHLISTS = 100;

export interface WatchlistView {
  id: string;
  name: string;
  symbols: string[];
  createdAt: string;
  updatedAt: string;
}

function view(row: WatchlistRow): WatchlistView {
  return { id: row.id, name: row.name, symbols: row.symbols, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

export async function listWatchlists(deps: AlertsServiceDeps, userId: string): Promise<WatchlistView[]> {
  return (await selectWatchlistsOfUser(deps.pool, userId)).map(view);
}

export async function createWatchlist(deps: AlertsServiceDeps, userId: string, input: { name: string; symbols: readonly string[] }): Promise<WatchlistView> {
  const symbols = [...new Set(input.symbols)];
  await requireKnownSymbols(deps.pool, symbols, { active: false });
  if ((await selectWatchlistsOfUser(deps.pool, userId)).length >= MAX_WATCHLISTS) throw new AppError("BAD_REQUEST", `at most ${MAX_WATCHLISTS} watchlists per user`);
  const row = await insertWatchlist(deps.pool, { userId, name: input.name, symbols });
  await publishAlertsChanged(deps, `watchlist ${row.id}`);
  return view(row);
}

export async function updateWatchlistOf(deps: AlertsServiceDeps, userId: string, input: { id: string; name?: string | undefined; symbols?: readonly string[] | undefined }): Promise<WatchlistView> {
  const current = requireOwner(await selectWatchlistById(deps.pool, input.id), userId, `watchlist ${input.id}`);
  const symbols = input.symbols ? [...new Set(input.symbols)] : current.symbols;
  await requireKnownSymbols(deps.pool, symbols, { active: false });
  const row = await updateWatchlist(deps.pool, current.id, { name: input.name ?? current.name, symbols });
  if (!row) throw new AppError("NOT_FOUND", `watchlist ${input.id} not found`);
  await publishAlertsChanged(deps, `watchlist ${row.id}`);
  return view(row);
}

/** Deletes a watchlist and the alerts that target it. */
export async function deleteWatchlistOf(deps: AlertsServiceDeps, userId: string, id: string): Promise<{ id: string; deleted: true }> {
  const current = requireOwner(await selectWatchlistById(deps.pool, id), userId, `watchlist ${id}`);
  await deleteWatchlist(deps.pool, current.id);
  await publishAlertsChanged(deps, `watchlist ${current.id}`);
  return { id: current.id, deleted: true };
}
