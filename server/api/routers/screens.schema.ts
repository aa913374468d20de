/**
 * Input schemas of `screens.*` (screens.router.ts). The rule document is validated by the domain
 * (`parseRuleDocument`, whose message names the path at fault); here it is only "a JSON object".
 *   create    { rule: RuleDocument }
 *   setActive { id, active }
 *   delete    { id }
 */
import { z } from "zod";

const ZScreenId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "id must be a screen id" });

export const ZCreateScreenInput = z.object({
  rule: z.record(z.string(), z.unknown(), { error: "rule must be a JSON object (the rule document: name, timeframe, when)" }),
});
export const ZScreenIdInput = z.object({ id: ZScreenId });
export const ZSetScreenActiveInput = z.object({ id: ZScreenId, active: z.boolean({ error: "active must be true or false" }) });
