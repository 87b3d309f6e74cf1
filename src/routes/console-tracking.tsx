// The console's tracking-link actions (revoke an order's links).
// (Being built: this router is mounted by ./console.tsx.)
import { router } from "../http/openapi";

export const trackingConsole = router();
