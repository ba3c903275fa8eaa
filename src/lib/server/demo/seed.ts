/**
 * Seeds the demo into an empty database: the directory (teams and agents with their names, queue and reason
 * labels), then the generated history streamed in chunks (through the ordinary event writer on SQLite, in bulk on
 * PostgreSQL: history-postgres.ts), yielding to the event loop between chunks so a server seeding in the background
 * still answers.
 */
import { EVENT_TYPES, type CxEvent, type EventType } from '$lib/model';
import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { redactEvents } from '$lib/server/ingest/pipeline';
import { rebuildRollups } from '$lib/server/metrics/rollups';
import { restitchAll } from '$lib/server/journeys/stitch';
import { demoStores } from './store';
import { AGENTS, QUEUES, REASONS, TEAMS } from './catalog';
import { DEMO_OUTREACH, estimateHistoryEvents, generateHistory, type OutreachPlan } from './generator';
import { reserveDemoAudienceId, storeDemoAudience } from './outreach';
import { DAY_MS, chinaDate } from './simulation';

export interface SeedProgress {
	/** Events written so far. */
	done: number;
	/** Events expected in all (an estimate until the end, when it equals `done`). */
	total: number;
	/** 0–100, whole numbers; 100 only once everything is written. */
	percent: number;
	/** The China-local day (YYYY-MM-DD) just written. */
	day: string;
}

export interface SeedOptions {
	seed: number;
	/** Days of history (default 90). */
	days?: number;
	/** The end of the history, epoch ms (default now). */
	now?: number;
	/** Volume multiplier (default 1 ≈ 9,450 events a day). */
	scale?: number;
	/** Events per write transaction (default 8,000). */
	chunkSize?: number;
	onProgress?: (progress: SeedProgress) => void;
	/** Called as each phase ends (a bench reads the CPU used so far there). */
	onPhase?: (phase: SeedPhase) => void;
}

/** The seed's phases, in order: the history generated and written, then what is derived from it in bulk. */
export type SeedPhase = 'history' | 'chains' | 'rollups' | 'journeys' | 'audience';

export interface SeedResult {
	/** True when the database already held events and nothing was written. */
	skipped: boolean;
	events: number;
	byType: Record<EventType, number>;
	teams: number;
	agents: number;
	days: number;
	/** Wall-clock seconds the seeding took. */
	seconds: number;
	/** Of which writing the events and customers (the store's history writer, sentiment scoring included). */
	writeSeconds: number;
	/** Of which deriving rollups and journey instances in bulk at the end. */
	deriveSeconds: number;
	/** Of which recomputing the contact chains (flags and links of the stored events). */
	chainSeconds: number;
	/** Of which rebuilding the rollup cells. */
	rollupSeconds: number;
	/** Of which re-stitching the journey instances. */
	journeySeconds: number;
	/** The demo's finished outreach audience (generator.ts DEMO_OUTREACH), when the history is long enough. */
	audienceId?: number;
}

export async function isDatabaseEmpty(db: Db | Storage): Promise<boolean> {
	return !(await byEngine(asStorage(db), demoStores).hasEvents());
}

/** Writes the center's teams and agents (with names) and the labels of queues and reasons; safe to repeat. */
export async function seedDirectory(
	db: Db | Storage,
	firstSeen: number
): Promise<{ teams: number; agents: number }> {
	await byEngine(asStorage(db), demoStores).writeDirectory({
		teams: TEAMS.map((t) => ({ id: t.id, name: t.zh, nameEn: t.en, site: t.site, firstSeen })),
		agents: AGENTS.map((a) => ({ id: a.id, name: a.name, teamId: a.teamId, firstSeen })),
		dimensions: [
			...QUEUES.map((q) => ({ dimension: 'queue', value: q.id, label: q.zh, labelEn: q.en, firstSeen })),
			...REASONS.map((r) => ({ dimension: 'reason', value: r.id, label: r.zh, labelEn: r.en, firstSeen }))
		]
	});
	return { teams: TEAMS.length, agents: AGENTS.length };
}

