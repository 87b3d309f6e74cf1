// `npm run docs:api`: regenerates docs/api.md from the worker's own OpenAPI document, and the ERP contract
// (docs/erp-openapi.json, docs/erp-contract.md) from GET /erp/openapi.json. Tests fail when any is stale.
import { writeFileSync } from "node:fs";
import { app } from "../src/app";
import { renderApiMarkdown } from "../src/http/api-markdown";
import { type ErpContractDoc, renderErpContractMarkdown } from "../src/erp/contract-markdown";

const res = await app.request("/openapi.json");
writeFileSync("docs/api.md", renderApiMarkdown(await res.json()));
console.log("docs/api.md written");

const erp = (await (await app.request("/erp/openapi.json")).json()) as ErpContractDoc;
writeFileSync("docs/erp-openapi.json", `${JSON.stringify(erp, null, 2)}\n`);
writeFileSync("docs/erp-contract.md", renderErpContractMarkdown(erp));
console.log("docs/erp-openapi.json and docs/erp-contract.md written");
