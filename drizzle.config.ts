import { defineConfig } from 'drizzle-kit';

export default defineConfig({
	schema: './src/lib/server/db/schema/index.ts',
	out: './drizzle/sqlite',
	dialect: 'sqlite',
	dbCredentials: { url: process.env.DATABASE_URL ?? './data/resonance.db' },
	strict: true,
	verbose: true
});
