// Customer API keys: random, shown once, stored as SHA-256, scoped to one customer, revocable.
import { and, eq, isNull } from "drizzle-orm";
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

/** Returns the customer a live key belongs to, or null. A hash lookup needs no constant-time compare. */
export async function customerForKey(reader: Reader, key: string): Promise<string | null> {
  if (!key.startsWith(PREFIX)) return null;
  const rows = await drizzle(reader as D1Database)
    .select({ customerId: apiKeys.customerId })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, await sha256Hex(key)), isNull(apiKeys.revokedAt)));
  return rows[0]?.customerId ?? null;
}

export async function revokeApiKey(db: D1Database, id: string): Promise<boolean> {
  const res = await drizzle(db)
    .update(apiKeys)
    .set({ revokedAt: new Date().toISOString() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return res.length > 0;
}
