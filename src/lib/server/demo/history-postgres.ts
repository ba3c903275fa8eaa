import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CxEvent } from '$lib/model';
import type { PgDb } from '$lib/server/db/postgres';
import { mergePatch } from '$lib/server/ingest/postgres-writer';
import { EVENT_ROW_COLUMNS, eventRowValues } from '$lib/server/ingest/writer';
import { scoreSentiment } from '$lib/server/text';

/**
 * The demo history on PostgreSQL, written in bulk (issue 17): the rows the event writer would store with
 * `{ sourceId: null, dedupe: false, derive: false }` (ingest/writer.ts, postgres-writer.ts), but with no round trip
 * per request: the events of a chunk go in through one COPY, the customers they changed in one upsert, in one
 * transaction per chunk. The seed derives rollups, chains and journeys once at the end, as on SQLite.
 *
 * Only the seed writes while it runs (the demo starts in a database of its own, demo/eligibility.ts), so the
 * customers' state is kept here, in memory, from chunk to chunk, and follows the writer's rules: an identify merges
 * segment, tier, region and traits; another event creates its customer, or moves the seen times when it falls
 * before `first_seen` or over a minute after `last_seen`. Each event is stamped with its customer's segment and
 * region as of that event.
 */

/** A value in COPY's text format: `\N` for null, backslash, tab and line breaks escaped. */
export function copyField(value: string | number | null): string {
	if (value === null) return '\\N';
	if (typeof value === 'number') return String(value);
	return /[\\\t\n\r]/.test(value)
		? value.replace(/[\\\t\n\r]/g, (c) =>
				c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'
			)
		: value;
}

interface CustomerState {
	segment: string | null;
	tier: string | null;
	region: string | null;
	traits: Record<string, unknown>;
	firstSeen: number;
	lastSeen: number;
}

/** As the writers: a returning customer's last_seen moves only when an event is a minute past it. */
const LAST_SEEN_RESOLUTION_MS = 60_000;
/** Rows per COPY message sent (each a few hundred bytes). */
const COPY_ROWS_PER_WRITE = 500;

export interface HistoryWriter {
	/** Writes one chunk of events (in time order within the history) and the customers they change; one commit. */
	write(events: readonly CxEvent[]): Promise<void>;
	/** Drops what the writer keeps in memory between chunks (the customers seen), once the history is written. */
	finish(): void;
}

