import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { textStores, type StateKey, type TextStore } from './store';

export type { StateKey };

/** The text module's store for a database (store.ts), whichever engine. */
export function textStore(target: Db | Storage): TextStore {
	return byEngine(asStorage(target), textStores);
}

export async function readState<T>(target: Db | Storage, key: StateKey, fallback: T): Promise<T> {
	const value = await textStore(target).readState(key);
	return value === undefined ? fallback : (JSON.parse(value) as T);
}

export async function writeState(target: Db | Storage, key: StateKey, value: unknown): Promise<void> {
	await textStore(target).writeState(key, value);
}
