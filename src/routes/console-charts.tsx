// The console's charts over a chosen time range.
// (Being built: this router is mounted by ./console.tsx.)
import { router } from "../http/openapi";

export const chartsConsole = router();
