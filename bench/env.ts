// Process settings for the harnesses, imported before anything loads wrangler: stdout must end with the
// summary line (wrangler would print every local queue batch there), and this machine is offline (Miniflare
// would try to download the `Request.cf` placeholder at every start).
process.env.WRANGLER_LOG ??= "warn";
process.env.WRANGLER_WRITE_LOGS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
