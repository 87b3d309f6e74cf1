// The ERP contract (GET /erp/openapi.json, docs/erp-openapi.json) is a valid OpenAPI 3.1 document by the
// official JSON schema, and says what the adapter does with each answer.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";

type Doc = Parameters<Validator["validate"]>[0];

describe("the ERP contract document", () => {
  it("served at /erp/openapi.json validates against the OpenAPI 3.1 schema", async () => {
    const res = await app.request("/erp/openapi.json");
    expect(res.status).toBe(200);
    const result = await new Validator().validate((await res.json()) as Doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("committed as docs/erp-openapi.json validates against the OpenAPI 3.1 schema", async () => {
    const result = await new Validator().validate(JSON.parse(readFileSync("docs/erp-openapi.json", "utf8")) as Doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("gives every answer of every endpoint an outcome, and the 409 one per problem type", async () => {
    const doc = (await (await app.request("/erp/openapi.json")).json()) as {
      paths: Record<string, { post: { responses: Record<string, { "x-dockline-outcome"?: unknown }> } }>;
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(Object.keys(item.post.responses).sort(), path).toEqual(["2XX", "3XX", "408", "409", "429", "4XX", "5XX"]);
      expect(item.post.responses["409"]?.["x-dockline-outcome"], path).toEqual({
        "already-applied": "done",
        "sequence-gap": "transient",
        otherwise: "permanent",
      });
      expect(item.post.responses["4XX"]?.["x-dockline-outcome"], path).toBe("permanent");
    }
  });
});
