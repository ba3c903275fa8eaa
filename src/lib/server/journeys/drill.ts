import type { Db } from '$lib/server/db';
import { effectiveStatus, type InstanceStatus } from './core';
import type { Selector } from './breakpoints';
import type { Storage } from '$lib/server/db/storage';
import type { JourneyQuery } from './query';
import { journeyStore } from './registry';

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

/** A row of the drill-down as the stores read it (columns in order). */
export type AffectedRaw = [
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
];

export async function affectedJourneys(
	target: Db | Storage,
	journeyKey: string,
	q: JourneyQuery,
	selector: Selector,
	options: { limit?: number; offset?: number; now?: number; teams?: readonly string[] | null } = {}
): Promise<AffectedPage> {
	const now = options.now ?? Date.now();
	const limit = Math.min(200, Math.max(1, options.limit ?? 50));
	const offset = Math.max(0, options.offset ?? 0);
	const { total, rows } = await journeyStore(target).affected(journeyKey, q, selector, {
		now,
		limit,
		offset,
		teams: options.teams ?? null
	});
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
