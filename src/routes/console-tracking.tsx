// The console's tracking-link actions: revoke an order's public tracking links (the order page renders
// the button). The same revocation as POST /ops/orders/{orderId}/tracking-links/revoke.
import { router } from "../http/openapi";
import { revokeTrackingLinks } from "../readmodel/queries";
import { act, actorOf, type C, consoleAuth, csrfGuard } from "./console-layout";

export const trackingConsole = router();

trackingConsole.post("/ops/console/orders/:orderId/tracking/revoke", consoleAuth, csrfGuard, (c) => {
  const orderId = c.req.param("orderId");
  return act(
    c as C,
    async () => {
      const revoked = await revokeTrackingLinks(c.env.DB, orderId, actorOf(c as C).actor, new Date().toISOString());
      return revoked
        ? `Tracking links of ${orderId} revoked: links sent until now no longer work; the next link the portal hands out does.`
        : { error: `Not done: order ${orderId} is not in the read model.` };
    },
    `/ops/console/orders?orderId=${encodeURIComponent(orderId)}`,
  );
});
