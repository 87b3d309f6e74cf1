// Ops API for tracking links: revoke an order's public tracking links.
// (Being built: mounted by src/app.ts.)
import { router } from "../http/openapi";

export const opsTracking = router();
