// The one error every signature scheme throws. The route turns it into 401 (or 500 when our own
// configuration is broken); the reason goes to logs and metrics, never the secret or the expected value.
export type SignatureFailure = "missing" | "invalid" | "stale" | "future" | "misconfigured";

export class SignatureError extends Error {
  constructor(
    readonly reason: SignatureFailure,
    detail: string,
  ) {
    super(detail);
    this.name = "SignatureError";
  }
}
