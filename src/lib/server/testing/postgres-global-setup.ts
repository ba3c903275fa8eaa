import type { TestProject } from 'vitest/node';
import { startPostgresServer } from './postgres-server';

declare module 'vitest' {
	export interface ProvidedContext {
		/** The test PostgreSQL server's admin URL (src/lib/server/testing/postgres.ts makes a database per test). */
		postgresUrl: string;
	}
}

/** Vitest global setup: one PostgreSQL server for the whole run, stopped at its end. */
export default async function setup(project: TestProject) {
	const server = await startPostgresServer();
	project.provide('postgresUrl', server.url);
	return () => server.stop();
}
