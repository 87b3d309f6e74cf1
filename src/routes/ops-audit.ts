// Ops API for the audit log: every ops action, who, what, when.
// (Being built: mounted by src/app.ts.)
import { router } from "../http/openapi";

export const opsAudit = router();
