// `npm run docs:api`: regenerates docs/api.md from the worker's own OpenAPI document.
import { writeFileSync } from "node:fs";
import { app } from "../src/app";
import { renderApiMarkdown } from "../src/http/api-markdown";

const res = await app.request("/openapi.json");
writeFileSync("docs/api.md", renderApiMarkdown(await res.json()));
console.log("docs/api.md written");
