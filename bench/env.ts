// Process settings for the harnesses, imported before anything loads wrangler: stdout must end with the
// summary line (wrangler would print every local queue batch there), and this machine is offline (Miniflare
// would try to download the `Request.cf` placeholder at every start).
process.env.WRANGLER_LOG ??= "warn";
process.env.WRANGLER_WRITE_LOGS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
// wrangler 4 gives every locally served worker a streaming tail into Miniflare's observability collector
// (the local explorer's trace store: a SQLite Durable Object in the same workerd process that keeps every
// invocation's events and log lines). It is a development aid that production does not run on the worker's
// thread, it charges every invocation (dockline makes several per webhook: fetch, Durable Object RPCs, queue
// batches, alarms), and its store only grows during a run. Off for every served worker, baseline included;
// `X_LOCAL_OBSERVABILITY=true npm run bench` measures with it (docs/performance.md has both).
process.env.X_LOCAL_OBSERVABILITY ??= "false";
