// The HTTP edges both simulator workers have alike: waiting out a delay, and what no route answers.
import type { Env, Hono } from "hono";
import type { Problem } from "./problem";

/** Delays are waited out in the worker, never in the ledger Durable Object (it would block every request). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** 404 problem for an unknown route (its body read first), 500 problem for an unhandled error (logged as `name`). */
export function answerFallbacks<E extends Env>(app: Hono<E>, name: string, problem: Problem): void {
  app.notFound(async (c) => {
    await c.req.text().catch(() => ""); // read before answering, as on every route
    return problem(404, "not-found", "Not Found", `No route for ${c.req.method} ${c.req.path}.`);
  });

  app.onError((err) => {
    // Logged for whoever runs the simulator; never returned to the caller.
    console.error(`${name}: unhandled error`, err);
    return problem(500, "internal-error", "Internal Server Error", "An unexpected error occurred.");
  });
}
