import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	test: {
		include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
		environment: 'node',
		// One real PostgreSQL server for the run (src/lib/server/testing/postgres-server.ts).
		globalSetup: ['src/lib/server/testing/postgres-global-setup.ts'],
		testTimeout: 20_000
	}
});
