// What both simulators' ledgers (one SQLite-backed Durable Object each) keep alike: counters (`stats`), the
// fault config (`faults`, one row), numbers never reissued (`meta`, which a reset leaves alone), and the
// fault decision for a request. Each RPC method is synchronous (no await), so every read-then-write is atomic.
import { DurableObject } from "cloudflare:workers";
import type { z } from "zod";

/** A simulator's fault model (its faults.ts): the ledger stores the config and decides with it. */
export interface FaultModel<Config, Input, Decision extends { kind: string }> {
  schema: z.ZodType<Config>;
  none: Config;
  toConfig(input: Input, now: number): Config;
  decide(config: Config, request: { now: number; orderId: string; random: () => number }): Decision;
}

const SHARED_TABLES = `
  CREATE TABLE IF NOT EXISTS stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS faults (id INTEGER PRIMARY KEY CHECK (id = 1), config TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export abstract class SimLedger<Stats extends { injectedFailures: number }, Config, Input, Decision extends { kind: string }> extends DurableObject<unknown> {
  readonly #faults: FaultModel<Config, Input, Decision>;
  readonly #noStats: Stats;

  /** `tables`: the simulator's own CREATE TABLE IF NOT EXISTS statements. */
  constructor(ctx: DurableObjectState, env: unknown, faults: FaultModel<Config, Input, Decision>, noStats: Stats, tables: string) {
    super(ctx, env);
    this.#faults = faults;
    this.#noStats = noStats;
    this.ctx.storage.sql.exec(tables + SHARED_TABLES);
  }

  /** Decide the fault for one request, counting injected failures. Never touches the records. */
  admit(orderId: string): Decision {
    const decision = this.#faults.decide(this.readFaults(), { now: Date.now(), orderId, random: Math.random });
    if (decision.kind !== "pass") this.bump("injectedFailures");
    return decision;
  }

  getFaults(): Config {
    return this.readFaults();
  }

  setFaults(input: Input): Config {
    const config = this.#faults.toConfig(input, Date.now());
    this.writeConfig("faults", config);
    return config;
  }

  clearFaults(): Config {
    this.ctx.storage.sql.exec("DELETE FROM faults");
    return this.#faults.none;
  }

  protected readFaults(): Config {
    return this.readConfig("faults", this.#faults.schema) ?? this.#faults.none;
  }

  /** The one row of a config table (`faults`, or a simulator's own), checked; null when none is set. */
  protected readConfig<T>(table: string, schema: z.ZodType<T>): T | null {
    const row = this.ctx.storage.sql.exec<{ config: string }>(`SELECT config FROM ${table} WHERE id = 1`).toArray()[0];
    return row === undefined ? null : schema.parse(JSON.parse(row.config));
  }

  protected writeConfig(table: string, config: unknown): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO ${table} (id, config) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config`,
      JSON.stringify(config),
    );
  }

  /** The next number of a `meta` counter (from 1): never reused, even after a reset. */
  protected nextNumber(name: string): number {
    return this.ctx.storage.sql
      .exec<{ value: number }>("INSERT INTO meta (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value", name)
      .one().value;
  }

  protected readStats(): Stats {
    const stats: Stats = { ...this.#noStats };
    for (const { name, value } of this.ctx.storage.sql.exec<{ name: string; value: number }>("SELECT name, value FROM stats")) {
      if (Object.hasOwn(stats, name)) (stats as Record<string, number>)[name] = value;
    }
    return stats;
  }

  protected bump(name: keyof Stats & string): void {
    this.ctx.storage.sql.exec("INSERT INTO stats (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1", name);
  }
}
