import { describe, expect, it } from "vitest";
import { signSharedToken } from "../schemes/shared-token";
import { failure, inbound, problem, thrown } from "../test-helpers";
import { type InboundWebhook, Unmappable } from "../types";
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

/** The reason and warnings of the Unmappable `p` rejects with; any other outcome fails the test. */
async function unmappable(p: unknown): Promise<{ reason: string; warnings: readonly string[] }> {
  const err = await thrown(p);
  if (!(err instanceof Unmappable)) throw err;
  return { reason: err.reason, warnings: err.warnings };
}

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
  it("maps 214s and 945s, and reports the 997 beside them as unprocessed (it is kept, not dropped)", async () => {
    const { events, ignored, unprocessed, warnings } = await x12.map(signed(multistop));
    expect(ignored).toBeUndefined();
    expect(warnings).toBeUndefined();
    expect(events).toHaveLength(6);
    expect(events.every((e) => e.source === "edi")).toBe(true);
    expect(unprocessed).toEqual(["unsupported transaction set 997 (ST02 0001)"]);
    const two = await x12.map(signed(twoSets));
    expect(two.events.map((e) => e.code)).toEqual(["shipment.dispatched", "shipment.dispatched"]);
    expect(two.unprocessed).toBeUndefined();
  });

  it("refuses to map an interchange that holds only a 997 acknowledgement, naming the set (quarantined, not ignored)", async () => {
    const isa = multistop.slice(0, 106);
    const ack = `${isa}GS*FA*ODFL*DOCKLINE*20261120*1715*702*X*005010~ST*997*0001~AK1*QM*88~AK9*A*1*1*1~SE*4*0001~GE*1*702~IEA*1*000000701~`;
    expect(await unmappable(x12.map(signed(ack)))).toEqual({ reason: "unsupported transaction set 997 (ST02 0001)", warnings: [] });
  });

  it("refuses to map an interchange of a transaction set we do not process (850), naming the set", async () => {
    const isa = multistop.slice(0, 106);
    const po = `${isa}GS*PO*ODFL*DOCKLINE*20261120*1715*9*X*005010~ST*850*0001~BEG*00*SA*PO-1**20261120~SE*3*0001~GE*1*9~IEA*1*000000701~`;
    expect((await unmappable(x12.map(signed(po)))).reason).toBe("unsupported transaction set 850 (ST02 0001)");
  });

  it("maps the sets of an interchange whose GE01 miscounts them, and reports the envelope problem as a warning", async () => {
    const { events, warnings } = await x12.map(signed(twoSets.replace("GE*2*88~", "GE*3*88~")));
    expect(events).toHaveLength(2);
    expect(warnings).toEqual(["envelope warning: GE01 of group 88 counts 3 transaction sets, but the group has 2."]);
  });

  it("maps the sets of an interchange whose IEA02 differs from ISA13, and reports it as a warning", async () => {
    const { events, warnings } = await x12.map(signed(twoSets.replace("IEA*1*000000088~", "IEA*1*000000099~")));
    expect(events).toHaveLength(2);
    expect(warnings).toEqual(['envelope warning: IEA02 "000000099" does not match ISA13 "000000088".']);
  });

  it("maps the sets that are valid on their own and reports a set whose SE miscounts it as unprocessed", async () => {
    const { events, unprocessed } = await x12.map(signed(twoSets.replace("SE*8*0002~", "SE*7*0002~")));
    expect(events.map((e) => e.shipmentId)).toEqual(["WH-SHP-5001"]);
    expect(unprocessed).toEqual(["transaction set 945 0002: SE01 counts 7 segments, but ST to SE has 8."]);
  });

  it("maps the other sets when one set cannot be mapped, and reports that one as unprocessed", async () => {
    const { events, unprocessed } = await x12.map(signed(twoSets.replace("W06*N**20261120*WH-SHP-5002~", "W06*N****~")));
    expect(events.map((e) => e.shipmentId)).toEqual(["WH-SHP-5001"]);
    expect(unprocessed).toEqual(["945 transaction set 0002 has neither a depositor order number (W0602) nor a shipment id (W0604)"]);
  });

  it("keeps the envelope warnings when nothing in the interchange can be mapped", async () => {
    const isa = multistop.slice(0, 106);
    const po = `${isa}GS*PO*ODFL*DOCKLINE*20261120*1715*9*X*005010~ST*850*0001~BEG*00*SA*PO-1**20261120~SE*3*0001~GE*2*9~IEA*1*000000701~`;
    expect(await unmappable(x12.map(signed(po)))).toEqual({
      reason: "unsupported transaction set 850 (ST02 0001)",
      warnings: ["envelope warning: GE01 of group 9 counts 2 transaction sets, but the group has 1."],
    });
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

  it("answers 400 for an interchange whose structure is broken (a set never closed) before mapping anything", async () => {
    const p = await problem(Promise.resolve().then(() => x12.map(signed(twoSets.replace("SE*8*0002~\n", "")))));
    expect(p.detail).toBe("Segment 33 is GE, expected SE (transaction set 945 0002).");
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
