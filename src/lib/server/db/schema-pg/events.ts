// Derived from ../schema/events.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { sql } from 'drizzle-orm';
import { bigint, doublePrecision, index, pgTable, text } from 'drizzle-orm/pg-core';
import { flag, jsonText } from './column-types';

export const events = pgTable(
	'events',
	{
		seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		id: text('id').notNull(),
		sourceId: bigint('source_id', { mode: 'number' }),
		type: text('type').notNull(),
		ts: bigint('ts', { mode: 'number' }).notNull(),
		receivedAt: bigint('received_at', { mode: 'number' }).notNull(),
		customerId: text('customer_id').notNull(),
		channel: text('channel'),
		name: text('name'),
		journey: text('journey'),
		handledBy: text('handled_by'),
		queue: text('queue'),
		teamId: text('team_id'),
		agentId: text('agent_id'),
		reason: text('reason'),
		waitS: doublePrecision('wait_s'),
		handleS: doublePrecision('handle_s'),
		outcome: text('outcome'),
		metric: text('metric'),
		score: doublePrecision('score'),
		text: text('text'),
		contactId: text('contact_id'),
		category: text('category'),
		severity: text('severity'),
		regulator: flag('regulator'),
		/** The customer's segment and region when the event arrived, so rollups can split by them. */
		segment: text('segment'),
		region: text('region'),
		sentiment: doublePrecision('sentiment'),
		/**
		 * Cross-event flags of contact rows, kept by the metrics engine (src/lib/server/metrics/flags.ts) and
		 * recomputed for a customer's contacts within ±7 days whenever one of their contacts arrives, in any order.
		 * Null on other events and on short abandons.
		 */
		firstContact: flag('first_contact'),
		repeatSameReason7d: flag('repeat_same_reason_7d'),
		repeat48h: flag('repeat_48h'),
		/**
		 * Contact chains (DOMAIN.md): the flags above are the chain's, kept on its last leg (chain_last) and null on
		 * its other legs; chain_self_service (last leg) when every leg was a bot or the IVR; transferred_to_agent on
		 * agent transfers, false when the next leg of the chain is not another agent or team.
		 */
		chainLast: flag('chain_last'),
		chainSelfService: flag('chain_self_service'),
		transferredToAgent: flag('transferred_to_agent'),
		/**
		 * feedback: the seq of the contact named by contactId (same customer, within 7 days); complaint: the contact
		 * it is attributed to (named, else the last leg of the customer's last chain in the 7 days before). Set by
		 * metrics.
		 */
		linkedContactSeq: bigint('linked_contact_seq', { mode: 'number' }),
		properties: jsonText('properties')
			.$type<Record<string, unknown>>()
			.notNull()
			.default(sql`'{}'`)
	},
	(t) => [
		index('events_ts').on(t.ts),
		// Funnels and journey stitching read journey steps per customer; a partial index keeps writes cheap.
		index('events_journey_steps')
			.on(t.customerId, t.name, t.ts)
			.where(sql`type = 'journey'`),
		// Timelines, repeat contacts and FCR read the other events per customer.
		index('events_customer_interactions')
			.on(t.customerId, t.ts)
			.where(sql`type <> 'journey'`),
		// A team's raw rows (the metrics' raw path under a team filter, e.g. a manager's reason-standardised agent
		// table, metrics/read-store.ts RAW_TEAM_SQL): its own rows by team, and the answers and complaints that take
		// their team from a linked contact, found by the contact's seq without reading the other teams' rows.
		index('events_team_ts')
			.on(t.teamId, t.ts)
			.where(sql`team_id IS NOT NULL`),
		index('events_linked_ts')
			.on(t.ts, t.linkedContactSeq)
			.where(sql`linked_contact_seq IS NOT NULL AND team_id IS NULL`),
		// The records lists of answers and complaints (dashboards/events.ts ANSWERS_AND_COMPLAINTS: a KPI's answers,
		// detractors, a team's complaints) walk only those rows backwards in time, not every event of the period.
		index('events_answers_ts')
			.on(t.type, t.ts)
			.where(sql`type IN ('feedback', 'complaint')`),
		// Comments lists (records with a text) walk only the rows that have one.
		index('events_texts_ts')
			.on(t.ts)
			.where(sql`text IS NOT NULL AND text <> ''`)
	]
);

/**
 * De-duplication by (source, client id): the log of a compact 63-bit hash of both, with when it was first seen,
 * appended in arrival order in the same transaction as the events. Lookups go to an in-memory set loaded from it
 * (src/lib/server/ingest/seen-ids.ts): a B-tree keyed by the random hash would dirty a random page per event. Rows
 * older than the de-duplication window are pruned from the front.
 */
export const eventIds = pgTable('event_ids', {
	seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	hash: bigint('hash', { mode: 'bigint' }).notNull(),
	seenAt: bigint('seen_at', { mode: 'number' }).notNull()
});
