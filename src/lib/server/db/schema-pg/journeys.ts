// Derived from ../schema/journeys.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { sql } from 'drizzle-orm';
import { bigint, doublePrecision, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { flag, jsonText } from './column-types';

export const journeyDefinitions = pgTable('journey_definitions', {
	key: text('key').primaryKey(),
	name: text('name').notNull(),
	nameEn: text('name_en').notNull(),
	definition: jsonText('definition').$type<Record<string, unknown>>().notNull(),
	builtIn: flag('built_in')
		.notNull()
		.default(sql`0`),
	enabled: flag('enabled')
		.notNull()
		.default(sql`1`),
	/** Bumped on every edit; instances record the version they were stitched with. */
	version: bigint('version', { mode: 'number' }).notNull().default(1),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
	updatedBy: text('updated_by')
});

/** An incoming event name mapped by an admin to a step event of a journey (e.g. `LoanApproved` → `approved`). */
export const journeyEventMappings = pgTable(
	'journey_event_mappings',
	{
		eventName: text('event_name').notNull(),
		journeyKey: text('journey_key').notNull(),
		stepEvent: text('step_event').notNull(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull(),
		createdBy: text('created_by')
	},
	(t) => [primaryKey({ columns: [t.eventName, t.journeyKey] })]
);

/** Volume of every journey event name seen at ingest, so an admin sees unmapped names by volume without a scan. */
export const journeyEventNames = pgTable('journey_event_names', {
	name: text('name').primaryKey(),
	events: bigint('events', { mode: 'number' }).notNull(),
	firstSeen: bigint('first_seen', { mode: 'number' }).notNull(),
	lastSeen: bigint('last_seen', { mode: 'number' }).notNull()
});

/**
 * One customer's pass through one journey, stitched at ingest from the journey step events and kept up to date
 * as late or out-of-order events arrive. Times are epoch ms. `status` is stored as of the last stitch; an
 * `in_progress` instance whose `deadline` has passed reads as abandoned (evaluated at query time).
 */
export const journeyInstances = pgTable(
	'journey_instances',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		journeyKey: text('journey_key').notNull(),
		customerId: text('customer_id').notNull(),
		/** A 53-bit hash of the customer id: funnels count customers by it without reading the text. */
		customerKey: bigint('customer_key', { mode: 'number' }).notNull().default(0),
		/** The seq of the event that started it: the identity kept across re-stitching. */
		startSeq: bigint('start_seq', { mode: 'number' }).notNull(),
		startedAt: bigint('started_at', { mode: 'number' }).notNull(),
		lastEventAt: bigint('last_event_at', { mode: 'number' }).notNull(),
		endedAt: bigint('ended_at', { mode: 'number' }),
		/** started_at + the journey's time window: no later event belongs to it. */
		deadline: bigint('deadline', { mode: 'number' }).notNull(),
		/** Contacts and complaints up to here are attached to it. */
		attachEnd: bigint('attach_end', { mode: 'number' }).notNull(),
		/** The latest time any event can be attached to it (journey-tagged surveys come later). */
		reachEnd: bigint('reach_end', { mode: 'number' }).notNull(),
		status: text('status').$type<'in_progress' | 'completed' | 'failed' | 'abandoned'>().notNull(),
		endEvent: text('end_event'),
		/** 1 + the index of the last step reached in order (0: none). */
		depth: bigint('depth', { mode: 'number' }).notNull(),
		/** The step (key) of the last step event. */
		lastStep: text('last_step').notNull(),
		/** Per step, seconds from the start when reached in order ('' when not), `/alt` for an alternative. */
		stepOffsets: text('step_offsets').notNull(),
		durationS: bigint('duration_s', { mode: 'number' }).notNull(),
		stepEvents: bigint('step_events', { mode: 'number' }).notNull(),
		contacts: bigint('contacts', { mode: 'number' }).notNull(),
		feedbacks: bigint('feedbacks', { mode: 'number' }).notNull(),
		complaints: bigint('complaints', { mode: 'number' }).notNull(),
		/** Channels used, in order of first use, comma-separated. */
		channels: text('channels').notNull(),
		firstChannel: text('first_channel'),
		segment: text('segment'),
		/** Its path and channel switches (`journey_shapes`), so path maps group by a small integer. */
		shapeId: bigint('shape_id', { mode: 'number' }).notNull().default(0),
		nps: doublePrecision('nps'),
		csat: doublePrecision('csat'),
		journeyNps: doublePrecision('journey_nps'),
		journeyCsat: doublePrecision('journey_csat'),
		/** JSON array of the seqs of its step events, in time order. */
		stepSeqs: text('step_seqs').notNull(),
		definitionVersion: bigint('definition_version', { mode: 'number' }).notNull()
	},
	(t) => [
		// Covers funnels, path maps and breakpoints: a journey's instances in a time range are read from this index
		// alone, without a row lookup each (PERF-NOTES.md: precompute, then read sequentially).
		index('journey_instances_scan').on(
			t.journeyKey,
			t.startedAt,
			t.segment,
			t.firstChannel,
			t.customerKey,
			t.depth,
			t.status,
			t.deadline,
			t.shapeId,
			t.feedbacks,
			t.nps,
			t.csat,
			t.journeyNps,
			t.journeyCsat,
			t.stepOffsets
		),
		index('journey_instances_customer').on(t.customerId, t.journeyKey, t.startedAt),
		index('journey_instances_open')
			.on(t.deadline)
			.where(sql`status = 'in_progress'`)
	]
);

/**
 * The distinct shapes of instances: the path (`|channel:event|channel:event|…|`: steps and the contacts no step
 * explains, in time order) and the channel switches (`,event@from>to,…,`: digital steps followed by an assisted
 * channel within 24 h). Never deleted: a dictionary that grows with the variety of paths, not with volume.
 */
export const journeyShapes = pgTable(
	'journey_shapes',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		journeyKey: text('journey_key').notNull(),
		path: text('path').notNull(),
		switches: text('switches').notNull()
	},
	(t) => [uniqueIndex('journey_shapes_key').on(t.journeyKey, t.path, t.switches)]
);

