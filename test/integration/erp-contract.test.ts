// GET /erp/openapi.json: the ERP contract, served by the worker without credentials, byte for byte what
// `npm run docs:api` committed to docs/ (so the published contract cannot drift from the code).
import { describe, expect, it } from "vitest";
import committedJson from "../../docs/erp-openapi.json?raw";
import committedMarkdown from "../../docs/erp-contract.md?raw";
import { type ErpContractDoc, renderErpContractMarkdown } from "../../src/erp/contract-markdown";
import { call } from "../helpers/http";

describe("GET /erp/openapi.json", () => {
  it("answers the ERP contract without credentials, as JSON", async () => {
    const res = await call("/erp/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as ErpContractDoc & { openapi: string };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(["/delivery-confirmations", "/fulfillment-exceptions", "/return-receipts", "/shipment-confirmations"]);
  });

  it("is exactly docs/erp-openapi.json (run `npm run docs:api` when this fails)", async () => {
    const served = await (await call("/erp/openapi.json")).json();
    expect(`${JSON.stringify(served, null, 2)}\n`).toBe(committedJson);
  });

  it("renders exactly docs/erp-contract.md (run `npm run docs:api` when this fails)", async () => {
    const served = (await (await call("/erp/openapi.json")).json()) as ErpContractDoc;
    expect(renderErpContractMarkdown(served)).toBe(committedMarkdown);
  });
});
