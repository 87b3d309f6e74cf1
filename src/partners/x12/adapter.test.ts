import { describe, expect, it } from "vitest";
import { signSharedToken } from "../schemes/shared-token";
import { failure, inbound, problem } from "../test-helpers";
import type { InboundWebhook } from "../types";
import { X12_AUTH, x12 } from "./adapter";
import canadaPost from "./fixtures/canadapost-214.edi?raw";
import multistop from "./fixtures/multistop-214.edi?raw";
import oopfactory from "./fixtures/oopfactory-945-inter-american.edi?raw";
import stripped from "./fixtures/x12types-945-stripped-isa.edi?raw";
import twoSets from "./fixtures/two-945s.edi?raw";

const TOKEN = "edi-gateway-token-0001";
const NEXT = "edi-gateway-token-0002";

const req = (body: string, headers: Record<string, string> = {}): InboundWebhook =>
  inbound("edi", body, { "content-type": "application/edi-x12", ...headers }, "2026-11-20T18:00:00Z");
const signed = (body: string, token = TOKEN) => {
  const [name, value] = signSharedToken(token, X12_AUTH);
  return req(body, { [name]: value });
};

describe("x12 adapter: verification (gateway bearer token)", () => {
  it("declares the X12 content type", () => {
    expect(x12.contentTypes).toEqual(["application/edi-x12"]);
  });

  it("accepts the gateway's bearer token over the raw bytes of a published sample", async () => {
    await expect(x12.verify(signed(canadaPost), [TOKEN])).resolves.toBeUndefined();
  });

  it("accepts the newer token during a rotation", async () => {
    await expect(x12.verify(signed(canadaPost, NEXT), [TOKEN, NEXT])).resolves.toBeUndefined();
  });

  it("rejects a rotated-out token", async () => {
    expect(await failure(x12.verify(signed(canadaPost, NEXT), [TOKEN]))).toBe("invalid");
  });

  it("rejects a request without an Authorization header", async () => {
    expect(await failure(x12.verify(req(canadaPost), [TOKEN]))).toBe("missing");
  });

  it("rejects a token sent without the Bearer scheme", async () => {
    expect(await failure(x12.verify(req(canadaPost, { authorization: TOKEN }), [TOKEN]))).toBe("invalid");
    expect(await failure(x12.verify(req(canadaPost, { authorization: `Basic ${TOKEN}` }), [TOKEN]))).toBe("invalid");
  });

  it("reports a missing or too short registered token as our misconfiguration", async () => {
    expect(await failure(x12.verify(signed(canadaPost), []))).toBe("misconfigured");
    expect(await failure(x12.verify(signed(canadaPost, "short"), ["short"]))).toBe("misconfigured");
  });
});

describe("x12 adapter: mapping by ST01", () => {
  it("maps 214s and 945s and ignores the 997 in the same interchange", async () => {
    const { events, ignored } = await x12.map(signed(multistop));
    expect(ignored).toBeUndefined();
    expect(events).toHaveLength(6);
    expect(events.every((e) => e.source === "edi")).toBe(true);
    expect((await x12.map(signed(twoSets))).events.map((e) => e.code)).toEqual(["shipment.dispatched", "shipment.dispatched"]);
  });

  it("ignores an interchange that holds only a 997 acknowledgement, naming the set", async () => {
    const isa = multistop.slice(0, 106);
    const ack = `${isa}GS*FA*ODFL*DOCKLINE*20261120*1715*702*X*005010~ST*997*0001~AK1*QM*88~AK9*A*1*1*1~SE*4*0001~GE*1*702~IEA*1*000000701~`;
    expect(await x12.map(signed(ack))).toEqual({ events: [], ignored: "transaction set 997 0001 is not mapped" });
  });

  it("ignores other transaction sets in a valid envelope", async () => {
    const isa = multistop.slice(0, 106);
    const asn = `${isa}GS*SH*ODFL*DOCKLINE*20261120*1715*9*X*005010~ST*856*0001~BSN*00*X*20261120*1715~SE*3*0001~GE*1*9~IEA*1*000000701~`;
    expect((await x12.map(signed(asn))).ignored).toBe("transaction set 856 0001 is not mapped");
  });

  it("ignores an interchange without transaction sets", async () => {
    expect(await x12.map(signed(`${multistop.slice(0, 106)}IEA*0*000000701~`))).toEqual({
      events: [],
      ignored: "the interchange has no transaction sets",
    });
  });

  it("answers 400 problem+json for a malformed envelope (published samples that break the envelope rules)", async () => {
    const stripping = await problem(Promise.resolve().then(() => x12.map(signed(stripped))));
    expect([stripping.status, stripping.slug, stripping.title]).toEqual([400, "malformed-body", "Malformed X12"]);
    expect(stripping.detail).toContain("was stripped");
    expect((await problem(Promise.resolve().then(() => x12.map(signed(oopfactory))))).detail).toBe('Segment 2 has an invalid segment id "  GS".');
  });

  it("answers 400 for a control number mismatch before mapping anything", async () => {
    const p = await problem(Promise.resolve().then(() => x12.map(signed(multistop.replace("GE*2*701~", "GE*2*700~")))));
    expect(p.detail).toBe('GE02 "700" does not match GS06 "701".');
  });

  it("keeps one event when the same status is repeated in two sets of one interchange", async () => {
    const dup = multistop
      .replace("ST*214*0002~\r\nB10*PRO-2002*SO-1002*ODFL~", "ST*214*0002~\r\nB10*pro 7788-9901*SO-1001*ODFL~")
      .replace("AT7*AP*A1***20261120*1645*ET~\r\nMS1*GREENVILLE*SC*US~", "AT7*D1*NS***20261120*1003*ES~\r\nMS1*ASHEVILLE*NC*US~");
    const { events } = await x12.map(signed(dup));
    expect(events.filter((e) => e.code === "shipment.delivered")).toHaveLength(1);
    expect(events).toHaveLength(5);
  });
});
