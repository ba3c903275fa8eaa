import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Db } from '$lib/server/db';
import { asStorage, type Storage } from '$lib/server/db/storage';
import { runExclusive } from '$lib/server/db/jobs';
import { createWriteKey, forgetWriteKeys, listKeys, listSources, revokeKey } from '$lib/server/auth/keys';
import { builtFile } from '$lib/server/built-files';
import { isDatabaseEmpty, seedDemo, type SeedOptions, type SeedResult } from './seed';
import { seedInChild, type SeederRun } from './seed-child';
import { prepareDemoInsights, type DemoInsights } from './insights';
import { startSimulator, type Simulator } from './simulator';
import { createLiveStream } from './live';
import { followIncidentSwitch, SIMULATOR_JOB, switchIncident } from './incident';

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
async function simulatorKey(storage: Storage): Promise<string> {
	const source = (await listSources(storage)).find((s) => s.name === SIMULATOR_SOURCE);
	if (source)
		for (const key of await listKeys(storage))
			if (key.sourceId === source.id && key.revokedAt === null) await revokeKey(storage, key.id);
	forgetWriteKeys(storage);
	return (await createWriteKey(storage, { name: SIMULATOR_SOURCE, sourceId: source?.id })).key;
}

/** One full garbage collection (V8's gc, reached without starting Node with --expose-gc). */
function collectGarbage(): void {
	v8.setFlagsFromString('--expose-gc');
	(runInNewContext('gc') as () => void)();
}

/** The seeder's bundle: undefined looks for the built one (build/demo-seeder.js); tests set their own. */
let seederUrl: URL | null | undefined;

/** Sets the seeder's bundle (tests give a freshly bundled one), or null to seed in the server's process. */
export function useSeeder(url: URL | null | undefined): void {
	seederUrl = url;
}

/** Where the last seed of this process ran: its child process's id and exit code, or in-process (`null`). */
export interface SeedPlace {
	child: { pid: number; exitCode: number } | null;
}
let lastSeed: SeedPlace | undefined;
let seeder: SeederRun | undefined;

export function demoSeedPlace(): SeedPlace | undefined {
	return lastSeed;
}

/**
 * Seeds in a child process of its own when the database is a SQLite file and the seeder is built (the built
 * server): the seed's heap (the generator, the writer's customer cache, the segmentation dictionary), its page
 * cache and what malloc kept of them end with that process, so the server is left with what a restart on the seeded
 * file would hold (bench/memory.js). Otherwise (PostgreSQL, whose bulk writer keeps its memory small and whose seed
 * lock is held by this process's connection; a database in memory; dev and tests without a build) it seeds here.
 */
