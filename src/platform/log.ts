// Structured JSON logs, one object per line, always with the correlation id. Never log secrets,
// request bodies or stack traces of client errors: log an error's name and our own message only.
export type LogFields = Record<string, unknown> & { correlationId?: string };

function write(level: "debug" | "info" | "warn" | "error", msg: string, fields: LogFields): void {
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export const log = {
  info: (msg: string, fields: LogFields = {}) => write("info", msg, fields),
  warn: (msg: string, fields: LogFields = {}) => write("warn", msg, fields),
  error: (msg: string, fields: LogFields = {}) => write("error", msg, fields),
};

/** What of an unexpected error may be logged: its class name only (messages can carry payload data). */
export function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

/**
 * Where an unexpected error was thrown: its innermost stack frame, as `function (file:line)` with the
 * file's base name only. Says where to look without a stack trace or any of the message (which may carry
 * request data) in the log.
 */
export function errorSite(err: unknown): string | undefined {
  if (!(err instanceof Error) || !err.stack) return undefined;
  const frame = err.stack.split("\n").find((l) => l.trimStart().startsWith("at "));
  const m = frame?.trim().match(/^at (?:(\S+) )?\(?(?:.*\/)?([^/():]+):(\d+)(?::\d+)?\)?$/);
  return m ? `${m[1] ?? "<anonymous>"} (${m[2]}:${m[3]})` : undefined;
}

/**
 * Name and message of an error from the platform (a Queues or storage refusal says why in its message:
 * "message length of 130000 bytes exceeds limit"), bounded. Only for errors our own code did not build
 * from request data: a client's payload must never reach a log line through an error message.
 */
export function platformErrorDetail(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  return err.message ? `${err.name}: ${err.message.slice(0, 300)}` : err.name;
}