export function postgresHistoryWriter(db: PgDb): HistoryWriter {
	const customers = new Map<string, CustomerState>();
	const registered = {
		team: new Set<string>(),
		agent: new Set<string>(),
		queue: new Set<string>(),
		reason: new Set<string>()
	};
	return {
		finish: () => customers.clear(),
		async write(events) {
			const receivedAt = Date.now();
			const changed = new Set<string>();
			const teams: [string, number][] = [];
			const agents: [string, string | null, number][] = [];
			const dimensions: [string, string, number][] = [];
			const lines: string[] = [];
			for (const e of events) {
				let customer = customers.get(e.customerId);
				if (e.type === 'identify') {
					const { segment, tier, region, ...rest } = e.traits ?? {};
					const base = customer ?? {
						segment: null,
						tier: null,
						region: null,
						traits: {},
						firstSeen: e.ts,
						lastSeen: e.ts
					};
					customer = {
						segment: (segment as string | undefined) ?? base.segment,
						tier: (tier as string | undefined) ?? base.tier,
						region: (region as string | undefined) ?? base.region,
						traits: mergePatch(base.traits, rest) as Record<string, unknown>,
						firstSeen: Math.min(base.firstSeen, e.ts),
						lastSeen: Math.max(base.lastSeen, e.ts)
					};
					customers.set(e.customerId, customer);
					changed.add(e.customerId);
				} else if (!customer) {
					customer = { segment: null, tier: null, region: null, traits: {}, firstSeen: e.ts, lastSeen: e.ts };
					customers.set(e.customerId, customer);
					changed.add(e.customerId);
				} else if (e.ts < customer.firstSeen || e.ts > customer.lastSeen + LAST_SEEN_RESOLUTION_MS) {
					customer.firstSeen = Math.min(customer.firstSeen, e.ts);
					customer.lastSeen = Math.max(customer.lastSeen, e.ts);
					changed.add(e.customerId);
				}
				if (e.teamId && !registered.team.has(e.teamId)) {
					registered.team.add(e.teamId);
					teams.push([e.teamId, e.ts]);
				}
				if (e.agentId && !registered.agent.has(e.agentId)) {
					registered.agent.add(e.agentId);
					agents.push([e.agentId, e.teamId ?? null, e.ts]);
				}
				if (e.queue && !registered.queue.has(e.queue)) {
					registered.queue.add(e.queue);
					dimensions.push(['queue', e.queue, e.ts]);
				}
				if (e.reason && !registered.reason.has(e.reason)) {
					registered.reason.add(e.reason);
					dimensions.push(['reason', e.reason, e.ts]);
				}
				// The writers' row (ingest/writer.ts), without contact-chain flags: the rollup rebuild sets them.
				const row = eventRowValues(
					new Array(EVENT_ROW_COLUMNS.length),
					e,
					null,
					receivedAt,
					customer,
					e.text ? scoreSentiment(e.text) : null,
					null,
					JSON.stringify(e.properties ?? {})
				) as (string | number | null)[];
				lines.push(row.map(copyField).join('\t') + '\n');
			}
			const ids = [...changed].sort();
			const state = ids.map((id) => customers.get(id) as CustomerState);
			await db.$client.begin(async (sql) => {
				// Events: one COPY (identities drawn in the rows' order, as the writer's inserts draw them).
				const copy = await sql.unsafe(`COPY events (${EVENT_ROW_COLUMNS.join(', ')}) FROM STDIN`).writable();
				await pipeline(
					Readable.from(
						(function* () {
							for (let i = 0; i < lines.length; i += COPY_ROWS_PER_WRITE)
								yield lines.slice(i, i + COPY_ROWS_PER_WRITE).join('');
						})()
					),
					copy
				);
				if (ids.length)
					await sql`INSERT INTO customers (id, segment, tier, region, traits, first_seen, last_seen)
						SELECT * FROM unnest(${ids}::text[], ${state.map((c) => c.segment)}::text[],
						  ${state.map((c) => c.tier)}::text[], ${state.map((c) => c.region)}::text[],
						  ${state.map((c) => JSON.stringify(c.traits))}::text[], ${state.map((c) => c.firstSeen)}::bigint[],
						  ${state.map((c) => c.lastSeen)}::bigint[])
						ON CONFLICT (id) DO UPDATE SET segment = excluded.segment, tier = excluded.tier,
						  region = excluded.region, traits = excluded.traits, first_seen = excluded.first_seen,
						  last_seen = excluded.last_seen`;
				// Teams, agents, queues and reasons first seen (the directory written before keeps its names).
				if (teams.length)
					await sql`INSERT INTO teams (id, name, first_seen)
						SELECT id, id, ts FROM unnest(${teams.map(([id]) => id)}::text[],
						  ${teams.map(([, ts]) => ts)}::bigint[]) AS u(id, ts) ON CONFLICT DO NOTHING`;
				if (agents.length)
					await sql`INSERT INTO agents (id, name, team_id, first_seen)
						SELECT id, id, team, ts FROM unnest(${agents.map(([id]) => id)}::text[],
						  ${agents.map(([, team]) => team)}::text[], ${agents.map(([, , ts]) => ts)}::bigint[])
						  AS u(id, team, ts) ON CONFLICT DO NOTHING`;
				if (dimensions.length)
					await sql`INSERT INTO dimension_values (dimension, value, first_seen)
						SELECT * FROM unnest(${dimensions.map(([d]) => d)}::text[], ${dimensions.map(([, v]) => v)}::text[],
						  ${dimensions.map(([, , ts]) => ts)}::bigint[]) ON CONFLICT DO NOTHING`;
			});
		}
	};
}
