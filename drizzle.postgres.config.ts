import { defineConfig } from 'drizzle-kit';

/** The PostgreSQL twin of drizzle.config.ts: the schema derived by scripts/derive-pg-schema.js. */
export default defineConfig({
	schema: './src/lib/server/db/schema-pg/index.ts',
	out: './drizzle/postgres',
	dialect: 'postgresql',
	dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost/resonance' },
	strict: true,
	verbose: true
});
