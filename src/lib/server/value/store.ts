import type { ValueSettingsRow } from '$lib/server/db/schema';

/**
 * The value ledger's storage, one implementation per engine (sqlite.ts, postgres.ts; chosen once with `byEngine`):
 * the versions of the rates. Everything else the ledger reads from the metrics rollups, journey instances, outreach
 * results and follow-up cases through their modules.
 */
export interface ValueStore {
	/** Every version, oldest effective day first. */
	versions(): Promise<ValueSettingsRow[]>;
	/** Inserts a version, or replaces the one with the same effective day. Returns the stored row. */
	putVersion(row: Omit<ValueSettingsRow, 'id'>): Promise<ValueSettingsRow>;
}
