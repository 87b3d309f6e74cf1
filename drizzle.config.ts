// drizzle-kit generates the D1 migrations in migrations/ from src/readmodel/schema.ts; wrangler applies them.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/readmodel/schema.ts",
  out: "./migrations",
});
