// The order's SLA (src/domain/sla.ts, SLA_POLICIES): evaluated after every change and by the order's alarm,
// which comes by the next deadline (the same alarm as the outbox's and the deliveries'). A breach is recorded
// once (meta `sla_breaches`), projected to D1 (GET /ops/stuck, the console) and sent to ops subscriptions as
// `ops.sla_breached`; when the late milestone arrives, as `ops.sla_resolved` (PagerDuty resolves the
// incident). Re-running the alarm, or evaluating the same facts again, records and sends nothing new.
import type { CanonicalEvent } from "../src/domain/event";
import type { Json } from "../src/domain/json";
import type { SlaBreachRow } from "../src/domain/messages";
import { describeBreach, evaluateSla, policyFor, type SlaBreach, type SlaPolicy, slaClocks, slaInput } from "../src/domain/sla";
import type { OrderState } from "../src/domain/state";

export interface SlaHost {
  getMeta(k: string): string | undefined;
  setMeta(k: string, v: string): void;
  policies(): SlaPolicy[];
  /** An ops event for ops subscriptions (inside the caller's transaction). */
  alert(type: "ops.sla_breached" | "ops.sla_resolved", data: Record<string, Json>, correlationId: string): void;
  /** The breach's row for the read model (inside the caller's transaction). */
  project(breach: SlaBreachRow, correlationId: string): void;
}

export interface SlaFacts {
  orderId: string;
  state: OrderState | null;
  events: readonly CanonicalEvent[];
  requests: readonly { partner: string; acknowledgedAt: string | null; cancelledAt: string | null }[];
}

export class OrderSla {
  constructor(private readonly h: SlaHost) {}

  breaches(): SlaBreach[] {
    return JSON.parse(this.h.getMeta("sla_breaches") ?? "[]") as SlaBreach[];
  }

  /** When the alarm must next look (the earliest unmet deadline), or null. */
  alarmAt(): number | null {
    const v = Number(this.h.getMeta("sla_next") ?? "");
    return Number.isFinite(v) && v > 0 ? v : null;
  }

  /** Records what the facts say now (inside the caller's transaction). */
  evaluate(facts: SlaFacts, now: number, correlationId: string): void {
    const { state } = facts;
    if (!state?.details) return;
    const policy = policyFor(this.h.policies(), state.details.customerId, state.details.serviceLevel);
    const recorded = this.breaches();
    if (!policy && recorded.length === 0) return;
    const verdict = evaluateSla(slaClocks(slaInput(state, facts.events, facts.requests), policy), recorded, now);
    const next = String(verdict.nextDeadline ?? "");
    if ((this.h.getMeta("sla_next") ?? "") !== next) this.h.setMeta("sla_next", next);
    if (verdict.breached.length === 0 && verdict.resolved.length === 0) return;
    const changed = new Map([...verdict.breached, ...verdict.resolved].map((b) => [b.id, b]));
    this.h.setMeta("sla_breaches", JSON.stringify([...recorded.map((b) => changed.get(b.id) ?? b), ...verdict.breached]));
    const tell = (type: "ops.sla_breached" | "ops.sla_resolved", b: SlaBreach) => {
      const description = describeBreach(facts.orderId, b, policy);
      const row: SlaBreachRow = {
        id: `${facts.orderId}:${b.id}`,
        orderId: facts.orderId,
        customerId: state.details?.customerId ?? "",
        check: b.check,
        subject: b.subject ?? null,
        dueAt: b.dueAt,
        breachedAt: b.breachedAt,
        resolvedAt: type === "ops.sla_resolved" ? b.resolvedAt : null,
        description,
      };
      this.h.project(row, correlationId);
      const { id: breachId, ...rest } = row;
      this.h.alert(type, { breachId, ...rest, status: state.status, serviceLevel: state.details?.serviceLevel ?? null }, correlationId);
    };
    for (const b of verdict.breached) {
      tell("ops.sla_breached", b);
      // Late, but kept before anyone looked (no alarm ran in between): still a breach, already over.
      if (b.resolvedAt) tell("ops.sla_resolved", b);
    }
    for (const b of verdict.resolved) tell("ops.sla_resolved", b);
  }
}
