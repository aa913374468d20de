/**
 * tRPC `alerts.*` (signed-in users; each user sees only their own alerts — others' answer NOT_FOUND):
 *   list()                      → AlertView[]
 *   get({ id })                 → AlertView
 *   create(ZCreateAlertInput)   → AlertView
 *   update(ZUpdateAlertInput)   → AlertView
 *   setStatus({ id, status })   → AlertView              ("active" | "paused")
 *   delete({ id })              → { id, deleted: true }
 *   history(ZAlertHistoryInput) → { items: FiringView[], total, page, pageSize }   newest first
 *   test({ rule, symbol, lastN })→ AlertTestResult       (same firings as `marketlens alerts test`)
 *   watchlists.list() / create({ name, symbols }) / update({ id, name?, symbols? }) / delete({ id })
 * Shapes: server/services/alerts.service.ts, alerts-test.service.ts, alerts-watchlists.service.ts; docs/alerts.md.
 */
import { alertHistory, createAlert, deleteAlertOf, getAlert, listAlerts, setAlertStatusOf, updateAlertOf, type AlertsServiceDeps } from "../../services/alerts.service.ts";
import { testAlertRule } from "../../services/alerts-test.service.ts";
import { createWatchlist, deleteWatchlistOf, listWatchlists, updateWatchlistOf } from "../../services/alerts-watchlists.service.ts";
import type { TRPCContext } from "../trpc.ts";
import { protectedProcedure, router } from "../trpc.ts";
import {
  ZAlertHistoryInput,
  ZAlertIdInput,
  ZCreateAlertInput,
  ZCreateWatchlistInput,
  ZSetAlertStatusInput,
  ZTestAlertInput,
  ZUpdateAlertInput,
  ZUpdateWatchlistInput,
} from "./alerts.schema.ts";

const depsOf = (ctx: TRPCContext): AlertsServiceDeps => ctx.services.deps;

const watchlistsRouter = router({
  list: protectedProcedure.query(({ ctx }) => listWatchlists(depsOf(ctx), ctx.user.id)),
  create: protectedProcedure.input(ZCreateWatchlistInput).mutation(({ ctx, input }) => createWatchlist(depsOf(ctx), ctx.user.id, input)),
  update: protectedProcedure.input(ZUpdateWatchlistInput).mutation(({ ctx, input }) => updateWatchlistOf(depsOf(ctx), ctx.user.id, input)),
  delete: protectedProcedure.input(ZAlertIdInput).mutation(({ ctx, input }) => deleteWatchlistOf(depsOf(ctx), ctx.user.id, input.id)),
});

export const alertsRouter = router({
  list: protectedProcedure.query(({ ctx }) => listAlerts(depsOf(ctx), ctx.user.id)),
  get: protectedProcedure.input(ZAlertIdInput).query(({ ctx, input }) => getAlert(depsOf(ctx), ctx.user.id, input.id)),
  create: protectedProcedure.input(ZCreateAlertInput).mutation(({ ctx, input }) => createAlert(depsOf(ctx), ctx.user.id, input)),
  update: protectedProcedure.input(ZUpdateAlertInput).mutation(({ ctx, input }) => updateAlertOf(depsOf(ctx), ctx.user.id, input)),
  setStatus: protectedProcedure.input(ZSetAlertStatusInput).mutation(({ ctx, input }) => setAlertStatusOf(depsOf(ctx), ctx.user.id, input)),
  delete: protectedProcedure.input(ZAlertIdInput).mutation(({ ctx, input }) => deleteAlertOf(depsOf(ctx), ctx.user.id, input.id)),
  history: protectedProcedure.input(ZAlertHistoryInput).query(({ ctx, input }) => alertHistory(depsOf(ctx), ctx.user.id, input)),
  test: protectedProcedure.input(ZTestAlertInput).query(({ ctx, input }) => testAlertRule(depsOf(ctx), input)),
  watchlists: watchlistsRouter,
});
