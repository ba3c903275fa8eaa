import type { Db } from '$lib/server/db';
import { createWriteKey, forgetWriteKeys } from '$lib/server/auth/keys';
import { apiKeys, sources } from '$lib/server/db/schema';
import { and, eq, isNull } from 'drizzle-orm';
import { isDatabaseEmpty, seedDemo } from './seed';
import { startSimulator, type Simulator } from './simulator';
import { createLiveStream } from './live';

type Env = Record<string, string | undefined>;

export interface DemoStatus {
	enabled: boolean;
	phase: 'idle' | 'seeding' | 'live' | 'failed';
	seededEvents: number;
	percent: number;
	simulatedEvents: number;
}

const status: DemoStatus = { enabled: false, phase: 'idle', seededEvents: 0, percent: 0, simulatedEvents: 0 };
let simulator: Simulator | undefined;

export function demoStatus(): DemoStatus {
	return { ...status, simulatedEvents: simulator?.sent() ?? 0 };
}

export function demoSimulator(): Simulator | undefined {
	return simulator;
}

const SIMULATOR_SOURCE = 'Demo live simulator';

/**
 * The simulator is an ordinary ingestion client: it gets a write key of its own source. Only key hashes are
 * stored, so each start revokes the previous run's key and issues a new one.
 */
async function simulatorKey(db: Db): Promise<string> {
	const source = db.select().from(sources).where(eq(sources.name, SIMULATOR_SOURCE)).get();
	if (source)
		db.update(apiKeys)
			.set({ revokedAt: Date.now() })
			.where(and(eq(apiKeys.sourceId, source.id), isNull(apiKeys.revokedAt)))
			.run();
	forgetWriteKeys(db);
	return (await createWriteKey(db, { name: SIMULATOR_SOURCE, sourceId: source?.id })).key;
}

/** Seeds the demo history into an empty database (in the background, yielding between chunks), then goes live. */
export function startDemo(db: Db, env: Env): void {
	status.enabled = true;
	const seed = Number(env.RESONANCE_DEMO_SEED ?? 1) || 1;
	const days = Math.max(1, Math.min(365, Number(env.RESONANCE_DEMO_DAYS ?? 90) || 90));
	const ratePerMinute = Math.max(1, Number(env.RESONANCE_DEMO_RATE ?? 120) || 120);
	const port = env.PORT ?? '3000';
	const target = env.RESONANCE_SIMULATOR_URL ?? `http://127.0.0.1:${port}/api/v1/events`;

	void (async () => {
		try {
			if (await isDatabaseEmpty(db)) {
				status.phase = 'seeding';
				const started = performance.now();
				console.log(`[resonance] demo: seeding ${days} days of history (seed ${seed})…`);
				let lastLogged = 0;
				const result = await seedDemo(db, {
					seed,
					days,
					now: Date.now(),
					onProgress: ({ done, percent }) => {
						status.seededEvents = done;
						status.percent = percent;
						if (percent - lastLogged >= 10 || percent === 100) {
							lastLogged = percent;
							console.log(`[resonance] demo: ${percent}% (${done.toLocaleString('en')} events)`);
						}
					}
				});
				const seconds = ((performance.now() - started) / 1000).toFixed(1);
				console.log(`[resonance] demo: ${result.events.toLocaleString('en')} events seeded in ${seconds} s`);
			}
			status.percent = 100;
			status.phase = 'live';
			const stream = createLiveStream({ seed, ratePerMinute });
			simulator = startSimulator({
				produce: (now, incident) => stream.next(now, incident),
				target,
				writeKey: await simulatorKey(db),
				incident: env.RESONANCE_DEMO_INCIDENT === '1'
			});
			console.log(`[resonance] demo: live simulator sending ~${ratePerMinute} events/min to ${target}`);
		} catch (error) {
			status.phase = 'failed';
			console.error('[resonance] demo failed:', error);
		}
	})();
}
