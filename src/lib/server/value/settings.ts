import type { Db } from '$lib/server/db';
import type { ValueSettingsRow } from '$lib/server/db/schema';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { audit } from '$lib/server/auth/audit';
import { chinaMidnight, CHINA_OFFSET_MS } from '$lib/server/metrics/time';
import { DEFAULT_RATES, parseSettings, ratesOf, type Rates } from './rates';
import { postgresValueStore } from './postgres';
import { sqliteValueStore } from './sqlite';
import type { ValueStore } from './store';

/**
 * Versions of the ledger's rates with effective days: a version applies from China midnight of its day until the
 * next version's day; before the first version the defaults (rates.ts) apply. A change therefore never rewrites the
 * months before its day; a second change for the same day replaces the first.
 */

export const valueStore = (target: Db | Storage): ValueStore =>
	byEngine(asStorage(target), { sqlite: sqliteValueStore, postgres: postgresValueStore });

export interface RateVersion {
	/** YYYY-MM-DD (China time); null for the built-in defaults. */
	effectiveFrom: string | null;
	/** Epoch ms of that day's China midnight (−∞ for the defaults: 0 in JSON is avoided by using null above). */
	fromMs: number;
	rates: Rates;
	updatedAt: string | null;
	updatedBy: string | null;
}

export interface ValueSettingsAnswer {
	/** The version in force now. */
	current: RateVersion;
	/** Every stored version, newest effective day first (the defaults are not listed). */
	history: RateVersion[];
	defaults: Rates;
}

export const dayText = (ms: number) => new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
export const dayStart = (day: string) => Date.parse(`${day}T00:00:00+08:00`);

function version(row: ValueSettingsRow): RateVersion {
	return {
		effectiveFrom: dayText(row.effectiveFrom),
		fromMs: row.effectiveFrom,
		rates: ratesOf(row.rates),
		updatedAt: new Date(row.updatedAt).toISOString(),
		updatedBy: row.updatedBy
	};
}

const DEFAULT_VERSION: RateVersion = {
	effectiveFrom: null,
	fromMs: Number.NEGATIVE_INFINITY,
	rates: DEFAULT_RATES,
	updatedAt: null,
	updatedBy: null
};

/** The versions in force over time, oldest first, the defaults first. */
export async function rateVersions(target: Db | Storage): Promise<RateVersion[]> {
	return [DEFAULT_VERSION, ...(await valueStore(target).versions()).map(version)];
}

/** The version in force at an instant. */
export function versionAt(versions: readonly RateVersion[], ts: number): RateVersion {
	let found = versions[0] ?? DEFAULT_VERSION;
	for (const v of versions) if (v.fromMs <= ts) found = v;
	return found;
}

/** [from, to) cut where a new version takes effect: each piece priced by one version. */
export function ratePeriods(
	versions: readonly RateVersion[],
	from: number,
	to: number
): { from: number; to: number; version: RateVersion }[] {
	const cuts = versions.map((v) => v.fromMs).filter((ms) => ms > from && ms < to);
	const edges = [from, ...cuts, to];
	return edges.slice(0, -1).map((a, i) => ({ from: a, to: edges[i + 1], version: versionAt(versions, a) }));
}

export async function getValueSettings(target: Db | Storage, now = Date.now()): Promise<ValueSettingsAnswer> {
	const versions = await rateVersions(target);
	const current = versionAt(versions, now);
	return {
		current: jsonVersion(current),
		history: versions
			.filter((v) => v.effectiveFrom !== null)
			.reverse()
			.map(jsonVersion),
		defaults: DEFAULT_RATES
	};
}

/** A version as JSON answers it (no ±∞). */
function jsonVersion(v: RateVersion): RateVersion {
	return { ...v, fromMs: Number.isFinite(v.fromMs) ? v.fromMs : 0 };
}

export interface ValueSettingsActor {
	id: string | null;
	email: string | null;
	ip: string | null;
}

/**
 * Validates and stores a version (ValueSettingsError naming the field otherwise), effective from the body's
 * `effectiveFrom` day or today, and audits it with the change against the version it replaces in force that day.
 */
export async function putValueSettings(
	target: Db | Storage,
	body: unknown,
	actor: ValueSettingsActor,
	now = Date.now()
): Promise<ValueSettingsAnswer> {
	const { rates, effectiveFrom } = parseSettings(body);
	const day = effectiveFrom ? dayStart(effectiveFrom) : chinaMidnight(now);
	const before = versionAt(await rateVersions(target), day);
	const stored = await valueStore(target).putVersion({
		effectiveFrom: day,
		rates: rates as unknown as Record<string, unknown>,
		updatedAt: now,
		updatedBy: actor.email
	});
	await audit(target, {
		action: 'settings.changed',
		actor: { id: actor.id, email: actor.email },
		target: 'value_settings',
		ip: actor.ip,
		ts: now,
		details: { effectiveFrom: dayText(stored.effectiveFrom), before: before.rates, after: rates }
	});
	return getValueSettings(target, now);
}
