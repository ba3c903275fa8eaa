import type { TimelineEvent } from '$lib/components/journeys/types';
import type { Db } from '$lib/server/db';
import { effectiveStatus, isFailedAttempt, type InstanceStatus } from './core';
import { listJourneys } from './registry';
import { placeholders, statement } from './statements';

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

type EventRow = Omit<TimelineEvent, 'failed' | 'lanes' | 'regulator'> & {
	regulator: number | null;
	properties: string;
};

/** Survey answers take team and agent from the contact they name, as the drill-down and the KPIs read them. */
const COLUMNS = `e.seq, e.type, e.ts, e.channel, e.name, e.journey, e.handled_by AS handledBy, e.queue,
	coalesce(e.team_id, c.team_id) AS teamId, coalesce(e.agent_id, c.agent_id) AS agentId, e.reason, e.wait_s AS waitS,
	e.handle_s AS handleS, e.outcome, e.metric, e.score, e.text, e.category, e.severity, e.regulator, e.sentiment,
	e.properties`;
const FROM = `FROM events e LEFT JOIN events c ON c.seq = e.linked_contact_seq`;

export function customerTimeline(
	db: Db,
	customerId: string,
	options: { teams?: string[] | null; limit?: number; now?: number } = {}
): CustomerTimeline | null {
	const customer = statement(
		db,
		`SELECT id, segment, tier, region, first_seen AS firstSeen, last_seen AS lastSeen FROM customers WHERE id = ?`
	).get(customerId) as CustomerTimeline['customer'] | undefined;
	if (!customer) return null;
	const now = options.now ?? Date.now();
	const limit = options.limit ?? 2000;
	const steps = statement(
		db,
		`SELECT ${COLUMNS} ${FROM} WHERE e.customer_id = ? AND e.type = 'journey' ORDER BY e.ts DESC LIMIT ?`
	).all(customerId, limit + 1) as EventRow[];
	const others = statement(
		db,
		`SELECT ${COLUMNS} ${FROM} WHERE e.customer_id = ? AND e.type <> 'journey' ORDER BY e.ts DESC LIMIT ?`
	).all(customerId, limit + 1) as EventRow[];
	const merged = [...steps, ...others].sort((a, b) => b.ts - a.ts || b.seq - a.seq);
	const truncated = merged.length > limit;
	const teams = options.teams ?? null;
	let hidden = 0;
	const events: TimelineEvent[] = [];
	for (const row of merged.slice(0, limit)) {
		const { properties, regulator, ...rest } = row;
		// Whatever its type (contact, answer, complaint …), a record of another team is hidden from a manager.
		if (teams && row.teamId !== null && !teams.includes(row.teamId)) {
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
		listJourneys(db, { includeDisabled: true }).map((r) => [r.definition.key, r.definition.name])
	);
	interface InstanceRow {
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
	const instances = statement(
		db,
		`SELECT id, journey_key AS journeyKey, started_at AS startedAt, last_event_at AS lastEventAt, ended_at AS endedAt,
		   status, deadline, last_step AS lastStep, depth, step_events AS steps, contacts, channels, nps, csat,
		   step_seqs AS stepSeqs
		 FROM journey_instances WHERE customer_id = ? ORDER BY started_at`
	).all(customerId) as InstanceRow[];
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
	if (instances.length) {
		const ids = instances.map((i) => i.id);
		const links = statement(
			db,
			`SELECT instance_id AS instanceId, seq FROM journey_interactions WHERE instance_id IN (${placeholders(ids.length)})`
		).all(...ids) as { instanceId: number; seq: number }[];
		for (const l of links) bySeq.get(l.seq)?.lanes.push(l.instanceId);
	}
	return { customer, events, lanes, hidden, truncated };
}
