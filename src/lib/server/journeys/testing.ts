/**
 * Test fixtures for journey analytics: a real in-memory database (migrations applied), events written through
 * the ingestion writer and stitched as the writer's transaction does. Not imported by application code.
 */
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { createRandom, type Random } from '$lib/server/demo/random';
import { writeEvents } from '$lib/server/ingest/writer';
import type { JourneyDefinitionInput } from './definitions';
import { ensureDefaultJourneysSync, validJourney } from './registry';
import { upsertDefinitionSync } from './sqlite';
import { stitchJourneys, type StitchInput } from './stitch';

export const T0 = Date.UTC(2025, 0, 6, 2, 0, 0);
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** a → b → (c_ok | c_no) → d; d succeeds, c_no fails; a 10-day window. */
export const FIXTURE_JOURNEY: JourneyDefinitionInput = {
	key: 'fixture',
	name: { zh: '测试旅程', en: 'Fixture journey' },
	steps: [{ events: ['a'] }, { events: ['b'] }, { events: ['c_ok', 'c_no'] }, { events: ['d'] }],
	labels: {},
	success: [{ event: 'd' }],
	failure: [{ event: 'c_no' }],
	windowHours: 240
};

export function fixtureDb(journeys: JourneyDefinitionInput[] = [FIXTURE_JOURNEY]): Db {
	const db = openDatabase(':memory:');
	ensureDefaultJourneysSync(db, T0);
	// Synchronously, as `saveJourney` stores a definition (the fixtures are built on SQLite, then mirrored).
	for (const j of journeys) upsertDefinitionSync(db, validJourney(j), 'test', T0);
	return db;
}

let counter = 0;

type EventSpec = Partial<CxEvent> & Pick<CxEvent, 'customerId' | 'ts'>;

/** A journey step event. */
export function step(
	customerId: string,
	name: string,
	ts: number,
	channel: CxEvent['channel'] = 'app',
	extra: Partial<CxEvent> = {}
): CxEvent {
	return event({ customerId, ts, type: 'journey', name, channel, ...extra });
}

export function event(spec: EventSpec): CxEvent {
	counter++;
	return { id: `e${String(counter).padStart(7, '0')}`, type: 'journey', properties: {}, ...spec };
}

export function contact(
	customerId: string,
	ts: number,
	channel: CxEvent['channel'] = 'phone',
	extra: Partial<CxEvent> = {}
): CxEvent {
	return event({
		customerId,
		ts,
		type: 'contact',
		channel,
		outcome: 'resolved',
		handledBy: 'agent',
		...extra
	});
}

export function survey(
	customerId: string,
	ts: number,
	metric: 'nps' | 'csat',
	score: number,
	extra: Partial<CxEvent> = {}
): CxEvent {
	return event({ customerId, ts, type: 'feedback', metric, score, channel: 'app', ...extra });
}

/**
 * Writes events with the ingestion writer, then stitches them with their seqs as the writer does (one batch), at a
 * fixed `now` (the writer's own stitching, which uses the clock, is turned off here).
 */
export function ingest(db: Db, events: readonly CxEvent[], now = T0 + 2 * DAY): void {
	writeEvents(db, events, { sourceId: null, dedupe: false, receivedAt: now, derive: false });
	const seqOf = db.$client.prepare('SELECT seq FROM events WHERE id = ?').pluck();
	const inserted: StitchInput[] = events.map((e) => ({ ...e, seq: seqOf.get(e.id) as number }));
	db.$client.transaction(() => stitchJourneys(db, inserted, { now }))();
}

/**
 * Writes events the way ingestion does: rollups and stitching inside the writer's transaction (customers the write
 * creates are stitched from the batch alone, without reading back).
 */
export function ingestWired(db: Db, events: readonly CxEvent[], now = T0 + 2 * DAY): void {
	writeEvents(db, events, { sourceId: null, dedupe: false, receivedAt: now });
}

