// Ops repairs, shared by the JSON API and the console, so both do exactly the same thing.
import { mapRequest, routeEvents } from "../ingest";
import { orderStub } from "../orders";
import { partners } from "../partners/registry";
import { HttpProblem, notFound } from "../platform/problem";
import { getDeadLetter, markDeadLetterReplayed } from "../readmodel/ops-queries";
import { getQuarantined, markReplayed } from "../readmodel/quarantine";

export async function replayQuarantined(env: Env, id: string, correlationId: string) {
  const found = await getQuarantined(env.DB, id);
  if (!found) throw notFound("No such quarantined payload.");
  if (found.entry.status !== "open") throw new HttpProblem(409, "already-replayed", "Already replayed", `Replayed at ${found.entry.replayedAt}.`);
  const partner = partners(env.PARTNERS).get(found.entry.partnerId);
  if (!partner) throw new HttpProblem(409, "unknown-partner", "Partner no longer configured", `Partner ${found.entry.partnerId} is not in PARTNERS.`);
  // The signature was verified when the payload arrived; only the mapping runs again.
  const mapping = await mapRequest(partner, found.request);
  // A payload kept for a part we could not process stays open until that part can be: its events were routed
  // when it arrived, so nothing is routed again until the whole payload maps.
  const still = mapping.kind === "unmappable" ? mapping.reason : mapping.kind === "events" ? mapping.unprocessed : undefined;
  if (still) throw new HttpProblem(422, "still-unmappable", "Still unmappable", still, { quarantineId: found.entry.id });
  const results = mapping.kind === "events" ? await routeEvents(env, mapping.events, correlationId) : [];
  const outcome = { correlationId, results, ...(mapping.kind === "ignored" ? { ignored: mapping.reason } : {}) };
  await markReplayed(env.DB, found.entry.id, outcome);
  return { id: found.entry.id, status: "replayed" as const, ...outcome };
}

export async function replayDeadLetter(env: Env, id: string) {
  const dl = await getDeadLetter(env.DB, id);
  if (!dl) throw notFound("No such dead letter.");
  if (dl.status !== "open") throw new HttpProblem(409, "already-replayed", "Already replayed", `Replayed at ${dl.replayedAt}.`);
  // The order's Durable Object decides: the command becomes deliverable again and is re-sent.
  const revived = await orderStub(env, dl.orderId).reviveErp(dl.seq);
  await markDeadLetterReplayed(env.DB, dl.id);
  return { id: dl.id, orderId: dl.orderId, seq: dl.seq, status: "replayed" as const, revived };
}

export async function replayOrder(env: Env, orderId: string, correlationId: string) {
  const order = orderStub(env, orderId);
  const info = await order.reconcileInfo();
  if (info.version === 0) throw notFound(`Order ${orderId} has no events.`);
  const reprojected = await order.reproject(correlationId);
  const erpNudged = await order.nudgeErp();
  await order.kick();
  return { orderId, reprojected, erpNudged };
}
