// What the API document says about a signature scheme: the headers a partner sends, what is signed, and how
// far a signed timestamp may be off. Each scheme module exports its own, beside the code it describes.

export interface SchemeHeader {
  name: string;
  /** The value's form, in words. */
  format: string;
}

export interface SchemeDescription {
  name: string;
  /** What the signature covers and with which key, or that there is none. */
  signs: string;
  headers: readonly SchemeHeader[];
  /** How far a signed timestamp may be from our clock, either way; absent when no timestamp is signed. */
  toleranceSeconds?: number;
  /** The scheme's published specification, where there is one. */
  reference?: string;
}