/** Contacts, feedback and complaints that fall inside an instance. */
export const journeyInteractions = pgTable(
	'journey_interactions',
	{
		instanceId: bigint('instance_id', { mode: 'number' }).notNull(),
		seq: bigint('seq', { mode: 'number' }).notNull(),
		type: text('type').notNull(),
		ts: bigint('ts', { mode: 'number' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.instanceId, t.seq] })]
);

export const journeyPathDays = pgTable(
	'journey_path_days',
	{
		journeyKey: text('journey_key').notNull(),
		day: bigint('day', { mode: 'number' }).notNull(),
		segment: text('segment').notNull(),
		firstChannel: text('first_channel').notNull(),
		shapeId: bigint('shape_id', { mode: 'number' }).notNull(),
		depth: bigint('depth', { mode: 'number' }).notNull(),
		status: text('status').notNull(),
		openDay: bigint('open_day', { mode: 'number' }).notNull(),
		n: bigint('n', { mode: 'number' }).notNull(),
		npsN: bigint('nps_n', { mode: 'number' }).notNull(),
		npsPromoters: bigint('nps_promoters', { mode: 'number' }).notNull(),
		npsDetractors: bigint('nps_detractors', { mode: 'number' }).notNull(),
		csatN: bigint('csat_n', { mode: 'number' }).notNull(),
		csatSatisfied: bigint('csat_satisfied', { mode: 'number' }).notNull(),
		journeyNpsN: bigint('journey_nps_n', { mode: 'number' }).notNull(),
		journeyNpsPromoters: bigint('journey_nps_promoters', { mode: 'number' }).notNull(),
		journeyNpsDetractors: bigint('journey_nps_detractors', { mode: 'number' }).notNull(),
		journeyCsatN: bigint('journey_csat_n', { mode: 'number' }).notNull(),
		journeyCsatSatisfied: bigint('journey_csat_satisfied', { mode: 'number' }).notNull()
	},
	(t) => [
		primaryKey({
			columns: [t.journeyKey, t.day, t.segment, t.firstChannel, t.shapeId, t.depth, t.status, t.openDay]
		})
	]
);

/**
 * The touchpoint-vs-journey gap's answers (issue 22): one row per NPS/CSAT answer linked to an instance
 * (`journey_interactions` of type feedback, the event's metric csat or nps with a score), with what the gap counts
 * and the instance's journey, start, segment and start channel, stored in start order within a journey. The gap reads
 * one range of this table instead of probing the links and the events of every instance. Kept by triggers on
 * `journey_interactions` (a link added or removed), `journey_instances` (an instance's start, segment or start
 * channel changed, or the instance deleted) and `events` (an answer deleted: retention, erasure); the migration
 * `journey_gap_answers` creates them on both engines. An answer's metric, score, channel, journey and team are
 * never updated after insert (the writer stamps only flags, links and sentiment on stored events).
 */
export const journeyGapAnswers = pgTable(
	'journey_gap_answers',
	{
		journeyKey: text('journey_key').notNull(),
		startedAt: bigint('started_at', { mode: 'number' }).notNull(),
		instanceId: bigint('instance_id', { mode: 'number' }).notNull(),
		seq: bigint('seq', { mode: 'number' }).notNull(),
		segment: text('segment'),
		firstChannel: text('first_channel'),
		channel: text('channel'),
		metric: text('metric').notNull(),
		score: doublePrecision('score').notNull(),
		/** 1: tagged with a journey (a journey-level answer), 0: a touchpoint answer. */
		tagged: bigint('tagged', { mode: 'number' }).notNull(),
		teamId: text('team_id')
	},
	(t) => [
		primaryKey({ columns: [t.journeyKey, t.startedAt, t.instanceId, t.seq] }),
		index('journey_gap_answers_instance').on(t.instanceId),
		index('journey_gap_answers_seq').on(t.seq)
	]
);
