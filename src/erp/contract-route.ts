// GET /erp/openapi.json: the ERP contract (what dockline sends, see contract-document.ts), public like
// /openapi.json: it documents our own requests and holds nothing secret.
import { createRoute, z } from "@hono/zod-openapi";
import { json, router } from "../http/openapi";
import { erpContractDocument } from "./contract-document";

export const erpContract = router();

// Built once per isolate: it depends on nothing but the code.
let doc: ReturnType<typeof erpContractDocument> | undefined;

erpContract.openapi(
  createRoute({
    method: "get",
    path: "/erp/openapi.json",
    tags: ["meta"],
    summary: "The ERP contract: what an ERP (or its façade) must serve for dockline to deliver to it (OpenAPI 3.1; docs/erp-contract.md)",
    responses: { 200: json(z.object({ openapi: z.string() }).passthrough(), "An OpenAPI 3.1 document") },
  }),
  (c) => {
    doc ??= erpContractDocument();
    return c.json(doc, 200);
  },
);
