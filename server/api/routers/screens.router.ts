/**
 * tRPC `screens.*` (signed-in users; each sees only their own screens — others' answer NOT_FOUND):
 *   list()                   → ScreenView[]   { id, name, rule, active, createdAt, updatedAt }
 *   create({ rule })         → ScreenView
 *   setActive({ id, active })→ ScreenView
 *   delete({ id })           → { id, deleted: true }
 * Live matches: the gateway's `screen:{id}` stream (docs/websocket.md). Service: server/services/screens.service.ts.
 */
import { createScreen, deleteScreenOf, listScreens, setScreenActiveOf } from "../../services/screens.service.ts";
import { protectedProcedure, router } from "../trpc.ts";
import { ZCreateScreenInput, ZScreenIdInput, ZSetScreenActiveInput } from "./screens.schema.ts";

export const screensRouter = router({
  list: protectedProcedure.query(({ ctx }) => listScreens(ctx.services.deps, ctx.user.id)),
  create: protectedProcedure.input(ZCreateScreenInput).mutation(({ ctx, input }) => createScreen(ctx.services.deps, ctx.user.id, input)),
  setActive: protectedProcedure.input(ZSetScreenActiveInput).mutation(({ ctx, input }) => setScreenActiveOf(ctx.services.deps, ctx.user.id, input)),
  delete: protectedProcedure.input(ZScreenIdInput).mutation(({ ctx, input }) => deleteScreenOf(ctx.services.deps, ctx.user.id, input.id)),
});
