// Seeded randomness and stable derived identifiers for the demo: the same seed gives the same day of
// traffic, and every id (order numbers, tracking numbers, vendor object ids) is a hash of the run and the
// thing it names, so nothing depends on Math.random().
import { createHash } from "node:crypto";

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A weighted pick: `[[value, weight], …]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

/** mulberry32: small, fast and seedable. */
export function rng(seed: number): Rng {
  let a = seed | 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error("pick from an empty list");
      return item;
    },
    weighted: (items) => {
      const total = items.reduce((n, [, w]) => n + w, 0);
      let x = next() * total;
      for (const [value, w] of items) {
        x -= w;
        if (x < 0) return value;
      }
      const last = items.at(-1);
      if (!last) throw new Error("weighted pick from an empty list");
      return last[0];
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
  return r;
}

/** Hex SHA-256 of the parts: the source of every derived id. */
export function digest(...parts: (string | number)[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** `n` decimal digits derived from the parts (never starting with 0). */
export function digits(n: number, ...parts: (string | number)[]): string {
  let out = "";
  let round = 0;
  while (out.length < n) {
    const h = digest(...parts, round++);
    for (let i = 0; i + 1 < h.length && out.length < n; i += 2) {
      const byte = Number.parseInt(h.slice(i, i + 2), 16);
      if (byte < 250) out += String(byte % 10);
    }
  }
  return out[0] === "0" ? `1${out.slice(1)}` : out;
}

/** `n` upper-case alphanumerics derived from the parts. */
export function alnum(n: number, ...parts: (string | number)[]): string {
  const alphabet = "0123456789ABCDEFGHJKLMNPRSTVWXYZ";
  const h = digest(...parts);
  let out = "";
  for (let i = 0; out.length < n; i += 2) out += alphabet[Number.parseInt(h.slice(i % 62, (i % 62) + 2), 16) % alphabet.length];
  return out;
}
