// The ERP outbound contract as data: the body of each command as zod schemas, the headers, and how each
// answer is read. The adapter's tests check what it sends against these schemas, and GET /erp/openapi.json
// (docs/erp-contract.md) is generated from them, so the published contract is the one the code keeps.
import { z } from "@hono/zod-openapi";
import type { CommandType } from "../domain/commands";
import { ORDER_ID_PATTERN, OrderId } from "../domain/identifiers";
import { EXCEPTION_REASONS, type ExceptionReason, NEEDS_ACTION } from "../domain/milestones";
import type { RaisedException } from "../domain/state";

/** An instant as we send it: UTC, `toISOString()` form. */
const Instant = z.iso.datetime().openapi({ example: "2026-11-20T14:03:00.000Z" });
const Id = z.string().min(1).max(200);
/** Tracking numbers are sent normalised: upper-case ASCII letters and digits, no spaces or dashes. */
const TrackingNumber = z
  .string()
  .regex(/^[A-Z0-9]{1,64}$/)
  .openapi({ example: "1Z999AA10123456784" });

export const ErpLine = z.object({ sku: Id, quantity: z.int().min(1).max(1_000_000) }).openapi("ErpLine");

/** Every body starts with these: the order, the command's place in the order's sequence, its stable identity. */
const envelope = {
  orderId: OrderId.openapi({ description: "The order the ERP released (its own order number)", example: "SO-1001" }),
  seq: z.int().min(1).openapi({ description: "Position in this order's sequence: 1, 2, 3… with no gaps; equals the Idempotency-Key's", example: 1 }),
  commandKey: z.string().min(1).max(300).openapi({
    description: "Stable identity of the fact (e.g. `shipment-confirmation:<parcel>`); never sent twice for one order with different content",
    example: "shipment-confirmation:trk:1Z999AA10123456784",
  }),
};

export const ShipmentConfirmation = z
  .object({
    ...envelope,
    shipmentId: Id.openapi({ description: "The 3PL's shipment id, else the tracking number" }),
    carrier: z.string().min(1).max(64).nullable(),
    trackingNumber: TrackingNumber.nullable(),
    shippedAt: Instant,
    lines: z.array(ErpLine).max(500).openapi({ description: "What left the warehouse in this parcel (the order's lines when the 3PL gave none)" }),
  })
  .openapi("ShipmentConfirmation", { description: "A parcel left the warehouse. Sent once per parcel, before its delivery." });

export const DeliveryConfirmation = z
  .object({
    ...envelope,
    shipmentId: Id,
    trackingNumber: TrackingNumber.nullable(),
    deliveredAt: Instant,
  })
  .openapi("DeliveryConfirmation", { description: "A confirmed parcel was delivered. Always after its ShipmentConfirmation." });

/**
 * The exception kinds the ERP hears. The order raises two more (`line_mismatch`, `confirmed_twice`), which
 * are discrepancies inside the integration for ops, never sent: the type below fails to compile when the
 * order learns a kind that is neither sent nor internal.
 */
export const ERP_EXCEPTION_KINDS = ["shipment_exception", "cancel_after_dispatch", "returned_to_sender"] as const;
type Unlisted = Exclude<RaisedException["kind"], (typeof ERP_EXCEPTION_KINDS)[number] | "line_mismatch" | "confirmed_twice">;
const everyKindListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyKindListed;

/** Only the reasons that need someone at the ERP side: a delay resolves itself and is never sent. */
export const ERP_EXCEPTION_REASONS = EXCEPTION_REASONS.filter((r) => NEEDS_ACTION.has(r)) as [ExceptionReason, ...ExceptionReason[]];

const exception = { ...envelope, occurredAt: Instant };
export const FulfillmentException = z
  .discriminatedUnion("kind", [
    z
      .object({ ...exception, kind: z.literal("shipment_exception"), reason: z.enum(ERP_EXCEPTION_REASONS), shipmentId: Id })
      .openapi("ShipmentExceptionRaised", { description: "The carrier reports a problem with a parcel that needs a decision (reship, refund, contact)" }),
    z
      .object({ ...exception, kind: z.literal("cancel_after_dispatch"), reason: z.null(), shipmentId: z.null() })
      .openapi("CancelledAfterDispatch", { description: "The ERP cancelled the order after goods were dispatched: intercept or recover them" }),
    z
      .object({ ...exception, kind: z.literal("returned_to_sender"), reason: z.null(), shipmentId: Id })
      .openapi("ReturnedToSender", { description: "The carrier is returning the parcel to the warehouse" }),
  ])
  .openapi("FulfillmentException", { description: "Something needs action at the ERP side. One per exception raised." });

