// X12 through the real ingress: every set that is valid on its own is processed; an envelope problem is a
// warning the partner (the answer) and ops (quarantine, log) see; what cannot be processed is quarantined.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import twoSets from "../../src/partners/x12/fixtures/two-945s.edi?raw";
import { orderStub } from "../../src/orders";
import { call, EDI_SHIP_TO, releaseOrder, SECRETS } from "../helpers/http";
import { sendAs } from "../helpers/partners";

interface Answer {
  correlationId: string;
  results: { eventId?: string; orderId?: string; outcome: string; quarantineId?: string; reason?: string }[];
  ignored?: string;
  warnings?: string[];
}
interface Entry {
  id: string;
  partnerId: string;
  reason: string;
  status: string;
  correlationId: string;
  body: string;
}

const ops = (path: string, init: RequestInit = {}) => call(path, { ...init, headers: { Authorization: `Bearer ${SECRETS.ops}` } });
const answer = async (res: Response): Promise<Answer> => {
  expect(res.status).toBe(202);
  return (await res.json()) as Answer;
};
const quarantineList = async (): Promise<Entry[]> => ((await (await ops("/ops/quarantine?limit=200")).json()) as { items: Entry[] }).items;

const ISA = (control: string) => `ISA*00*          *00*          *ZZ*ACME3PL        *ZZ*DOCKLINE       *261120*0910*U*00401*${control}*0*P*>~`;
/** One interchange: ISA, one group of the given sets, and the trailers (counts as given, or right). */
function interchange(sets: string[][], opts: { control?: string; ge01?: number; iea02?: string; functionalId?: string } = {}): string {
  const control = opts.control ?? "000000501";
  const st = sets.map((s, i) => `ST*${s[0]}*${String(i + 1).padStart(4, "0")}~${s.slice(1).join("~")}~SE*${s.length + 1}*${String(i + 1).padStart(4, "0")}~`);
  return `${ISA(control)}\nGS*${opts.functionalId ?? "SW"}*ACME3PL*DOCKLINE*20261120*0910*501*X*004010~${st.join("")}GE*${opts.ge01 ?? sets.length}*501~IEA*1*${opts.iea02 ?? control}~`;
}
const shipped = (orderId: string, day: string, tracking: string, sku: string) => [
  "945",
  `W06*F*${orderId}*${day}`,
  `N9*2I*${tracking}`,
  "W27*M*UPSN",
  "LX*1",
  `W12*CC*1*1**EA**VN*${sku}`,
];

