// The OrderDO's SQLite schema. Applied in the constructor; statements are idempotent so every
// instance start can run them.
export const ORDER_SCHEMA = [
  // The deduplicated event set. `arrival` keeps arrival order for ops; the fold ignores it.
  `CREATE TABLE IF NOT EXISTS events (
     event_id TEXT PRIMARY KEY,
     arrival INTEGER NOT NULL,
     code TEXT NOT NULL,
     occurred_at TEXT NOT NULL,
     hash TEXT NOT NULL,
     body TEXT NOT NULL,
     correlation_id TEXT NOT NULL,
     received_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)`,
  // ERP commands in per-order sequence; acked_at is set once the ERP confirmed the effect, dead_at when
  // the ERP refused it permanently (it then waits for ops to replay it).
  `CREATE TABLE IF NOT EXISTS commands (
     seq INTEGER PRIMARY KEY,
     key TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL,
     payload TEXT NOT NULL,
     correlation_id TEXT NOT NULL,
     created_at TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     dead_at TEXT,
     acked_at TEXT)`,
  // Transactional outbox: written with the state, deleted once handed to Queues.
  `CREATE TABLE IF NOT EXISTS outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     queue TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0)`,
  // Correlation keys this order owns (refs, tracking numbers) and whether its CorrelationDO agreed.
  `CREATE TABLE IF NOT EXISTS keys (
     key TEXT PRIMARY KEY,
     status TEXT NOT NULL DEFAULT 'pending',
     learned_at TEXT NOT NULL)`,
];

// Columns added after the first release: an existing object's table gains them at its next start.
const ADDED_COLUMNS: [table: string, column: string, type: string][] = [
  // Why a command is dead ("rejected" by the ERP, or its retries "exhausted") and the ERP's status: the
  // order is the source of truth for its dead letters, so it can re-send them to the read model.
  ["commands", "dead_cause", "TEXT"],
  ["commands", "dead_status", "INTEGER"],
];

/** Creates the schema, and adds what an older object's tables lack. Idempotent: runs at every start. */
export function migrateOrderSchema(sql: SqlStorage): void {
  for (const stmt of ORDER_SCHEMA) sql.exec(stmt);
  for (const [table, column, type] of ADDED_COLUMNS) {
    const has = sql
      .exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
      .toArray()
      .some((c) => c.name === column);
    if (!has) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
}
