// Standard Webhooks as a subscriber checks them, with the scheme's reference verifier (the `standardwebhooks`
// package): written apart from dockline's signer on purpose, since a test double that shared the code under
// test would share its bugs. The verifier owns the 5-minute tolerance and the constant-time compare.
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { z } from "zod";

/** A secret the verifier can key with; the `whsec_` prefix is required because dockline always sends it. */
function isSecret(value: string): boolean {
  if (!value.startsWith("whsec_")) return false;
  try {
    new Webhook(value); // throws when the key is not base64, or empty
    return true;
  } catch {
    return false;
  }
}

/** Body of PUT /admin/inboxes/<inbox>: the secrets a request may be signed with (several during a rotation; none: not checked). */
export const InboxInputSchema = z.strictObject({
  secrets: z.array(z.string().refine(isSecret, "Not a Standard Webhooks secret (whsec_<base64>).")).max(10),
});

export type Verification = { verified: true } | { verified: false; detail: string } | { verified: null };

/**
 * Checks `raw` (the bytes as received, never re-serialised) and its headers against every secret: one that
 * verifies is enough, as for a subscriber mid-rotation. With no secret registered nothing is checked (null).
 */
export function verify(secrets: readonly string[], raw: Uint8Array, headers: Headers): Verification {
  if (secrets.length === 0) return { verified: null };
  const offered = Object.fromEntries(headers);
  let detail = "";
  for (const secret of secrets) {
    try {
      // jsonParse off: a body that is not JSON is still signed bytes, not a verification failure.
      new Webhook(secret).verify(raw, offered, { jsonParse: false });
      return { verified: true };
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      detail = err.message;
    }
  }
  return { verified: false, detail };
}
