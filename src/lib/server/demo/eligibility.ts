import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { demoStores } from './store';

type Env = Record<string, string | undefined>;

/** The sources the demo itself makes: its live simulator, and the write key the environment names. */
export const DEMO_OWN_SOURCES = ['Demo live simulator', 'RESONANCE_WRITE_KEY'] as const;

export interface DemoDecision {
	on: boolean;
	/** Why the demo stays off although asked for (printed at start), or null. */
	refusal: string | null;
	/** Sources in the database that are not the demo's. */
	otherSources: string[];
}

/** Whether RESONANCE_DEMO asks for the demo (`1`, `true`) or insists on it (`force`). */
export function demoRequested(env: Env): 'no' | 'yes' | 'force' {
	const value = (env.RESONANCE_DEMO ?? '').trim().toLowerCase();
	if (value === 'force') return 'force';
	return value === '1' || value === 'true' ? 'yes' : 'no';
}

/**
 * The demo (its seeded history, its simulator and its accounts with published passwords) runs only in a database of
 * its own: one whose only sources are the demo's. A database holding other sources (real data, or a bank's trial)
 * keeps the demo off, with a message saying why and how to force it (`RESONANCE_DEMO=force`).
 */
export async function decideDemo(db: Db | Storage, env: Env): Promise<DemoDecision> {
	const asked = demoRequested(env);
	const otherSources = await foreignSources(db);
	if (asked === 'no') return { on: false, refusal: null, otherSources };
	if (asked === 'force' || otherSources.length === 0) return { on: true, refusal: null, otherSources };
	const names = otherSources.slice(0, 5).join(', ') + (otherSources.length > 5 ? ', …' : '');
	return {
		on: false,
		otherSources,
		refusal:
			`demo off: this database holds sources other than the demo's (${names}), and the demo's accounts have ` +
			'published passwords. Point DATABASE_URL at a new file for a demo, or set RESONANCE_DEMO=force to turn ' +
			'it on in this database anyway.'
	};
}

/**
 * Sources that are not the demo's. The environment's write key (RESONANCE_WRITE_KEY) counts as the demo's only
 * while no event came through it: once it carried data, the database is no longer a demo.
 */
export async function foreignSources(db: Db | Storage): Promise<string[]> {
	const rows = await byEngine(asStorage(db), demoStores).sources();
	return rows
		.filter((s) => {
			if (s.name === DEMO_OWN_SOURCES[0]) return false;
			if (s.name !== DEMO_OWN_SOURCES[1]) return true;
			return s.hasEvents;
		})
		.map((s) => s.name);
}
