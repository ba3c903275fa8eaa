import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import type { JourneyCatalog, DefinitionRow } from './catalog';
import type { JourneyDefinition } from './definitions';
import type { AffectedRaw } from './drill';
import type { Answer, AnswerCount } from './gap';
import type { GroupRaw } from './groups';
import type { JourneyQuery } from './query';
import type { EventNameMapping, EventNameVolume } from './registry';
import type { Selector } from './breakpoints';
import type { CustomerTimeline, TimelineEventRow, TimelineInstanceRow } from './timeline';
import { sqliteJourneyStore } from './sqlite';
import { postgresJourneyStore } from './postgres';

/** Funnel lines (`funnelText`): `lines` of them in `text`, separated by '\n'. */
export interface FunnelText {
	lines: number;
	text: string;
}

/**
 * The storage of the journey registry and of the journey analyses (read side), one implementation per engine
 * (db/storage.ts): SQLite keeps its prepared statements, PostgreSQL says the same in its dialect. Stitching
 * (stitch.ts) writes the instances these read.
 */
export interface JourneyStore {
	/** Inserts the missing default journeys; the number inserted. */
	insertDefaults(defaults: readonly JourneyDefinition[], now: number): Promise<number>;
	/** Every definition, built-in first. */
	definitions(): Promise<DefinitionRow[]>;
	definition(key: string): Promise<DefinitionRow | undefined>;
	/** Creates, or replaces and bumps the version of, a definition (built_in 0 when created). */
	upsertDefinition(d: JourneyDefinition, actor: string | null, now: number): Promise<void>;
	mappings(): Promise<EventNameMapping[]>;
	upsertMapping(
		mapping: { eventName: string; journeyKey: string; stepEvent: string },
		actor: string | null,
		now: number
	): Promise<void>;
	/** Rows deleted. */
	deleteMapping(eventName: string, journeyKey: string): Promise<number>;
	/** Journey event names by volume, most first. */
	eventNames(): Promise<Omit<EventNameVolume, 'steps'>[]>;
	/** The enabled journeys compiled (SQLite caches it per database; PostgreSQL compiles it per call). */
	catalog(): Promise<JourneyCatalog>;
	/**
	 * `customer_key;depth;status code;group;step_offsets` of the instances of a query, in start order, a string each
	 * (the read of the reference funnel, funnel-reference.ts; funnel.ts reads `funnelText`).
	 */
	funnelLines(
		journeyKey: string,
		q: JourneyQuery,
		now: number,
		by: 'segment' | 'channel' | null
	): Promise<string[]>;
	/**
	 * The same lines joined by '\n', one text per window of `windowMs` of start times (default FUNNEL_WINDOW_MS, sqlite.ts), in
	 * start order, with its number of lines; windows without instances are left out.
	 */
	funnelText(
		journeyKey: string,
		q: JourneyQuery,
		now: number,
		by: 'segment' | 'channel' | null,
		windowMs?: number
	): Promise<FunnelText[]>;
	/**
	 * Instances grouped by shape, depth and status as read at `now`, with their score counts: from the day rollup
	 * over whole days (path-days.ts); `scan`: from the instances alone (the reference the tests compare with).
	 */
	instanceGroups(
		journeyKey: string,
		q: JourneyQuery,
		now: number,
		options?: { scan?: boolean }
	): Promise<GroupRaw[]>;
	/**
	 * The NPS/CSAT answers linked to the instances of a query: from `journey_gap_answers` (an answer linked to two
	 * instances of the range comes twice); `scan`: the distinct answers from the links and the events (the reference
	 * the tests compare with).
	 */
	gapAnswers(
		journeyKey: string,
		q: JourneyQuery,
		options?: { scan?: boolean; seqs?: readonly number[] }
	): Promise<Answer[]>;
	/**
	 * The rows of `journey_gap_answers` in a query's range counted by what the gap reads (an answer linked to two
	 * instances of the range counts twice here), and the seqs of those rows, in which gap.ts finds such answers.
	 */
	gapAnswerCounts(journeyKey: string, q: JourneyQuery): Promise<{ counts: AnswerCount[]; seqs: number[] }>;
	affected(
		journeyKey: string,
		q: JourneyQuery,
		selector: Selector,
		page: { now: number; limit: number; offset: number; teams: readonly string[] | null }
	): Promise<{ total: number; rows: AffectedRaw[] }>;
	timelineCustomer(customerId: string): Promise<CustomerTimeline['customer'] | undefined>;
	/** A customer's newest `limit` journey step events (`journey`) or other records, newest first. */
	timelineEvents(customerId: string, journey: boolean, limit: number): Promise<TimelineEventRow[]>;
	timelineInstances(customerId: string): Promise<TimelineInstanceRow[]>;
	timelineLinks(instanceIds: readonly number[]): Promise<{ instanceId: number; seq: number }[]>;
}

export const journeyStores: { sqlite: (db: Db) => JourneyStore; postgres: (db: PgDb) => JourneyStore } = {
	sqlite: sqliteJourneyStore,
	postgres: postgresJourneyStore
};
