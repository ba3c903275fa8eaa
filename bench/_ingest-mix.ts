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
