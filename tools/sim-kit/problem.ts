// RFC 9457 problem details: the one error shape the simulators answer with, each under its own type base
// (https://dockline.dev/problems/<simulator>/<slug>).

export type Problem = (
  status: number,
  slug: string,
  title: string,
  detail: string,
  extra?: Record<string, string | number | boolean | null | readonly unknown[]>,
  headers?: Record<string, string>,
) => Response;

/** The `problem` answer of a simulator whose problem types live under `base`. */
export function problemFor(base: string): Problem {
  return (status, slug, title, detail, extra = {}, headers = {}) => {
    const body = { type: base + slug, title, status, detail, ...extra };
    return new Response(JSON.stringify(body), {
      status,
      headers: { ...headers, "Content-Type": "application/problem+json" },
    });
  };
}