describe("X12 envelope problems through the ingress", () => {
  it("processes the sets of an interchange whose GE01 miscounts them, warns the partner and keeps it for ops", async () => {
    const orderId = "SO-X12-GE01";
    await releaseOrder(orderId, "CUST-1", EDI_SHIP_TO);
    const body = interchange([shipped(orderId, "20261120", "1ZX12GE0100000001", "WID-1")], { ge01: 3 });
    const a = await answer(await sendAs("edi", body));
    expect(a.results).toEqual([expect.objectContaining({ orderId, outcome: "accepted" })]);
    expect(a.warnings).toEqual(["envelope warning: GE01 of group 501 counts 3 transaction sets, but the group has 1."]);
    expect((await orderStub(env, orderId).inspect()).events.map((e) => e.code)).toContain("shipment.dispatched");

    const entry = (await quarantineList()).find((i) => i.correlationId === a.correlationId);
    expect(entry).toMatchObject({
      partnerId: "edi",
      status: "open",
      reason: "envelope warning: GE01 of group 501 counts 3 transaction sets, but the group has 1.",
    });
    const one = (await (await ops(`/ops/quarantine/${entry?.id}`)).json()) as Entry;
    expect(one.body).toBe(body);
  });

  it("processes an interchange whose IEA02 differs from ISA13 and warns the partner", async () => {
    const orderId = "SO-X12-IEA02";
    await releaseOrder(orderId, "CUST-1", EDI_SHIP_TO);
    const a = await answer(await sendAs("edi", interchange([shipped(orderId, "20261120", "1ZX12IEA0200000001", "WID-1")], { iea02: "000000999" })));
    expect(a.results).toEqual([expect.objectContaining({ orderId, outcome: "accepted" })]);
    expect(a.warnings).toEqual(['envelope warning: IEA02 "000000999" does not match ISA13 "000000501".']);
  });

  it("quarantines an unsupported transaction set (850) with its reason instead of ignoring it", async () => {
    const body = interchange([["850", "BEG*00*SA*PO-77**20261120"]], { functionalId: "PO" });
    const a = await answer(await sendAs("edi", body));
    expect(a.ignored).toBeUndefined();
    expect(a.results).toEqual([{ outcome: "quarantined", quarantineId: expect.stringMatching(/^q_/), reason: "unsupported transaction set 850 (ST02 0001)" }]);
    const id = a.results[0]?.quarantineId as string;
    expect((await quarantineList()).find((i) => i.id === id)).toMatchObject({ status: "open", reason: "unsupported transaction set 850 (ST02 0001)" });
    // Replaying cannot process it either: it stays open rather than being marked done.
    expect((await ops(`/ops/quarantine/${id}/replay`, { method: "POST" })).status).toBe(422);
  });

  it("routes the mapped sets of a mixed interchange and quarantines it for the set it cannot process", async () => {
    const orderId = "SO-X12-MIXED";
    await releaseOrder(orderId, "CUST-1", EDI_SHIP_TO);
    const a = await answer(await sendAs("edi", interchange([shipped(orderId, "20261120", "1ZX12MIXED0000001", "WID-1"), ["997", "AK1*SW*9", "AK9*A*1*1*1"]])));
    expect(a.results).toEqual([
      expect.objectContaining({ orderId, outcome: "accepted" }),
      { outcome: "quarantined", quarantineId: expect.stringMatching(/^q_/), reason: "unsupported transaction set 997 (ST02 0002)" },
    ]);
    // The gateway's 997: the 945 accepted, the set we cannot process rejected (AK5 R, code 1), the group
    // partially accepted.
    const ack = (a as unknown as { acknowledgement?: { format: string; body: string } }).acknowledgement;
    expect(ack?.format).toBe("x12-997");
    expect(ack?.body).toContain("AK5*A~");
    expect(ack?.body).toMatch(/AK5\*R\*1~/);
    expect(ack?.body).toMatch(/AK9\*P\*2\*2\*1~/);
  });

  it("does not process a set whose SE01 miscounts it, processes the others, and quarantines the interchange", async () => {
    const orderId = "SO-X12-SE01";
    await releaseOrder(orderId, "CUST-1", EDI_SHIP_TO);
    const good = shipped(orderId, "20261120", "1ZX12SE0100000001", "WID-1");
    const bad = shipped(orderId, "20261121", "1ZX12SE0100000002", "GAD-2");
    const body = interchange([good, bad]).replace(`SE*${bad.length + 1}*0002~`, `SE*${bad.length}*0002~`);
    const a = await answer(await sendAs("edi", body));
    expect(a.results.map((r) => r.outcome)).toEqual(["accepted", "quarantined"]);
    expect(a.results[1]?.reason).toBe(`transaction set 945 0002: SE01 counts ${bad.length} segments, but ST to SE has ${bad.length + 1}.`);
    const lines = (await orderStub(env, orderId).inspect()).events.flatMap((e) => e.lines ?? []);
    expect(lines).toEqual([{ sku: "WID-1", quantity: 1 }]);
  });

  it("answers 400 and keeps nothing for bytes that are not an interchange", async () => {
    const before = (await quarantineList()).length;
    const res = await sendAs("edi", twoSets.replace("SE*8*0002~\n", ""));
    expect(res.status).toBe(400);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect((await quarantineList()).length).toBe(before);
  });
});

describe("X12 945 for a split order without a warehouse shipment id", () => {
  it("confirms both shipments: the second is not a duplicate of the first", async () => {
    const orderId = "SO-X12-SPLIT";
    await releaseOrder(orderId, "CUST-1", {
      ...EDI_SHIP_TO,
      lines: [
        { sku: "WID-1", quantity: 1 },
        { sku: "GAD-2", quantity: 1 },
      ],
    });
    const first = await answer(await sendAs("edi", interchange([shipped(orderId, "20261120", "1ZX12SPLIT0000001", "WID-1")], { control: "000000601" })));
    const second = await answer(await sendAs("edi", interchange([shipped(orderId, "20261121", "1ZX12SPLIT0000002", "GAD-2")], { control: "000000602" })));
    expect([...first.results, ...second.results].map((r) => r.outcome)).toEqual(["accepted", "accepted"]);
    const state = (await orderStub(env, orderId).inspect()).state;
    expect(state?.shipments.map((s) => s.trackingNumber).sort()).toEqual(["1ZX12SPLIT0000001", "1ZX12SPLIT0000002"]);

    // The same 945 re-sent in a new interchange is still a duplicate.
    const again = await answer(await sendAs("edi", interchange([shipped(orderId, "20261121", "1ZX12SPLIT0000002", "GAD-2")], { control: "000000603" })));
    expect(again.results.map((r) => r.outcome)).toEqual(["duplicate"]);
  });
});
