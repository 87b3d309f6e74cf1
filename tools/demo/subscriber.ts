// The demo's subscriber: before the day starts, one customer subscribes an inbox of the subscriber
// simulator (tools/subscriber-sim) to its orders' status changes and exceptions, as a customer-service
// platform would; the simulator verifies every signature with the secret dockline showed once. At the end
// the demo waits for the deliveries to finish and reports what the subscriber received.

export interface DemoSubscription {
  id: string;
  customerId: string;
  inbox: string;
  key: string;
}

interface Delivery {
  id: string;
  status: string;
  attempts: number;
}

interface InboxRequest {
  status: number;
  verified: boolean | null;
  webhookId: string | null;
}

const EVENTS = ["order.status_changed", "order.exception_opened", "order.exception_resolved"];

export async function subscribe(base: string, subscriberUrl: string, customerId: string, key: string, prefix: string): Promise<DemoSubscription> {
  const inbox = `demo-${prefix}`;
  const res = await fetch(`${base}/v1/subscriptions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      url: `${subscriberUrl}/hooks/${inbox}`,
      events: EVENTS,
      description: `demo ${prefix}: the customer-service platform of ${customerId}`,
    }),
  });
  if (res.status !== 201) throw new Error(`POST /v1/subscriptions: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as { id: string; secret: string };
  const registered = await fetch(`${subscriberUrl}/admin/inboxes/${inbox}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ secrets: [created.secret] }),
  });
  if (!registered.ok) throw new Error(`the subscriber simulator refused the secret: ${registered.status}`);
  return { id: created.id, customerId, inbox, key };
}

/** Every delivery of the subscription (the API pages newest first). */
async function deliveries(base: string, sub: DemoSubscription): Promise<Delivery[]> {
  const out: Delivery[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (
      await fetch(`${base}/v1/subscriptions/${sub.id}/deliveries?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
        headers: { Authorization: `Bearer ${sub.key}` },
      })
    ).json()) as { items: Delivery[]; nextCursor: string | null };
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export interface SubscriberReport {
  deliveries: number;
  delivered: number;
  pending: number;
  dead: number;
  received: number;
  verified: number;
  retried: number;
}

/** Waits (at most `timeoutMs`) until no delivery is pending and the inbox has stopped growing. */
export async function settleSubscriber(base: string, subscriberUrl: string, sub: DemoSubscription, timeoutMs: number): Promise<SubscriberReport> {
  const until = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const list = await deliveries(base, sub);
    const inbox = (await (await fetch(`${subscriberUrl}/admin/inboxes/${sub.inbox}`)).json()) as { requests: InboxRequest[] };
    const accepted = inbox.requests.filter((r) => r.status >= 200 && r.status < 300);
    const report: SubscriberReport = {
      deliveries: list.length,
      delivered: list.filter((d) => d.status === "delivered").length,
      pending: list.filter((d) => d.status === "pending").length,
      dead: list.filter((d) => d.status === "dead").length,
      received: new Set(accepted.map((r) => r.webhookId)).size,
      verified: accepted.filter((r) => r.verified === true).length,
      retried: list.filter((d) => d.attempts > 1).length,
    };
    if ((report.pending === 0 && report.received === last) || Date.now() > until) return report;
    last = report.received;
    await new Promise((r) => setTimeout(r, 2000));
  }
}
