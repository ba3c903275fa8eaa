import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { postgresAlertStore } from './postgres';
import { sqliteAlertStore } from './sqlite';
import type { AlertStore } from './store-api';

const alertStores = { sqlite: sqliteAlertStore, postgres: postgresAlertStore };

/** The alerts store of a database, for its engine (db/storage.ts). */
export function alertStore(target: Db | Storage): AlertStore {
	return byEngine(asStorage(target), alertStores);
}
