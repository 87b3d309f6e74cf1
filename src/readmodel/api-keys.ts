// Customer API keys: random, shown once, stored as SHA-256, scoped to one customer, revocable.
import { and, desc, eq, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { sha256Hex, toBase64 } from "../platform/crypto";
import type { Reader } from "./queries";
import { apiKeys } from "./schema";

const PREFIX = "dk_";

export async function issueApiKey(
  db: D1Database,
  customerId: string,
  label: string | null,
): Promise<{ id: string; key: string; customerId: string; createdAt: string }> {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const key = PREFIX + toBase64(raw).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const id = `key_${crypto.randomUUID()}`;
  const createdAt = new Date().toISOString();
  await drizzle(db)
    .insert(apiKeys)
    .values({ id, customerId, keyHash: await sha256Hex(key), label, createdAt });
  return { id, key, customerId, createdAt };
}

/**
 * Known live keys, per isolate, for a short while: a portal read then costs one D1 query, not two. A
 * revoked key therefore keeps working for up to KEY_CACHE_MS in isolates that had just seen it; unknown
 * and revoked keys are never cached, so a new key works at once.
 */
const KEY_CACHE_MS = 30_000;
const keyCache = new Map<string, { customerId: string; until: number }>();

/** Returns the customer a live key belongs to, or null. A hash lookup needs no constant-time compare. */
export async function customerForKey(reader: Reader, key: string, now = Date.now()): Promise<string | null> {
  if (!key.startsWith(PREFIX)) return null;
  const hash = await sha256Hex(key);
  const hit = keyCache.get(hash);
  if (hit && hit.until > now) return hit.customerId;
  const rows = await drizzle(reader as D1Database)
    .select({ customerId: apiKeys.customerId })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
  const customerId = rows[0]?.customerId ?? null;
  if (customerId) {
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(hash, { customerId, until: now + KEY_CACHE_MS });
  } else keyCache.delete(hash);
  return customerId;
}

/** Forgets cached keys (revocation in this isolate takes effect at once). */
export function forgetCachedKeys(): void {
  keyCache.clear();
}

export async function revokeApiKey(db: D1Database, id: string): Promise<boolean> {
  forgetCachedKeys();
  const res = await drizzle(db)
    .update(apiKeys)
    .set({ revokedAt: new Date().toISOString() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return res.length > 0;
}

export interface ApiKeySummary {
  id: string;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** A customer's keys, newest first, revoked ones included; never the hash (the key itself is not stored). */
export async function listApiKeys(reader: Reader, customerId: string): Promise<ApiKeySummary[]> {
  return drizzle(reader as D1Database)
    .select({ id: apiKeys.id, label: apiKeys.label, createdAt: apiKeys.createdAt, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.customerId, customerId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}
