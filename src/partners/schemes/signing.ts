// Which scheme a partner module signs with, found by running its `sign` and comparing each header with what
// each scheme's own signer makes of the same bytes: the modules do not name their scheme, and this cannot
// drift from what they send. For the API document (and nothing on the ingress path).
import type { PartnerModule } from "../types";
import type { SchemeDescription, SchemeHeader } from "./description";
import { hmacBase64Scheme, signHmacBase64 } from "./hmac-base64";
import { HMAC_HEX_NFKD, signHmacHexNfkd } from "./hmac-hex-nfkd";
import { sharedTokenScheme } from "./shared-token";
import { SHIPPO_SIGNATURE, signShippo } from "./shippo-signature";
import { STANDARD_WEBHOOKS, signStandardWebhook } from "./standard-webhooks";

export interface Signing {
  /** Undefined for a module on a scheme not described here: the document says so rather than guess. */
  scheme: SchemeDescription | undefined;
  contentType: string | undefined;
  /** Headers the module sends besides its scheme's and the content type (a topic, a message id). */
  other: SchemeHeader[];
}

// Valid for every scheme: Standard Webhooks wants whsec_ + base64, a shared token at least 16 characters.
const PROBE_SECRET = "whsec_cHJvYmUtc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY=";
const PROBE_ID = "probe-id";
const PROBE_TOPIC = "probe-topic";
const PROBE_TIME = 1_700_000_000;

export async function describeSigning(module: PartnerModule): Promise<Signing> {
  const raw = new TextEncoder().encode("{}");
  const headers = await module.sign(PROBE_SECRET, raw, { id: PROBE_ID, timestamp: PROBE_TIME, topic: PROBE_TOPIC });
  const plain = await module.sign(PROBE_SECRET, raw, { id: PROBE_ID, timestamp: PROBE_TIME });
  let scheme: SchemeDescription | undefined;
  let contentType: string | undefined;
  const other: SchemeHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === "content-type") contentType = value;
    else if (lower === "webhook-signature" && value === (await signStandardWebhook(PROBE_SECRET, PROBE_ID, PROBE_TIME, raw))) scheme = STANDARD_WEBHOOKS;
    else if (value === (await signHmacBase64(PROBE_SECRET, raw))) scheme = hmacBase64Scheme(name);
    else if (value === (await signHmacHexNfkd(PROBE_SECRET, raw))) scheme = HMAC_HEX_NFKD;
    else if (value === (await signShippo(PROBE_SECRET, raw, PROBE_TIME))) scheme = SHIPPO_SIGNATURE;
    else if (value === PROBE_SECRET) scheme = sharedTokenScheme({ header: name });
    else if (value.endsWith(` ${PROBE_SECRET}`)) scheme = sharedTokenScheme({ header: name, scheme: value.slice(0, -PROBE_SECRET.length - 1) });
    else if (value === PROBE_TOPIC) other.push({ name, format: `the event's topic (${String(plain[name])} when none is given)` });
    else if (value === PROBE_ID) other.push({ name, format: "the message id" });
    else other.push({ name, format: "sent by the partner" });
  }
  // The Standard Webhooks id and timestamp are part of its signature, not extra headers.
  const own = new Set(scheme?.headers.map((h) => h.name.toLowerCase()));
  return { scheme, contentType, other: other.filter((h) => !own.has(h.name.toLowerCase())) };
}
