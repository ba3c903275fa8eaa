import type { PgDb } from '$lib/server/db/postgres';
import { postgresStorage, type Storage } from '$lib/server/db/storage';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { postgresBroadcast } from './broadcast';
import { createRelay, type Relay } from './relay';

/** Two server processes on one PostgreSQL database, each with its pool and its relay listening on the channel. */
export interface TwoProcesses {
	pg: TestPostgres;
	/** Process B's pool. */
	other: PgDb;
	a: Storage;
	b: Storage;
	relayA: Relay;
	relayB: Relay;
	/** Detaches both relays, closes their broadcasts and both pools, and drops the database. */
	close(): Promise<void>;
}

/**
 * A fresh database with two "processes" on it: A is the test's pool, B another pool named `resonance-b`. A's
 * relay is `relayA` when given (the process relay, as startLive attaches it), a new one otherwise.
 */
export async function twoProcessesOnPostgres(options: { relayA?: Relay } = {}): Promise<TwoProcesses> {
	const pg = await testPostgres();
	const other = await pg.another({ pool: 3, applicationName: 'resonance-b' });
	const relayA = options.relayA ?? createRelay();
	const relayB = createRelay();
	const broadcasts = [postgresBroadcast(pg.db), postgresBroadcast(other)];
	await relayA.attach(broadcasts[0]);
	await relayB.attach(broadcasts[1]);
	return {
		pg,
		other,
		a: postgresStorage(pg.db),
		b: postgresStorage(other),
		relayA,
		relayB,
		async close() {
			for (const relay of [relayA, relayB]) await relay.detach();
			for (const broadcast of broadcasts) await broadcast.close();
			await pg.close();
		}
	};
}
