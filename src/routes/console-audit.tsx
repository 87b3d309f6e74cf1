// The console's audit log: every ops action, who, what, when.
// (Being built: this router is mounted by ./console.tsx.)
import { router } from "../http/openapi";

export const auditConsole = router();
