/** The ingestion benches' event mix (bench/ingest.ts, bench/engines.ts): one generator for both. */
import { randomUUID } from 'node:crypto';

export const CHANNELS = ['phone', 'ivr', 'chat', 'bot', 'app', 'wechat'] as const;
const STEPS = ['loss_reported', 'card_blocked', 'identity_verified', 'reissue_requested', 'card_app_started'];
export const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)];

/** A realistic mix: half journey steps, a quarter contacts, a fifth survey answers, some complaints and traits. */
export function makeEvent(ts: number, customers: number): Record<string, unknown> {
	const r = Math.random();
	const base = {
		id: randomUUID(),
		ts,
		customerId: `c${Math.floor(Math.random() * customers)}`,
		channel: pick(CHANNELS),
		properties: {
			device: 'iPhone15,2',
			appVersion: '8.3.1',
			city: '上海',
			campaign: 'spring-2025',
			session: randomUUID()
		}
	};
	if (r < 0.5) return { ...base, type: 'journey', name: pick(STEPS), journey: 'lost_card' };
	// 400 agents in 20 teams: an agent belongs to one team (the metrics' cuboids rely on it).
	const agent = Math.floor(Math.random() * 400);
	if (r < 0.75)
		return {
			...base,
			type: 'contact',
			handledBy: 'agent',
			queue: `q${Math.floor(Math.random() * 12)}`,
			teamId: `T${agent % 20}`,
			agentId: `A${agent}`,
			reason: pick(['card_lost', 'fraud', 'loan_status', 'password']),
			waitS: Math.round(Math.random() * 60),
			handleS: Math.round(60 + Math.random() * 400),
			outcome: pick(['resolved', 'unresolved', 'transferred'])
		};
	if (r < 0.95)
		return {
			...base,
			type: 'feedback',
			metric: 'nps',
			score: Math.floor(Math.random() * 11),
			teamId: `T${Math.floor(Math.random() * 20)}`,
			text: Math.random() < 0.3 ? '客服很耐心，回电请打13812345678' : undefined
		};
	if (r < 0.98) return { ...base, type: 'complaint', category: 'fees', severity: 'medium', regulator: false };
	return {
		...base,
		type: 'identify',
		traits: { segment: pick(['mass', 'affluent', 'private']), region: '华东' }
	};
}

/**
 * The contact-heavy mix (issue 22): two contacts for every survey answer, customers drawn uniformly from `customers`,
 * 2% of the events late by up to an hour. Contacts are agent, IVR and bot legs; about a third of them continue a
 * customer's recent contact (a transfer or a self-service leg followed by an agent leg: one chain, or a repeat; half of
 * them name it in properties.parentContactId), and
 * every survey answer names a recent contact of its customer (contactId), so chains, repeats and survey links are
 * all reconciled at ingest. Stateful (the recent contacts): one instance per stream of batches.
 */
export class ContactHeavyMix {
	/** Recent contacts (a ring), for follow-up legs and for the answers that name them. */
	private readonly recent: { id: string; customerId: string }[] = [];
	private next = 0;
	private n = 0;

	constructor(private readonly customers: number) {}

	private recentContact() {
		// A contact sent a few hundred to a few thousand events ago: seconds to minutes earlier in a live stream.
		return this.recent.length ? pick(this.recent) : null;
	}

	event(ts: number): Record<string, unknown> {
		const late = Math.random() < 0.02 ? Math.floor(Math.random() * 3_600_000) : 0;
		const position = this.n++ % 3;
		const base = {
			id: randomUUID(),
			ts: ts - late,
			channel: pick(CHANNELS),
			properties: { device: 'iPhone15,2', appVersion: '8.3.1', city: '上海', session: randomUUID() }
		};
		if (position === 2) {
			const contact = this.recentContact();
			return {
				...base,
				customerId: contact?.customerId ?? `c${Math.floor(Math.random() * this.customers)}`,
				type: 'feedback',
				metric: pick(['csat', 'nps']),
				score: Math.floor(Math.random() * 6),
				contactId: contact?.id,
				text: Math.random() < 0.3 ? '客服很耐心，回电请打13812345678' : undefined
			};
		}
		const follow = position === 1 && Math.random() < 0.66 ? this.recentContact() : null;
		const agent = Math.floor(Math.random() * 400);
		const handledBy = follow ? 'agent' : pick(['agent', 'agent', 'agent', 'ivr', 'bot']);
		// Half the continuing legs name the leg before them (as a telephony system links a transfer's legs).
		if (follow && Math.random() < 0.5)
			(base.properties as Record<string, unknown>).parentContactId = follow.id;
		const contact = {
			...base,
			customerId: follow?.customerId ?? `c${Math.floor(Math.random() * this.customers)}`,
			type: 'contact',
			handledBy,
			queue: `q${Math.floor(Math.random() * 12)}`,
			...(handledBy === 'agent' ? { teamId: `T${agent % 20}`, agentId: `A${agent}` } : {}),
			reason: pick(['card_lost', 'fraud', 'loan_status', 'password']),
			waitS: Math.round(Math.random() * 60),
			handleS: Math.round(60 + Math.random() * 400),
			outcome:
				handledBy === 'agent'
					? pick(['resolved', 'resolved', 'unresolved', 'transferred'])
					: pick(['resolved', 'transferred'])
		};
		const ring = 2_000;
		if (this.recent.length < ring) this.recent.push({ id: contact.id, customerId: contact.customerId });
		else this.recent[this.next++ % ring] = { id: contact.id, customerId: contact.customerId };
		return contact;
	}
}
