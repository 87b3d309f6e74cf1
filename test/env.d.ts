// Test-only bindings added in vitest.config.ts.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    TEST_ACCESS_PRIVATE_JWK: string;
  }
}

// Vite's raw imports: fixtures are loaded byte for byte as strings.
declare module "*?raw" {
  const text: string;
  export default text;
}
