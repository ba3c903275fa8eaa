import type { Db } from '$lib/server/db';
import { effectiveStatus, type InstanceStatus } from './core';
import type { Selector } from './breakpoints';
import { EFFECTIVE_STATUS, instanceFilter, type JourneyQuery } from './query';
import { statement } from './statements';

/** The journeys behind a funnel step or a breakpoint, newest first: each opens the customer's timeline. */
export interface AffectedJourney {
	instanceId: number;
	customerId: string;
	startedAt: number;
	lastEventAt: number;
	status: InstanceStatus;
	lastStep: string;
	depth: number;
	durationS: number;
	contacts: number;
	complaints: number;
	channels: string[];
	segment: string | null;
	nps: number | null;
	csat: number | null;
}

export interface AffectedPage {
	total: number;
	limit: number;
	offset: number;
	rows: AffectedJourney[];
}

function selectorSql(selector: Selector): { sql: string; params: Record<string, string | number> } {
	switch (selector.kind) {
		case 'lost':
			return {
				sql: `depth = @depth AND ${EFFECTIVE_STATUS} IN ('failed', 'abandoned')`,
				params: { depth: selector.step + 1 }
			};
		case 'transition':
			return {
				sql: `shape_id IN (SELECT id FROM journey_shapes WHERE journey_key = @journeyKey AND instr(path, @needle) > 0)`,
				params: { needle: `|${selector.from}|${selector.to}|` }
			};
		case 'switch':
			return {
				sql: `shape_id IN (SELECT id FROM journey_shapes WHERE journey_key = @journeyKey AND instr(switches, @needle) > 0)`,
				params: { needle: `,${selector.signature},` }
			};
	}
}

export function affectedJourneys(
	db: Db,
	journeyKey: string,
	q: JourneyQuery,
	selector: Selector,
	options: { limit?: number; offset?: number; now?: number } = {}
): AffectedPage {
	const now = options.now ?? Date.now();
	const limit = Math.min(200, Math.max(1, options.limit ?? 50));
	const offset = Math.max(0, options.offset ?? 0);
	const base = instanceFilter(journeyKey, q);
	const sel = selectorSql(selector);
	const where = `${base.where} AND ${sel.sql}`;
	const params = { ...base.params, ...sel.params, now };
	const total = statement(db, `SELECT count(*) FROM journey_instances WHERE ${where}`)
		.pluck()
		.get(params) as number;
	const rows = statement(
		db,
		`SELECT id, customer_id, started_at, last_event_at, status, deadline, last_step, depth, duration_s, contacts,
		   complaints, channels, segment, nps, csat
		 FROM journey_instances WHERE ${where} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset`
	)
		.raw()
		.all({ ...params, limit, offset }) as [
		number,
		string,
		number,
		number,
		InstanceStatus,
		number,
		string,
		number,
		number,
		number,
		number,
		string,
		string | null,
		number | null,
		number | null
	][];
	return {
		total,
		limit,
		offset,
		rows: rows.map((r) => ({
			instanceId: r[0],
			customerId: r[1],
			startedAt: r[2],
			lastEventAt: r[3],
			status: effectiveStatus(r[4], r[5], now),
			lastStep: r[6],
			depth: r[7],
			durationS: r[8],
			contacts: r[9],
			complaints: r[10],
			channels: r[11] ? r[11].split(',') : [],
			segment: r[12],
			nps: r[13],
			csat: r[14]
		}))
	};
}