function nextTick(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Seeds the demo history when the events table is empty (otherwise returns `skipped`), on either engine. Events go
 * through the store's history writer (demo/store.ts) without de-duplication: their ids are unique by construction.
 */
export async function seedDemo(db: Db | Storage, options: SeedOptions): Promise<SeedResult> {
	const started = performance.now();
	const days = options.days ?? 90;
	const scale = options.scale ?? 1;
	const end = options.now ?? Date.now();
	const byType = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
	const result: SeedResult = {
		skipped: true,
		events: 0,
		byType,
		teams: 0,
		agents: 0,
		days,
		seconds: 0,
		writeSeconds: 0,
		deriveSeconds: 0,
		chainSeconds: 0,
		rollupSeconds: 0,
		journeySeconds: 0
	};
	if (!(await isDatabaseEmpty(db))) return result;

	result.skipped = false;
	Object.assign(result, await seedDirectory(db, end - days * DAY_MS));
	const chunkSize = options.chunkSize ?? 8_000;
	const history = byEngine(asStorage(db), demoStores).historyWriter();
	let total = estimateHistoryEvents(days, scale);
	let pending: CxEvent[] = [];

	const flush = async (day: string) => {
		// The history skips HTTP but not the privacy step: free text is redacted exactly as ingestion does.
		redactEvents(pending.map((event) => ({ event })));
		const writing = performance.now();
		await history.write(pending);
		result.writeSeconds += (performance.now() - writing) / 1000;
		result.events += pending.length;
		for (const e of pending) byType[e.type]++;
		pending = [];
		// Keep the estimate ahead of the count so the percentage never reaches 100 early.
		total = Math.max(total, Math.ceil(result.events * 1.02));
		options.onProgress?.({
			done: result.events,
			total,
			percent: Math.min(99, Math.floor((100 * result.events) / total)),
			day
		});
		await nextTick();
	};

	let lastDay = '';
	let outreach: OutreachPlan | undefined;
	const onOutreach = (plan: OutreachPlan) => (outreach = plan);
	// The audience's id is known before the history splits its members and tags its call-backs with it.
	const audienceId = days >= DEMO_OUTREACH.minDays ? await reserveDemoAudienceId(db) : undefined;
	for (const dayEvents of generateHistory({ seed: options.seed, days, end, scale, onOutreach, audienceId })) {
		lastDay = chinaDate(dayEvents[0].ts);
		for (const e of dayEvents) {
			pending.push(e);
			if (pending.length >= chunkSize) await flush(lastDay);
		}
	}
	if (pending.length > 0) await flush(lastDay);
	history.finish();
	options.onPhase?.('history');
	// A whole history is derived faster in bulk than event by event: rollups and journey instances once, here.
	const derivedFrom = performance.now();
	let chainsDone = derivedFrom;
	await rebuildRollups(db, {
		onChainsDone: () => {
			chainsDone = performance.now();
			options.onPhase?.('chains');
		}
	});
	options.onPhase?.('rollups');
	const stitchedFrom = performance.now();
	result.chainSeconds = (chainsDone - derivedFrom) / 1000;
	result.rollupSeconds = (stitchedFrom - chainsDone) / 1000;
	await restitchAll(db, { recountNames: true });
	result.journeySeconds = (performance.now() - stitchedFrom) / 1000;
	options.onPhase?.('journeys');
	// The finished outreach audience the history called back (histories of five weeks or more).
	if (outreach) result.audienceId = (await storeDemoAudience(db, outreach)).id;
	await byEngine(asStorage(db), demoStores).refreshStatistics();
	options.onPhase?.('audience');
	result.deriveSeconds = (performance.now() - derivedFrom) / 1000;
	result.seconds = (performance.now() - started) / 1000;
	options.onProgress?.({ done: result.events, total: result.events, percent: 100, day: lastDay });
	return result;
}