export const ReturnReceipt = z
  .object({
    ...envelope,
    returnId: Id,
    receivedAt: Instant,
    lines: z.array(ErpLine).max(500).openapi({ description: "What this box contained (empty when the warehouse did not say)" }),
  })
  .openapi("ReturnReceipt", { description: "A returned box arrived at the warehouse. One per box." });

/** The body schema of each command type, by the type's name in `COMMAND_TYPES`. */
export const COMMAND_BODIES = { ShipmentConfirmation, DeliveryConfirmation, FulfillmentException, ReturnReceipt } satisfies Record<CommandType, z.ZodType>;
export type CommandBody<T extends CommandType> = z.infer<(typeof COMMAND_BODIES)[T]>;

/** `Idempotency-Key: <orderId>:<seq>`; order ids have no `:`, so the one colon separates. */
export const IDEMPOTENCY_KEY_PATTERN = new RegExp(`${ORDER_ID_PATTERN.source.slice(0, -1)}:[1-9][0-9]*$`);

/** The outcomes `classify` gives an answer (src/erp/adapter.ts). */
export type Outcome = "done" | "transient" | "permanent";

/**
 * How each answer is read, in the words of the published contract. `examples` are answers `classify` must
 * give `outcome` for: a test runs them through it, so this table cannot say what the code does not do.
 */
export const ANSWER_CLASSES: {
  status: string;
  /** For a status read more than one way: which case this is (a key of the response's `x-dockline-outcome`). */
  when?: "already-applied" | "sequence-gap" | "otherwise";
  outcome: Outcome;
  meaning: string;
  examples: { status: number; type?: string; echoKey?: boolean; retryAfterSeconds?: number }[];
}[] = [
  {
    status: "2XX",
    outcome: "done",
    meaning: "Applied, or already applied with this key and this body (a replay). The body is not read.",
    examples: [{ status: 200 }, { status: 201 }, { status: 204 }],
  },
  {
    status: "409",
    when: "already-applied",
    outcome: "done",
    meaning:
      "Only with a problem `type` ending in `/already-applied` AND the request's Idempotency-Key echoed in the answer's `Idempotency-Key` header: this very command was applied before.",
    examples: [{ status: 409, type: "https://erp.example.com/problems/already-applied", echoKey: true }],
  },
  {
    status: "409",
    when: "sequence-gap",
    outcome: "transient",
    meaning: "A problem `type` ending in `/sequence-gap`: the ERP misses this order's previous seq. dockline retries; the predecessor is delivered first.",
    examples: [{ status: 409, type: "https://erp.example.com/problems/sequence-gap" }],
  },
  {
    status: "409",
    when: "otherwise",
    outcome: "permanent",
    meaning: "Any other 409 (another type, another key or none echoed): a conflict that is not about this command. Dead letter, with the answer kept for ops.",
    examples: [{ status: 409 }, { status: 409, type: "https://erp.example.com/problems/already-applied" }],
  },
  {
    status: "3XX",
    outcome: "transient",
    meaning: "Redirects are never followed (the body and credentials stay where ERP_BASE_URL points). Retried until the configuration is fixed.",
    examples: [{ status: 301 }, { status: 302 }, { status: 307 }, { status: 308 }],
  },
  {
    status: "408",
    outcome: "transient",
    meaning: "Retried with full-jitter backoff.",
    examples: [{ status: 408 }],
  },
  {
    status: "429",
    outcome: "transient",
    meaning: "Retried with full-jitter backoff, never sooner than `Retry-After` (seconds or an HTTP date).",
    examples: [{ status: 429, retryAfterSeconds: 30 }],
  },
  {
    status: "5XX",
    outcome: "transient",
    meaning: "Retried with full-jitter backoff, never sooner than `Retry-After`. So are network errors and dockline's own timeout.",
    examples: [{ status: 500 }, { status: 502 }, { status: 503, retryAfterSeconds: 120 }, { status: 504 }],
  },
  {
    status: "4XX",
    outcome: "permanent",
    meaning:
      "Any other 4xx (400, 401, 403, 404, 422…): the ERP refuses this fact. Dead letter with the answer; the order's later commands wait behind it until ops replay it. With OAuth, a 401 is first retried once with a fresh token.",
    examples: [{ status: 400 }, { status: 401 }, { status: 403 }, { status: 404 }, { status: 422 }],
  },
];