/** The stored instances in a stable order, with seqs replaced by event ids (to compare two ways of stitching). */
export function instanceSnapshot(db: Db): Record<string, unknown>[] {
	const idOf = db.$client.prepare('SELECT id FROM events WHERE seq = ?').pluck();
	const ids = (seqs: number[]) => seqs.map((seq) => idOf.get(seq) as string);
	const rows = db.$client
		.prepare(
			`SELECT i.*, s.path, s.switches FROM journey_instances i JOIN journey_shapes s ON s.id = i.shape_id
			 ORDER BY i.customer_id, i.journey_key, i.started_at`
		)
		.all() as ({ id: number; start_seq: number; step_seqs: string; shape_id: number } & Record<
		string,
		unknown
	>)[];
	const linked = db.$client.prepare('SELECT seq FROM journey_interactions WHERE instance_id = ?').pluck();
	return rows.map(({ id, start_seq, step_seqs, shape_id: _shape, ...rest }) => ({
		...rest,
		start: idOf.get(start_seq),
		steps: ids(JSON.parse(step_seqs) as number[]),
		linked: ids(linked.all(id) as number[]).sort()
	}));
}

/** What a summary-table test adds to each customer's walk (its draws come from the walk's own random stream). */
export interface FixtureWalk {
	/** After each step past the first: contacts, answers. */
	afterStep(r: Random, id: string, t: number, events: CxEvent[]): void;
	/** After the walk and its closing answer: a second journey. */
	afterJourney(r: Random, id: string, t: number, channel: CxEvent['channel'], events: CxEvent[]): void;
}

const WALK_SEGMENTS = ['mass', 'affluent', 'private'] as const;
const WALK_CHANNELS = ['app', 'chat', 'phone'] as const;

/**
 * 160 customers (ids `prefix` + n) over 12 days through a → b → (c_ok | c_no) → d of FIXTURE_JOURNEY, with drops,
 * channel switches, a closing answer for half of them and what `walk` adds, then ingested in two batches (some
 * events late, after the ones that follow them). The history the journeys' summary tables (path days, gap answers)
 * are checked on against the scans they replace.
 */
export function walkedFixture(seed: number, prefix: string, walk: FixtureWalk): Db {
	const r = createRandom(seed);
	const early: CxEvent[] = [];
	const late: CxEvent[] = [];
	for (let c = 0; c < 160; c++) {
		const id = `${prefix}${c}`;
		const segment = WALK_SEGMENTS[r.int(0, 2)];
		let t = T0 - 10 * DAY + Math.floor(r.next() * 12 * DAY);
		const events: CxEvent[] = [];
		const channel = WALK_CHANNELS[r.int(0, 2)];
		early.push(event({ customerId: id, ts: t - HOUR, type: 'identify', traits: { segment } }));
		events.push(step(id, 'a', t, channel));
		for (const name of ['b', r.bernoulli(0.3) ? 'c_no' : 'c_ok', 'd']) {
			if (r.bernoulli(0.25)) break;
			t += Math.floor(r.next() * 20 * HOUR);
			events.push(step(id, name, t, r.bernoulli(0.2) ? 'phone' : channel));
			walk.afterStep(r, id, t, events);
			if (name === 'c_no') break;
		}
		if (r.bernoulli(0.5))
			events.push(
				survey(id, t + HOUR, r.bernoulli(0.5) ? 'nps' : 'csat', r.int(0, 5), {
					journey: r.bernoulli(0.5) ? 'fixture' : undefined
				})
			);
		walk.afterJourney(r, id, t, channel, events);
		for (const e of events) (r.bernoulli(0.15) ? late : early).push(e);
	}
	const db = fixtureDb();
	ingest(db, early, T0 + 2 * DAY);
	ingest(db, late, T0 + 2 * DAY + HOUR);
	return db;
}

/**
 * A summary table as stored (`stored`, a SELECT) against the same rows recomputed from what it summarises
 * (`recomputed`), read as raw rows on either engine (PostgreSQL's bigints as numbers): [stored, recomputed].
 */
export async function storedVsRecomputed(
	storage: Storage,
	stored: string,
	recomputed: string
): Promise<[unknown[], unknown[]]> {
	const read = async (text: string): Promise<unknown[]> =>
		storage.engine === 'sqlite'
			? (storage.db.$client.prepare(text).raw().all() as unknown[][])
			: ((await storage.db.$client.unsafe(text).values()) as unknown[][]).map((row) =>
					row.map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v))
				);
	return [await read(stored), await read(recomputed)];
}
