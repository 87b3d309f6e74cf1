// Ops API for the audit log: every ops action that changed something (API and console), who, what, on
// what, how it ended; newest first, filtered, paged by cursor. Recorded by src/ops/audit.ts.
import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, json, problems, router } from "../http/openapi";
import { listAudit } from "../ops/audit";
import { requireOps } from "../platform/auth";

const text = (name: string, description: string, example: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ param: { name, in: "query" }, description, example });
const instant = (name: string, description: string) =>
  z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ param: { name, in: "query" }, description, example: "2026-12-03T00:00:00Z" });

const AuditQuery = z.object({
  actor: text("actor", "Who acted, or part of it (case-insensitive): an Access email, ops-token, console session", "oncall@example.com"),
  action: text("action", "Part of the action's name (case-insensitive)", "Replay"),
  target: text("target", "Part of the target (case-insensitive): an order id, a dead letter's id, a customer", "SO-1001"),
  from: instant("from", "Only actions at or after this instant"),
  to: instant("to", "Only actions at or before this instant"),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "The `nextCursor` of the previous page" }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(50)
    .openapi({ param: { name: "limit", in: "query" }, description: "At most 100" }),
});

const AuditEntry = z
  .object({
    id: z.number().int(),
    at: z.string().openapi({ description: "When the action was answered (UTC)" }),
    actor: z.string().openapi({
      description:
        'The Cloudflare Access identity (email); "ops-token", or "ops-token #2" for the second of several during a rotation; "console session (signed in <instant>)"; "unknown" for a refused sign-in',
    }),
    actorKind: z.enum(["access", "token", "session"]),
    action: z.string().openapi({ description: 'Its name ("Replay dead letter"), or method and route for one not named' }),
    target: z.string().nullable().openapi({ description: '"order SO-1", "dead letter …", "customer CUST-1", "3 orders: A, B, C", joined by "; "' }),
    status: z.number().int().openapi({ description: "The HTTP status it was answered with (303 for the console's forms)" }),
    detail: z.string().nullable().openapi({ description: "How it ended: the console's message, or the problem's title and detail" }),
    failed: z.boolean().openapi({ description: "An error status, or a console form that came back with an error" }),
    correlationId: z.string(),
  })
  .openapi("AuditEntry");

const AuditPage = z
  .object({
    items: z.array(AuditEntry),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for older entries; null on the last page" }),
  })
  .openapi("AuditPage", {
    description: "Ops actions, newest first",
    example: {
      items: [
        {
          id: 42,
          at: "2026-12-03T22:31:05.120Z",
          actor: "oncall@example.com",
          actorKind: "access",
          action: "Replay dead letter",
          target: "dead letter dl_SO-1001_3",
          status: 404,
          detail: "Not Found: No such dead letter.",
          failed: true,
          correlationId: "5d0f6a1e-3c1b-4bb4-9a53-2f1c0b7c9e11",
        },
        {
          id: 41,
          at: "2026-12-03T22:30:12.004Z",
          actor: "console session (signed in 2026-12-03T22:29:58.000Z)",
          actorKind: "session",
          action: "Reconcile",
          target: null,
          status: 303,
          detail: "Reconciled 12 orders: 0 drifted.",
          failed: false,
          correlationId: "b3c2a4f0-8d7e-4e55-a0f2-6c1d9e8b7a10",
        },
        {
          id: 40,
          at: "2026-12-03T22:29:58.310Z",
          actor: "ops-token #2",
          actorKind: "token",
          action: "Sign in",
          target: null,
          status: 303,
          detail: "Signed in.",
          failed: false,
          correlationId: "0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b",
        },
      ],
      nextCursor: "NDA",
    },
  });

export const opsAudit = router();

opsAudit.openapi(
  createRoute({
    method: "get",
    path: "/ops/audit",
    tags: ["ops"],
    security: BEARER.ops,
    middleware: [requireOps] as const,
    summary: "The audit log: every ops action that changed something (API and console, sign-in included), who, what, on what, how it ended",
    request: { query: AuditQuery },
    responses: { 200: json(AuditPage, "A page, newest first"), ...problems(400, 401, 422) },
  }),
  async (c) => {
    const page = await listAudit(c.env.DB, c.req.valid("query"));
    c.header("Cache-Control", "no-store");
    return c.json(page, 200);
  },
);
