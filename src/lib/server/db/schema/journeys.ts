import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Journey definitions (issue 6). `definition` holds the ordered steps, their alternatives, the success and
 * failure ends and the time window as JSON (see `JourneyDefinitionBody` in `$lib/server/journeys/definitions`);
 * the eight demo journeys are preloaded by `ensureDefaultJourneys`.
 */
export const journeyDefinitions = sqliteTable('journey_definitions', {
	key: text('key').primaryKey(),
	name: text('name').notNull(),
	nameEn: text('name_en').notNull(),
	definition: text('definition', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
	builtIn: integer('built_in', { mode: 'boolean' }).notNull().default(false),
	enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
	/** Bumped on every edit; instances record the version they were stitched with. */
	version: integer('version').notNull().default(1),
	updatedAt: integer('updated_at').notNull(),
	updatedBy: text('updated_by')
});

/** An incoming event name mapped by an admin to a step event of a journey (e.g. `LoanApproved` → `approved`). */
export const journeyEventMappings = sqliteTable(
	'journey_event_mappings',
	{
		eventName: text('event_name').notNull(),
		journeyKey: text('journey_key').notNull(),
		stepEvent: text('step_event').notNull(),
		createdAt: integer('created_at').notNull(),
		createdBy: text('created_by')
	},
	(t) => [primaryKey({ columns: [t.eventName, t.journeyKey] })]
);

/** Volume of every journey event name seen at ingest, so an admin sees unmapped names by volume without a scan. */
export const journeyEventNames = sqliteTable('journey_event_names', {
	name: text('name').primaryKey(),
	events: integer('events').notNull(),
	firstSeen: integer('first_seen').notNull(),
	lastSeen: integer('last_seen').notNull()
});

/**
 * One customer's pass through one journey, stitched at ingest from the journey step events and kept up to date
 * as late or out-of-order events arrive. Times are epoch ms. `status` is stored as of the last stitch; an
 * `in_progress` instance whose `deadline` has passed reads as abandoned (evaluated at query time).
 */
export const journeyInstances = sqliteTable(
	'journey_instances',
	{
		id: integer('id').primaryKey(),
		journeyKey: text('journey_key').notNull(),
		customerId: text('customer_id').notNull(),
		/** A 53-bit hash of the customer id: funnels count customers by it without reading the text. */
		customerKey: integer('customer_key').notNull().default(0),
		/** The seq of the event that started it: the identity kept across re-stitching. */
		startSeq: integer('start_seq').notNull(),
		startedAt: integer('started_at').notNull(),
		lastEventAt: integer('last_event_at').notNull(),
		endedAt: integer('ended_at'),
		/** started_at + the journey's time window: no later event belongs to it. */
		deadline: integer('deadline').notNull(),
		/** Contacts and complaints up to here are attached to it. */
		attachEnd: integer('attach_end').notNull(),
		/** The latest time any event can be attached to it (journey-tagged surveys come later). */
		reachEnd: integer('reach_end').notNull(),
		status: text('status').$type<'in_progress' | 'completed' | 'failed' | 'abandoned'>().notNull(),
		endEvent: text('end_event'),
		/** 1 + the index of the last step reached in order (0: none). */
		depth: integer('depth').notNull(),
		/** The step (key) of the last step event. */
		lastStep: text('last_step').notNull(),
		/** Per step, seconds from the start when reached in order ('' when not), `/alt` for an alternative. */
		stepOffsets: text('step_offsets').notNull(),
		durationS: integer('duration_s').notNull(),
		stepEvents: integer('step_events').notNull(),
		contacts: integer('contacts').notNull(),
		feedbacks: integer('feedbacks').notNull(),
		complaints: integer('complaints').notNull(),
		/** Channels used, in order of first use, comma-separated. */
		channels: text('channels').notNull(),
		firstChannel: text('first_channel'),
		segment: text('segment'),
		/** Its path and channel switches (`journey_shapes`), so path maps group by a small integer. */
		shapeId: integer('shape_id').notNull().default(0),
		nps: real('nps'),
		csat: real('csat'),
		journeyNps: real('journey_nps'),
		journeyCsat: real('journey_csat'),
		/** JSON array of the seqs of its step events, in time order. */
		stepSeqs: text('step_seqs').notNull(),
		definitionVersion: integer('definition_version').notNull()
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
export const journeyShapes = sqliteTable(
	'journey_shapes',
	{
		id: integer('id').primaryKey(),
		journeyKey: text('journey_key').notNull(),
		path: text('path').notNull(),
		switches: text('switches').notNull()
	},
	(t) => [uniqueIndex('journey_shapes_key').on(t.journeyKey, t.path, t.switches)]
);

/** Contacts, feedback and complaints that fall inside an instance. */
export const journeyInteractions = sqliteTable(
	'journey_interactions',
	{
		instanceId: integer('instance_id').notNull(),
		seq: integer('seq').notNull(),
		type: text('type').notNull(),
		ts: integer('ts').notNull()
	},
	(t) => [primaryKey({ columns: [t.instanceId, t.seq] })]
);

export type JourneyInstanceRow = typeof journeyInstances.$inferSelect;

/**
 * The path maps' day rollup (issue 22): journey instances counted by start day (UTC), segment, start channel
 * ('' for none), shape, depth and stored status, with their score counts — what `instanceGroups` sums, so a
 * 90-day path map reads a few thousand rows instead of every instance. `open_day` is the UTC day of the deadline
 * for `in_progress` instances (0 otherwise): a query reads those whose deadline is on its own day from the
 * instances, the others as in progress or abandoned by that day. Kept by triggers on `journey_instances` (the
 * migration `journey_path_days` creates them on both engines), so ingest, re-stitching, erasure and retention
 * keep it without any code of theirs.
 */
export const journeyPathDays = sqliteTable(
	'journey_path_days',
	{
		journeyKey: text('journey_key').notNull(),
		day: integer('day').notNull(),
		segment: text('segment').notNull(),
		firstChannel: text('first_channel').notNull(),
		shapeId: integer('shape_id').notNull(),
		depth: integer('depth').notNull(),
		status: text('status').notNull(),
		openDay: integer('open_day').notNull(),
		n: integer('n').notNull(),
		npsN: integer('nps_n').notNull(),
		npsPromoters: integer('nps_promoters').notNull(),
		npsDetractors: integer('nps_detractors').notNull(),
		csatN: integer('csat_n').notNull(),
		csatSatisfied: integer('csat_satisfied').notNull(),
		journeyNpsN: integer('journey_nps_n').notNull(),
		journeyNpsPromoters: integer('journey_nps_promoters').notNull(),
		journeyNpsDetractors: integer('journey_nps_detractors').notNull(),
		journeyCsatN: integer('journey_csat_n').notNull(),
		journeyCsatSatisfied: integer('journey_csat_satisfied').notNull()
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
export const journeyGapAnswers = sqliteTable(
	'journey_gap_answers',
	{
		journeyKey: text('journey_key').notNull(),
		startedAt: integer('started_at').notNull(),
		instanceId: integer('instance_id').notNull(),
		seq: integer('seq').notNull(),
		segment: text('segment'),
		firstChannel: text('first_channel'),
		channel: text('channel'),
		metric: text('metric').notNull(),
		score: real('score').notNull(),
		/** 1: tagged with a journey (a journey-level answer), 0: a touchpoint answer. */
		tagged: integer('tagged').notNull(),
		teamId: text('team_id')
	},
	(t) => [
		primaryKey({ columns: [t.journeyKey, t.startedAt, t.instanceId, t.seq] }),
		index('journey_gap_answers_instance').on(t.instanceId),
		index('journey_gap_answers_seq').on(t.seq)
	]
);
