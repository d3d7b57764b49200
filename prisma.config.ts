// Prisma CLI configuration (docs/TOOLCHAIN.md): the Rust-free engine and the pg driver adapter, so no engine
// binary is ever downloaded. The CLI scripts in package.json also point the engine variables at /bin/false.
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaConfig } from "prisma";

export default {
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),
} satisfies PrismaConfig;
