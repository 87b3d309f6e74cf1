// The published ERP contract and the code agree: every body the adapter builds from a realistic order fits
// its schema exactly (no field missing, none extra), and the answer table says what `classify` does.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "@hono/zod-openapi";
import { COMMAND_TYPES, type CommandType, type ErpCommand } from "../domain/commands";
import { decide } from "../domain/decider";
import type { CanonicalEvent } from "../domain/event";
import { EXCEPTION_REASONS, type MilestoneCode } from "../domain/milestones";
import { INTERNAL_EXCEPTIONS } from "../domain/state";
import { classify, commandBody, idempotencyKey } from "./adapter";
import { ANSWER_CLASSES, COMMAND_BODIES, ERP_EXCEPTION_KINDS, ERP_EXCEPTION_REASONS, IDEMPOTENCY_KEY_PATTERN } from "./contract";

const ORDER = "SO-CONTRACT.1";
const t = (hour: number) => new Date(Date.UTC(2026, 10, 20, hour)).toISOString();
let n = 0;
const ev = (code: MilestoneCode, hour: number, extra: Partial<CanonicalEvent> = {}): CanonicalEvent => ({
  eventId: `e${++n}`,
  orderId: ORDER,
  code,
  occurredAt: t(hour),
  source: "acme-3pl",
  ...extra,
});

/** A busy order: two parcels (one without a tracking number), a delivery, exceptions of every kind, two return boxes. */
function busyOrder(): ErpCommand[] {
  const parcel1 = { shipmentId: "SHP-1", carrier: "ups", trackingNumber: "1Z999AA10123456784" };
  const events = [
    ev("order.released", 8, {
      source: "erp",
      order: {
        customerId: "C-1",
        lines: [
          { sku: "SKU-A", quantity: 2 },
          { sku: "SKU-B", quantity: 1 },
        ],
        shipTo: { country: "US" },
      },
    }),
    ev("shipment.dispatched", 10, { ...parcel1, lines: [{ sku: "SKU-A", quantity: 2 }] }),
    ev("shipment.dispatched", 10, { shipmentId: "SHP-2", lines: [{ sku: "SKU-B", quantity: 1 }] }),
    ev("shipment.exception", 11, { ...parcel1, reason: "delayed" }),
    ev("shipment.exception", 12, { ...parcel1, reason: "damaged" }),
    ev("shipment.delivered", 14, parcel1),
    ev("shipment.returned_to_sender", 15, { shipmentId: "SHP-2" }),
    ev("order.cancelled", 16, { source: "erp" }),
    ev("return.received", 20, { returnId: "RMA-1", lines: [{ sku: "SKU-A", quantity: 1 }] }),
    ev("return.received", 21, { returnId: "RMA-1" }),
  ];
  return decide(ORDER, events, [], 0).commands;
}

/** The schema with no unknown keys allowed: what we send must be exactly what the contract lists. */
function strictly(schema: z.ZodType): z.ZodType {
  const def = schema as unknown as { strict?: () => z.ZodType; options?: z.ZodType[] };
  if (def.strict) return def.strict();
  const options = def.options ?? [];
  return {
    safeParse: (v: unknown) => options.map((o) => strictly(o).safeParse(v)).find((r) => r.success) ?? strictly(options[0] as z.ZodType).safeParse(v),
  } as z.ZodType;
}

describe("what the adapter sends fits the ERP contract", () => {
  const commands = busyOrder();

  it("a busy order produces every command type and every exception kind the ERP hears", () => {
    expect(new Set(commands.map((c) => c.type))).toEqual(new Set(Object.keys(COMMAND_TYPES)));
    const kinds = commands.filter((c) => c.type === "FulfillmentException").map((c) => c.payload.kind);
    expect(new Set(kinds)).toEqual(new Set(ERP_EXCEPTION_KINDS));
  });

  it("every body validates against its command type's schema, with no field the schema does not list", () => {
    for (const c of commands) {
      const result = strictly(COMMAND_BODIES[c.type as CommandType]).safeParse(commandBody(c));
      expect(result.success ? [] : result.error?.issues, `${c.type} ${c.key}`).toEqual([]);
    }
  });

  it("would catch a field the contract does not list, in a plain body and in a kind of exception", () => {
    for (const type of ["ShipmentConfirmation", "FulfillmentException"] as const) {
      const c = commands.find((x) => x.type === type) as ErpCommand;
      expect(COMMAND_BODIES[type].safeParse(commandBody(c)).success).toBe(true);
      expect(strictly(COMMAND_BODIES[type]).safeParse({ ...commandBody(c), warehouse: "W1" }).success, type).toBe(false);
    }
  });

  it("every idempotency key fits the published pattern", () => {
    for (const c of commands) expect(idempotencyKey(c)).toMatch(IDEMPOTENCY_KEY_PATTERN);
  });

  it("a delay is not sent, so the contract does not list it among the reasons", () => {
    const reasons = commands.filter((c) => c.type === "FulfillmentException").map((c) => c.payload.reason);
    expect(reasons).not.toContain("delayed");
    expect(ERP_EXCEPTION_REASONS).not.toContain("delayed");
    const delayed = { ...commandBody(commands.find((c) => c.payload.kind === "shipment_exception") as ErpCommand), reason: "delayed" };
    expect(COMMAND_BODIES.FulfillmentException.safeParse(delayed).success).toBe(false);
  });

  it("lists no internal exception kind as one the ERP hears", () => {
    for (const kind of ERP_EXCEPTION_KINDS) expect(INTERNAL_EXCEPTIONS.has(kind)).toBe(false);
  });
});

