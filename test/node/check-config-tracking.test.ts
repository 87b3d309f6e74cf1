// The configuration check of the tracking page's vars: a link lifetime in whole days, a help link on https.
import { describe, expect, it } from "vitest";
import { checkEnvironment, trackingPageErrors } from "../../tools/check-config";

const PARTNERS = JSON.stringify([{ id: "acme-3pl", adapter: "canonical" }]);

describe("the tracking page's vars", () => {
  it("accepts whole days (0: links never expire), an https help link, and vars left unset", () => {
    expect(trackingPageErrors({ TRACKING_LINK_TTL_DAYS: "90", TRACKING_HELP_URL: "https://help.example.com/orders" })).toEqual([]);
    expect(trackingPageErrors({ TRACKING_LINK_TTL_DAYS: "0", TRACKING_HELP_URL: "" })).toEqual([]);
    expect(trackingPageErrors({})).toEqual([]);
  });

  it("refuses a lifetime that is not a whole number of days, naming the environment", () => {
    const errors = checkEnvironment({
      env: "staging",
      vars: { PARTNERS, TRACKING_LINK_TTL_DAYS: "90d" },
      requiredSecrets: ["PARTNER_SECRET_ACME_3PL"],
    });
    expect(errors).toEqual(['[env.staging]: TRACKING_LINK_TTL_DAYS must be a whole number of days ("0": links never expire), not "90d"']);
    expect(trackingPageErrors({ TRACKING_LINK_TTL_DAYS: "-1" })).toHaveLength(1);
    expect(trackingPageErrors({ TRACKING_LINK_TTL_DAYS: 90 })).toHaveLength(1);
  });

  it("refuses a help link that is not https (the page would not link it)", () => {
    expect(trackingPageErrors({ TRACKING_HELP_URL: "http://help.example.com" })).toEqual([
      'TRACKING_HELP_URL must be an https:// address (the tracking page links only to those), not "http://help.example.com"',
    ]);
    expect(trackingPageErrors({ TRACKING_HELP_URL: "help.example.com" })).toHaveLength(1);
  });
});