async function seedSomewhere(
	storage: Storage,
	options: SeedOptions
): Promise<SeedResult & { insights?: DemoInsights }> {
	const url = seederUrl === undefined ? builtFile('demo-seeder.js') : seederUrl;
	if (storage.engine !== 'sqlite' || !url || storage.db.$client.memory) {
		const result = await seedDemo(storage, options);
		lastSeed = { child: null };
		return result;
	}
	seeder = seedInChild(url, storage.db.$client.name, options);
	try {
		const result = await seeder.done;
		lastSeed = { child: { pid: result.pid, exitCode: result.exitCode } };
		return result;
	} finally {
		seeder = undefined;
	}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
/** Set by `stopDemo`: the loops below end, and the simulator's lock is released. */
let stopped = false;
let releaseSimulator: (() => void) | undefined;

/** Stops the live simulator and the demo's waiting loops (at shutdown, so another process can take over). */
export function stopDemo(): void {
	stopped = true;
	simulator?.stop();
	releaseSimulator?.();
	seeder?.stop();
}

/** How often a process that is not seeding looks whether the seed is done, and one without the simulator whether it
 * should take it over (the process running it stopped). */
const SEED_WAIT_MS = 2_000;
const SIMULATOR_RETRY_MS = 60_000;

/**
 * Seeds the demo history into an empty database (in the background, yielding between chunks), then goes live. On
 * PostgreSQL several server processes share the database: one of them seeds (the others wait for it, answering
 * requests meanwhile) and one runs the live simulator, as long as it lives (db/jobs.ts; another takes over within
 * a minute after it stops). On SQLite the one server process does both.
 */
export function startDemo(target: Db | Storage, env: Env): void {
	const storage = asStorage(target);
	stopped = false;
	status.enabled = true;
	const seed = Number(env.RESONANCE_DEMO_SEED ?? 1) || 1;
	const days = Math.max(1, Math.min(365, Number(env.RESONANCE_DEMO_DAYS ?? 90) || 90));
	const ratePerMinute = Math.max(1, Number(env.RESONANCE_DEMO_RATE ?? 240) || 240);
	const port = env.PORT ?? '3000';
	const simulatorUrl = env.RESONANCE_SIMULATOR_URL ?? `http://127.0.0.1:${port}/api/v1/events`;

	const seedIfEmpty = async () => {
		if (!(await isDatabaseEmpty(storage))) return;
		status.phase = 'seeding';
		const started = performance.now();
		console.log(`[resonance] demo: seeding ${days} days of history (seed ${seed})…`);
		let lastLogged = 0;
		const result = await seedSomewhere(storage, {
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
		// Texts indexed and the complaint-risk model trained now, so /risk and the timelines show scores at once (by
		// the seeding child when there was one, its memory gone with it; here otherwise).
		const insights = result.insights ?? (await prepareDemoInsights(storage));
		console.log(
			`[resonance] demo: ${insights.texts.toLocaleString('en')} texts indexed in ${insights.textSeconds.toFixed(1)} s; ` +
				(insights.risk.trained
					? `risk model trained, ${insights.risk.scored.toLocaleString('en')} customers scored in ${insights.riskSeconds.toFixed(1)} s`
					: `risk model not trained (${insights.risk.reason}: ${insights.risk.detail})`)
		);
		// Seeding (here, or the requests answered meanwhile) and the insights raised V8's old-generation limit; a full
		// collection now sets it from what is live, so the server does not keep heap it no longer needs
		// (bench/memory.js).
		collectGarbage();
	};

	const runSimulator = async (): Promise<void> => {
		const stream = createLiveStream({ seed, ratePerMinute });
		const incident = env.RESONANCE_DEMO_INCIDENT === '1';
		const running = startSimulator({
			produce: (now, on) => stream.next(now, on),
			target: simulatorUrl,
			writeKey: await simulatorKey(storage),
			incident
		});
		// The incident switch is shared by every process (demo/incident.ts): set at start when asked, then followed.
		if (incident) await switchIncident(storage, true, 'RESONANCE_DEMO_INCIDENT');
		const follow = followIncidentSwitch(storage, running);
		await follow.ready;
		simulator = running;
		console.log(`[resonance] demo: live simulator sending ~${ratePerMinute} events/min to ${simulatorUrl}`);
		// Holds the simulator's lock for the life of the process (or until stopDemo).
		await new Promise<void>((resolve) => (releaseSimulator = resolve));
		follow.stop();
	};

	let seeded!: () => void;
	seedDone = new Promise<void>((resolve) => (seeded = resolve));
	void (async () => {
		try {
			// Once across processes: the process that takes the lock seeds; the others wait until it is done.
			while (!(await runExclusive(storage, 'demo-seed', seedIfEmpty)).ran) {
				status.phase = 'seeding';
				await sleep(SEED_WAIT_MS);
				if (stopped) return;
			}
			seeded();
			status.percent = 100;
			status.phase = 'live';
			let told = false;
			while (!stopped) {
				if (!(await runExclusive(storage, SIMULATOR_JOB, runSimulator)).ran) {
					if (!told) console.log('[resonance] demo: the live simulator runs in another server process');
					told = true;
				}
				if (stopped) return;
				await sleep(SIMULATOR_RETRY_MS);
			}
		} catch (error) {
			status.phase = 'failed';
			console.error('[resonance] demo failed:', error);
		} finally {
			seeded();
		}
	})();
}

let seedDone: Promise<void> = Promise.resolve();

/**
 * Settles when the demo's history is in (seeded, found, or the demo failed or stopped; at once without a demo). The
 * server's text and risk jobs start after it: a SQLite seed indexes the texts and trains the model in its own
 * process, which nothing else may do at the same time.
 */
export function demoSeeded(): Promise<void> {
	return seedDone;
}
