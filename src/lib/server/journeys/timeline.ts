import type { TimelineEvent } from '$lib/components/journeys/types';
import type { Db } from '$lib/server/db';
import { effectiveStatus, isFailedAttempt, type InstanceStatus } from './core';
import type { Storage } from '$lib/server/db/storage';
import { journeyStore, listJourneys } from './registry';

/**
 * One customer's timeline: every event, contact, survey answer and complaint across channels in time order, with
 * the customer's journeys as lanes. Free text was redacted at ingest; event properties are not shown.
 */

export type { TimelineEvent };

export interface TimelineLane {
	instanceId: number;
	journeyKey: string;
	name: { zh: string; en: string };
	startedAt: number;
	lastEventAt: number;
	endedAt: number | null;
	status: InstanceStatus;
	lastStep: string;
	depth: number;
	steps: number;
	contacts: number;
	channels: string[];
	nps: number | null;
	csat: number | null;
}

export interface CustomerTimeline {
	customer: {
		id: string;
		segment: string | null;
		tier: string | null;
		region: string | null;
		firstSeen: number;
		lastSeen: number;
	};
	events: TimelineEvent[];
	lanes: TimelineLane[];
	/** Records of teams outside a manager's scope (their own or, for answers, their contact's team), left out. */
	hidden: number;
	/** More events exist than `limit`; the newest are shown. */
	truncated: boolean;
}

/** A timeline record as the stores read it. */
export type TimelineEventRow = Omit<TimelineEvent, 'failed' | 'lanes' | 'regulator'> & {
	regulator: number | null;
	properties: string;
};

/** A journey instance of the customer as the stores read it. */
export interface TimelineInstanceRow {
	id: number;
	journeyKey: string;
	startedAt: number;
	lastEventAt: number;
	endedAt: number | null;
	status: InstanceStatus;
	deadline: number;
	lastStep: string;
	depth: number;
	steps: number;
	contacts: number;
	channels: string;
	nps: number | null;
	csat: number | null;
	stepSeqs: string;
}

export async function customerTimeline(
	target: Db | Storage,
	customerId: string,
	options: { teams?: string[] | null; limit?: number; now?: number } = {}
): Promise<CustomerTimeline | null> {
	const store = journeyStore(target);
	const customer = await store.timelineCustomer(customerId);
	if (!customer) return null;
	const now = options.now ?? Date.now();
	const limit = options.limit ?? 2000;
	const steps = await store.timelineEvents(customerId, true, limit + 1);
	const others = await store.timelineEvents(customerId, false, limit + 1);
	const merged = [...steps, ...others].sort((a, b) => b.ts - a.ts || b.seq - a.seq);
	const truncated = merged.length > limit;
	const teams = options.teams ?? null;
	// A manager sees the customers their teams served (as the breakpoint lists do, journeys/query.ts): for anyone
	// else, nothing but the count of what is hidden, journey steps and lanes included (journeys carry no team).
	const served = teams === null || merged.some((r) => r.teamId !== null && teams.includes(r.teamId));
	let hidden = 0;
	const events: TimelineEvent[] = [];
	for (const row of merged.slice(0, limit)) {
		const { properties, regulator, ...rest } = row;
		// Whatever its type (contact, answer, complaint …), a record of another team is hidden from a manager.
		if (!served || (teams && row.teamId !== null && !teams.includes(row.teamId))) {
			hidden++;
			continue;
		}
		let failed = false;
		if (row.type === 'journey' && properties.length > 2) {
			try {
				failed = isFailedAttempt(JSON.parse(properties) as Record<string, unknown>);
			} catch {
				failed = false;
			}
		}
		events.push({ ...rest, regulator: regulator === null ? null : regulator === 1, failed, lanes: [] });
	}
	events.reverse();

	const names = new Map(
		(await listJourneys(target, { includeDisabled: true })).map((r) => [r.definition.key, r.definition.name])
	);
	const instances = served ? await store.timelineInstances(customerId) : [];
	const bySeq = new Map(events.map((e) => [e.seq, e]));
	const lanes: TimelineLane[] = instances.map((i) => {
		for (const seq of JSON.parse(i.stepSeqs) as number[]) bySeq.get(seq)?.lanes.push(i.id);
		return {
			instanceId: i.id,
			journeyKey: i.journeyKey,
			name: names.get(i.journeyKey) ?? { zh: i.journeyKey, en: i.journeyKey },
			startedAt: i.startedAt,
			lastEventAt: i.lastEventAt,
			endedAt: i.endedAt,
			status: effectiveStatus(i.status, i.deadline, now),
			lastStep: i.lastStep,
			depth: i.depth,
			steps: i.steps,
			contacts: i.contacts,
			channels: i.channels ? i.channels.split(',') : [],
			nps: i.nps,
			csat: i.csat
		};
	});
	for (const l of await store.timelineLinks(instances.map((i) => i.id)))
		bySeq.get(l.seq)?.lanes.push(l.instanceId);
	return { customer, events, lanes, hidden, truncated };
}
