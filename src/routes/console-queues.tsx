// The console's lists with actions: quarantine, correlation conflicts, dead letters.
// (Being built: this router is mounted by ./console.tsx.)
import { router } from "../http/openapi";

export const queueConsole = router();
