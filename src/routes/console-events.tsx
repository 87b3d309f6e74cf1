// The console's events view: every partner request, its outcome, payload and headers.
// (Being built: this router is mounted by ./console.tsx.)
import { router } from "../http/openapi";

export const eventsConsole = router();
