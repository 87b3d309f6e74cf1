// RFC 9457 problem details: the one error shape the simulator answers with.

export const PROBLEM_BASE = "https://dockline.dev/problems/3pl-sim/";

export function problem(
  status: number,
  slug: string,
  title: string,
  detail: string,
  extra: Record<string, string | number | boolean | null | readonly unknown[]> = {},
  headers: Record<string, string> = {},
): Response {
  const body = { type: PROBLEM_BASE + slug, title, status, detail, ...extra };
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...headers, "Content-Type": "application/problem+json" },
  });
}
