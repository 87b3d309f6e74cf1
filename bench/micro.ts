// The pure parts of the hot path, timed in Node (V8, the engine workerd embeds): what one webhook costs in
// signature verification and mapping, and what OrderDO.evolve() recomputes on every new event — parse
// every stored event, fold them all, derive the commands and the portal view, serialise the state — as
// the order's history grows. workerd has no --cpu-prof; this is the measurable stand-in.
import { timingSafeEqual } from "node:crypto";
import { decide } from "../src/domain/decider";
import type { CanonicalEvent } from "../src/domain/event";
import { portalView } from "../src/domain/view";
import { ADAPTERS } from "../src/partners/registry";
import { verifyStandardWebhook } from "../src/partners/schemes/standard-webhooks";
import { signFor } from "../src/partners/signers";
import { utf8 } from "../src/platform/crypto";
import { signingSecret } from "./config";
import { round } from "./metrics";
import { Reference } from "./reference";
import { planOrders, REALISTIC, random } from "./traffic";

// workerd's crypto.subtle has a non-standard timingSafeEqual, which dockline's verifiers call; Node's has not.
const subtle = crypto.subtle as unknown as { timingSafeEqual?: (a: Uint8Array, b: Uint8Array) => boolean };
subtle.timingSafeEqual ??= (a, b) => timingSafeEqual(a, b);

async function timeUs(iterations: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(50, iterations); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return round(((performance.now() - t0) * 1000) / iterations, 1);
}

export async function microProfile(secrets: Record<string, string>): Promise<Record<string, number>> {
  const rnd = random(7);
  const [order] = planOrders("M", 1, rnd, { ...REALISTIC, easypostShare: 0 });
  const [ep] = planOrders("ME", 1, rnd, { ...REALISTIC, easypostShare: 1 });
  if (!order || !ep) throw new Error("no order planned");
  const dispatch = order.webhooks[3];
  const lastEasyPost = ep.webhooks[ep.webhooks.length - 1];
  if (!dispatch || !lastEasyPost) throw new Error("unexpected plan");
  const raw = utf8(dispatch.body);
  const secret = signingSecret(secrets, "acme-3pl");
  const headers = new Headers(await signFor("canonical", secret, raw));
  const req = { partnerId: "acme-3pl", headers, raw, receivedAt: new Date().toISOString() };
  const epReq = { partnerId: "easypost", headers: new Headers(), raw: utf8(lastEasyPost.body), receivedAt: req.receivedAt };
  const out: Record<string, number> = {
    "verify Standard Webhooks signature": await timeUs(2_000, () =>
      verifyStandardWebhook(
        [secret],
        { id: headers.get("webhook-id"), timestamp: headers.get("webhook-timestamp"), signature: headers.get("webhook-signature") },
        raw,
      ),
    ),
    "map canonical webhook (zod + event id)": await timeUs(2_000, () => ADAPTERS.canonical.map(req)),
    [`map EasyPost tracker (${ep.webhooks.length - 4} scans, content ids)`]: await timeUs(1_000, () => ADAPTERS.easypost.map(epReq)),
  };
  // evolve(): everything an order has, re-read and re-folded on each new event.
  for (const extra of [0, 40, 90]) {
    const [deep] = planOrders(`MD${extra}`, 1, rnd, { ...REALISTIC, easypostShare: 0, extraScans: extra });
    if (!deep) continue;
    const ref = new Reference();
    ref.release(deep);
    for (const w of deep.webhooks) await ref.webhook(w);
    const events = ref.eventsOf(deep.orderId);
    const bodies = events.map((e) => JSON.stringify(e));
    const now = new Date().toISOString();
    out[`evolve() work at ${events.length} events (parse + fold + commands + view + stringify)`] = await timeUs(300, () => {
      const parsed = bodies.map((b) => JSON.parse(b) as CanonicalEvent);
      const { state } = decide(deep.orderId, parsed, [], 0);
      return JSON.stringify(state).length + JSON.stringify(portalView(state, now)).length;
    });
  }
  return out;
}
