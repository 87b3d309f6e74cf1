import { describe, expect, it } from "vitest";
import { erpAuthFromEnv } from "./auth";

describe("ERP authentication from the environment", () => {
  const oauth = {
    ERP_AUTH: "oauth2-client-credentials",
    ERP_TOKEN_URL: "https://erp.example.com/oauth/token",
    ERP_CLIENT_ID: "dockline",
    ERP_CLIENT_SECRET: "s3cret",
  };

  it("is the static bearer token when ERP_AUTH is unset, empty or bearer", () => {
    for (const ERP_AUTH of [undefined, "", "bearer"]) expect(erpAuthFromEnv({ ERP_AUTH, ERP_TOKEN: "tok" })).toEqual({ kind: "bearer", token: "tok" });
  });

  it("is client credentials with the token URL, client and secret, and the scope only when one is set", () => {
    expect(erpAuthFromEnv({ ...oauth, ERP_SCOPE: "" })).toEqual({
      kind: "oauth2-client-credentials",
      tokenUrl: oauth.ERP_TOKEN_URL,
      clientId: "dockline",
      clientSecret: "s3cret",
    });
    expect(erpAuthFromEnv({ ...oauth, ERP_SCOPE: " erp.write " })).toMatchObject({ scope: "erp.write" });
  });

  it("names what is missing from an OAuth configuration, never the secret", () => {
    expect(erpAuthFromEnv({ ...oauth, ERP_CLIENT_ID: " " })).toEqual({
      kind: "misconfigured",
      reason: "ERP_AUTH is oauth2-client-credentials but ERP_CLIENT_ID not set",
    });
    expect(erpAuthFromEnv({ ...oauth, ERP_TOKEN_URL: "erp/token" })).toEqual({ kind: "misconfigured", reason: "ERP_TOKEN_URL is not a URL" });
  });

  it("refuses an unknown ERP_AUTH instead of falling back to another scheme", () => {
    expect(erpAuthFromEnv({ ERP_AUTH: "oauth2", ERP_TOKEN: "tok" })).toEqual({
      kind: "misconfigured",
      reason: 'ERP_AUTH is "oauth2": use "bearer" or "oauth2-client-credentials"',
    });
  });
});