describe("what the adapter sends fits the ERP contract, for any order history", () => {
  const when = fc.integer({ min: 0, max: 72 * 60 }).map((m) => new Date(Date.UTC(2026, 10, 20, 9) + m * 60_000).toISOString());
  const line = fc.record({ sku: fc.constantFrom("SKU-A", "SKU-B", "SKU-C"), quantity: fc.integer({ min: 1, max: 3 }) });
  const parcel = fc.record({
    tracked: fc.boolean(),
    carrier: fc.option(fc.constantFrom("ups", "dhl", "La Poste"), { nil: undefined }),
    lines: fc.option(fc.array(line, { maxLength: 2 }), { nil: undefined }),
    dispatched: fc.option(when, { nil: undefined }),
    delivered: fc.option(when, { nil: undefined }),
    returned: fc.option(when, { nil: undefined }),
    exceptions: fc.array(fc.tuple(fc.constantFrom(...EXCEPTION_REASONS), when), { maxLength: 3 }),
  });
  const history = fc.record({
    ordered: fc.array(line, { minLength: 1, maxLength: 3 }),
    parcels: fc.array(parcel, { minLength: 1, maxLength: 3 }),
    cancelled: fc.option(when, { nil: undefined }),
    boxes: fc.array(fc.tuple(when, fc.option(fc.array(line, { maxLength: 2 }), { nil: undefined })), { maxLength: 3 }),
  });

  type History = typeof history extends fc.Arbitrary<infer T> ? T : never;

  function events(h: History): CanonicalEvent[] {
    const out: CanonicalEvent[] = [ev("order.released", 8, { source: "erp", order: { customerId: "C-1", lines: h.ordered, shipTo: { country: "FR" } } })];
    for (const [i, p] of h.parcels.entries()) {
      const names = { shipmentId: `SHP-${i}`, ...(p.tracked ? { trackingNumber: `1Z999AA1012345678${i}` } : {}), ...(p.carrier ? { carrier: p.carrier } : {}) };
      const at = (code: MilestoneCode, occurredAt: string, extra: Partial<CanonicalEvent> = {}) =>
        out.push({ ...ev(code, 0, { ...names, ...extra }), occurredAt });
      if (p.dispatched) at("shipment.dispatched", p.dispatched, p.lines ? { lines: p.lines } : {});
      if (p.delivered) at("shipment.delivered", p.delivered);
      if (p.returned) at("shipment.returned_to_sender", p.returned);
      for (const [reason, t] of p.exceptions) at("shipment.exception", t, { reason });
    }
    if (h.cancelled) out.push({ ...ev("order.cancelled", 0, { source: "erp" }), occurredAt: h.cancelled });
    for (const [i, [t, lines]] of h.boxes.entries()) {
      out.push({ ...ev("return.received", 0, { returnId: `RMA-${i % 2}`, ...(lines ? { lines } : {}) }), occurredAt: t });
    }
    return out;
  }

  it("every command of any history validates against its schema, with no field the schema does not list", () => {
    fc.assert(
      fc.property(history, (h) => {
        for (const c of decide(ORDER, events(h), [], 0).commands) {
          const result = strictly(COMMAND_BODIES[c.type as CommandType]).safeParse(commandBody(c));
          expect(result.success ? [] : result.error?.issues, `${c.type} ${JSON.stringify(commandBody(c))}`).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("the published answer table is what classify does", () => {
  const KEY = "SO-1:3";
  for (const a of ANSWER_CLASSES) {
    for (const e of a.examples) {
      it(`reads ${e.status}${e.type ? ` ${e.type.split("/").pop()}` : ""}${e.echoKey ? " echoing our key" : ""} as ${a.outcome}`, () => {
        const outcome = classify(
          { status: e.status, text: "", ...(e.type ? { type: e.type } : {}), idempotencyKey: e.echoKey ? KEY : null, retryAfterSeconds: e.retryAfterSeconds },
          KEY,
        );
        expect(outcome.kind).toBe(a.outcome);
        if (e.retryAfterSeconds !== undefined) expect(outcome).toMatchObject({ retryAfterSeconds: e.retryAfterSeconds });
      });
    }
  }
});
