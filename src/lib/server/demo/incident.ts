import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { readOpsStatus, writeOpsStatus } from '$lib/server/db/ops-status';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { relay as processRelay, type Relay } from '$lib/server/live/relay';
import type { Simulator } from './simulator';

/**
 * The live demo's incident switch across server processes (issue 17). The switch is kept in the database
 * (db/ops-status.ts `demo.incident`: on or off, since when, by whom), so every process shows the same; pressing it
 * on any process writes it there and says so over the relay (topic `demo.incident`, LISTEN/NOTIFY on PostgreSQL),
 * and the process running the simulator — whichever it is — reads it back and applies it. A process that lost the
 * channel for a while reads it again when the relay resyncs; one that takes the simulator over starts from it.
 */
export interface IncidentSwitch {
	on: boolean;
	/** When it was last switched (epoch ms); null when it never was. */
	since: number | null;
	/** Who switched it (a user's email, or `RESONANCE_DEMO_INCIDENT` at start); null when nobody did. */
	by: string | null;
}

const KEY = 'demo.incident';
export const INCIDENT_TOPIC = 'demo.incident';
const OFF: IncidentSwitch = { on: false, since: null, by: null };

/** The incident switch as every process sees it. */
export async function incidentSwitch(target: Db | Storage): Promise<IncidentSwitch> {
	const stored = await readOpsStatus<IncidentSwitch>(asStorage(target), KEY);
	return stored ? { on: stored.on === true, since: stored.since ?? null, by: stored.by ?? null } : OFF;
}

/**
 * Switches the outage on or off for every process: recorded, then announced (the simulator's process applies it;
 * when that is this process, at once). Switching it to the state it is in changes nothing, `since` included.
 */
export async function switchIncident(
	target: Db | Storage,
	on: boolean,
	by: string,
	options: { now?: number; relay?: Relay } = {}
): Promise<IncidentSwitch> {
	const storage = asStorage(target);
	const current = await incidentSwitch(storage);
	if (current.on === on) return current;
	const next: IncidentSwitch = { on, since: options.now ?? Date.now(), by };
	await writeOpsStatus(storage, KEY, next, next.since ?? undefined);
	await (options.relay ?? processRelay()).invalidate(INCIDENT_TOPIC, on ? 'on' : 'off');
	return next;
}

/**
 * In the process running the simulator: applies the switch now and whenever any process changes it (or the relay
 * resyncs). Reads it from the database each time, and applies only the latest read. Returns the unsubscribe.
 */
export function followIncidentSwitch(
	target: Db | Storage,
	simulator: Pick<Simulator, 'setIncident'>,
	relay: Relay = processRelay()
): { ready: Promise<void>; stop: () => void } {
	const storage = asStorage(target);
	let reads = 0;
	let stopped = false;
	const apply = async () => {
		const mine = ++reads;
		const state = await incidentSwitch(storage);
		if (mine === reads && !stopped) simulator.setIncident(state.on);
	};
	const unsubscribe = relay.onInvalidate(INCIDENT_TOPIC, () => {
		apply().catch((error) => console.error('[resonance] demo: reading the incident switch failed', error));
	});
	return {
		ready: apply(),
		stop: () => {
			stopped = true;
			unsubscribe();
		}
	};
}

/** The job name the simulator's process holds (demo/run.ts, db/jobs.ts). */
export const SIMULATOR_JOB = 'demo-simulator';

/**
 * Whether a live simulator runs in some process: this one's (`here`), or on PostgreSQL another's, seen by the
 * advisory lock it holds for its life (db/jobs.ts takes it; a bigint key is classid (high 32 bits) and objid).
 */
export async function simulatorRunning(target: Db | Storage, here: boolean): Promise<boolean> {
	if (here) return true;
	return byEngine(asStorage(target), runningStores).elsewhere();
}

const runningStores = {
	// One server process owns a SQLite file: no simulator elsewhere.
	sqlite: () => ({ elsewhere: async () => false }),
	postgres: (db: PgDb) => ({
		async elsewhere() {
			const [row] = await db.$client.unsafe(
				`SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
				   WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND d.datname = current_database()
				     AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('resonance job ' || $1, 0)
				 ) AS held`,
				[SIMULATOR_JOB]
			);
			return row?.held === true;
		}
	})
};
