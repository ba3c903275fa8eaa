/**
 * Timing of the full demo: generating 90 days, and seeding them into an in-memory database through the writer.
 * Skipped unless asked for (it takes a minute): RESONANCE_DEMO_MEASURE=1 npx vitest run src/lib/server/demo/seed.measure
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { generateHistory } from './generator';
import { seedDemo } from './seed';

const NOW = Date.UTC(2025, 5, 1, 4);

describe.skipIf(!process.env.RESONANCE_DEMO_MEASURE)('demo timing (90 days)', () => {
	it('generates and seeds the full history', async () => {
		let t0 = performance.now();
		let generated = 0;
		for (const chunk of generateHistory({ seed: 1, days: 90, end: NOW })) generated += chunk.length;
		const generateSeconds = (performance.now() - t0) / 1000;

		const db = openDatabase(':memory:');
		t0 = performance.now();
		const result = await seedDemo(db, { seed: 1, days: 90, now: NOW });
		const seedSeconds = (performance.now() - t0) / 1000;
		console.log(
			`[demo] 90 days: ${generated} events generated in ${generateSeconds.toFixed(1)} s; ` +
				`seeded into :memory: in ${seedSeconds.toFixed(1)} s (${Math.round(result.events / seedSeconds)} events/s); ` +
				`by type ${JSON.stringify(result.byType)}`
		);
		expect(result.events).toBe(generated);
		db.$client.close();
	}, 300_000);
});
