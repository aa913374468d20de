"use client";
/**
 * The /scanner page's client side: every toplist the scanner worker publishes (gainers/losers 1m, 5m,
 * today; volume; relative volume; RSI extremes; VWAP distance), live over the gateway's `scanner` stream
 * (components/realtime/use-scanner.ts: a snapshot on subscribe, then the changed lists each cycle), one
 * sortable table each (toplist-table.tsx); for a signed-in user also their screens (user-screens.tsx),
 * whose matches come over `screen:{id}` on the same connection.
 */
import { useQuery } from "@tanstack/react-query";
import { useScanner } from "../realtime/use-scanner.ts";
import { useTRPC } from "../trpc.ts";
import { ToplistTable } from "./toplist-table.tsx";
import { TOPLIST_INFO } from "./toplist-table-model.ts";
import { UserScreens } from "./user-screens.tsx";

export function ScannerScreen({ gatewayUrl, signedIn = false }: { gatewayUrl: string; signedIn?: boolean }) {
  const trpc = useTRPC();
  const screens = useQuery(trpc.screens.list.queryOptions(undefined, { enabled: signedIn }));
  const screenIds = (screens.data ?? []).filter((screen) => screen.active).map((screen) => screen.id);
  const { toplists, status, errors, screens: screenStates } = useScanner({ url: gatewayUrl, screenIds });
  const state = status?.state ?? "connecting";
  const waiting = toplists.awaitingSnapshot && Object.keys(toplists.lists).length === 0;
  return (
    <>
      <div className="scanner-status muted" data-testid="scanner-status" data-state={state}>
        <span className="connection">
          <span className={`connection-dot connection-${state}`} /> {state}
        </span>
        <span data-testid="scanner-cycle" data-at={toplists.at ?? ""}>
          {toplists.at ? `updated ${new Date(toplists.at).toISOString().slice(11, 19)} UTC` : waiting ? "waiting for the first scan…" : "no scan yet"}
        </span>
        {errors.scanner ? <span className="form-error">{errors.scanner}</span> : null}
      </div>
      <div className="toplist-grid">
        {TOPLIST_INFO.map((info) => (
          <ToplistTable key={info.name} info={info} entries={waiting ? undefined : (toplists.lists[info.name] ?? [])} />
        ))}
      </div>
      {signedIn ? <UserScreens screens={screens.data ?? []} states={screenStates} errors={errors} /> : null}
    </>
  );
}
