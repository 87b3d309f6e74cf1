// Server-rendered HTML shared by the tracking page and the ops console: one layout, styles only from a
// nonce'd block, and the security headers that go with it. No script, except a page's own nonce'd block
// (the tracking page's local times): every page works without it.
import type { FC } from "hono/jsx";
import { NONCE, secureHeaders } from "hono/secure-headers";

export const Page: FC<{ title: string; nonce: string; css: string; script?: string; children: unknown }> = ({ title, nonce, css, script, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <title>{title}</title>
      <style nonce={nonce}>{css}</style>
    </head>
    <body>
      {children}
      {script && <script nonce={nonce} dangerouslySetInnerHTML={{ __html: script }} />}
    </body>
  </html>
);

/** No script at all; styles only from our nonce'd block; forms post only to us; nothing may frame us. */
export const htmlSecurity = (formAction: "'none'" | "'self'", options: { script?: boolean; connect?: boolean } = {}) =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: [NONCE],
      ...(options.script ? { scriptSrc: [NONCE] } : {}),
      // The console's live refresh fetches its own page again.
      ...(options.connect ? { connectSrc: ["'self'"] } : {}),
      imgSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: [formAction],
      frameAncestors: ["'none'"],
    },
    // Tracking links carry their token in the URL: never leak it through Referer.
    referrerPolicy: "no-referrer",
  });
