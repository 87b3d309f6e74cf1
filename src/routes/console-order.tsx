import { router } from "../http/openapi";
import { replayOrder } from "../ops/actions";
import { orderStub } from "../orders";
import { Action, act, type C, consoleAuth, csrfGuard, Shell } from "./console-layout";

async function orderPage(c: C) {
  const orderId = (c.req.query("orderId") ?? "").trim();
  const view = orderId ? await orderStub(c.env, orderId).inspect() : null;
  if (!view || view.orderId === null)
    return c.html(
      <Shell c={c} title="Order not found">
        <p>No order {orderId} has any events.</p>
      </Shell>,
      404,
    );
  return c.html(
    <Shell c={c} title={`Order ${orderId}`} live>
      <section class="card">
        <h2 data-testid="order-title">
          Order {orderId}: {view.state?.status}
        </h2>
        <p class="muted">
          version {view.state?.version} · ERP acknowledged {view.erp.ackedSeq} of {view.erp.lastSeq}
          {view.erp.deadSeq !== null && ` · dead at ${view.erp.deadSeq}`}
        </p>
        <Action c={c} path={`/ops/console/orders/${encodeURIComponent(orderId)}/replay`} label="Replay order" name="replay-order" />
      </section>
      <section class="card">
        <h2>Event log ({view.events.length}, in arrival order)</h2>
        <table data-testid="events">
          <thead>
            <tr>
              <th>#</th>
              <th>code</th>
              <th>occurred</th>
              <th>source</th>
              <th>event id</th>
              <th>correlation id</th>
            </tr>
          </thead>
          <tbody>
            {view.events.map((e) => (
              <tr>
                <td>{e.arrival}</td>
                <td>{e.code}</td>
                <td>{e.occurredAt}</td>
                <td>{e.source}</td>
                <td class="muted">{e.eventId}</td>
                <td class="muted">{e.correlationId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>ERP commands</h2>
        <table data-testid="commands">
          <tbody>
            {view.commands.map((k) => (
              <tr>
                <td>#{k.seq}</td>
                <td>{k.type}</td>
                <td>
                  {k.ackedAt
                    ? `acknowledged ${k.ackedAt}`
                    : k.deadAt
                      ? `dead: ${k.lastError ?? ""}`
                      : `pending (${k.attempts} attempts)${k.lastError ? `: ${k.lastError}` : ""}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Fulfillment requests</h2>
        {view.unroutable.length > 0 ? (
          <p class="bad" data-testid="unroutable">
            No route matches: {view.unroutable.map((l) => `${l.sku} × ${l.quantity}`).join(", ")}
          </p>
        ) : null}
        <table data-testid="fulfillment-requests">
          <tbody>
            {view.deliveries.map((d) => (
              <tr>
                <td>{d.partner}</td>
                <td>{d.type}</td>
                <td class="muted">{String((d.payload as { requestId?: string }).requestId ?? d.key)}</td>
                <td>{((d.payload as { lines?: { sku: string; quantity: number }[] }).lines ?? []).map((l) => `${l.sku} × ${l.quantity}`).join(", ")}</td>
                <td>
                  {d.ackedAt
                    ? `delivered ${d.ackedAt}`
                    : d.deadAt
                      ? `dead: ${d.lastError ?? ""}`
                      : `pending (${d.attempts} attempts)${d.lastError ? `: ${d.lastError}` : ""}`}
                </td>
                <td>{d.type === "fulfillment.requested" ? (d.acknowledgedAt ? `acknowledged ${d.acknowledgedAt}` : "not acknowledged") : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>State</h2>
        <pre>{JSON.stringify(view.state, null, 2)}</pre>
        <h2>Outbox ({view.outbox.length})</h2>
        <pre>{JSON.stringify(view.outbox, null, 2)}</pre>
      </section>
    </Shell>,
  );
}

export const orderConsole = router();
orderConsole.get("/ops/console/orders", consoleAuth, (c) => orderPage(c as C));
orderConsole.post("/ops/console/orders/:orderId/replay", consoleAuth, csrfGuard, (c) => {
  const orderId = c.req.param("orderId");
  return act(
    c as C,
    async () => {
      const r = await replayOrder(c.env, orderId, c.get("correlationId"));
      return `Replayed ${r.orderId}${r.erpNudged ? `; re-sent ERP command ${r.erpNudged}` : ""}.`;
    },
    `/ops/console/orders?orderId=${encodeURIComponent(orderId)}`,
  );
});
