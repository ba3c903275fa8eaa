/**
 * The metrics benchmark's generator (bench/metrics.ts): a seeded, fast stream of a bank service center's events
 * in arrival order. Not a bench itself (the runner skips files starting with "_").
 */
import type { Channel, CxEvent, FeedbackMetric, Handler, Outcome } from '$lib/model';
import type { InsertedEvent } from '$lib/server/metrics/rollups';
import { DAY_MS, HOUR_MS } from '$lib/server/metrics/time';

export const DAYS = 90;
/** "Now" of the synthetic center: mid-hour, so the wallboard's `to = now` is not on an hour boundary. */
export const END = Date.parse('2025-06-30T14:37:00+08:00');
export const START = END - DAYS * DAY_MS;

// ---- a fast, seeded generator of a bank service center's events -------------------------------------------

let state = 0x9e3779b9;

export function reseed(seed: number): void {
	state = seed >>> 0;
}
function random(): number {
	state = (state + 0x6d2b79f5) >>> 0;
	let t = state;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

const REASONS = [
	'card_activation',
	'lost_card',
	'fraud_dispute',
	'bill_query',
	'repayment',
	'limit_increase',
	'loan_status',
	'loan_apply',
	'password_reset',
	'account_opening',
	'transfer_failed',
	'fee_query',
	'wealth_product',
	'points',
	'app_login',
	'statement',
	'address_change',
	'complaint_followup',
	'card_mailing',
	'other'
];
const JOURNEYS = [
	'card_acquisition',
	'lost_card',
	'fraud_dispute',
	'personal_loan',
	'remote_account_opening',
	'password_reset',
	'complaint',
	'wealth_product'
];
const LOW_COMMENTS = [
	'等了很久才接通，问题也没解决',
	'转了三次人工，每次都要重新说一遍',
	'信用卡年费扣了却没人解释清楚',
	'APP 一直登录不上，客服只让我重启',
	'答复太慢，态度也不好',
	'说好的回电一直没有打来',
	'网点排队两个小时，体验很差',
	'智能客服听不懂我的问题'
];
const HIGH_COMMENTS = [
	'客服很耐心，一次就解决了',
	'回复及时，谢谢',
	'操作指引很清楚',
	'服务态度很好',
	'转账问题处理得很快',
	'理财经理讲解得很专业'
];
const REGIONS = Array.from({ length: 31 }, (_, i) => `r${String(i + 1).padStart(2, '0')}`);
const SEGMENTS = ['mass', 'affluent', 'private'] as const;
const CUSTOMERS = 1_500_000;
const FREQUENT = 100_000;

function customer(): number {
	return random() < 0.3 ? int(0, FREQUENT - 1) : int(FREQUENT, CUSTOMERS - 1);
}
function segmentOf(c: number): string {
	const h = (c * 2654435761) >>> 0;
	const x = h % 100;
	return SEGMENTS[x < 80 ? 0 : x < 97 ? 1 : 2];
}
const regionOf = (c: number) => REGIONS[((c * 40503) >>> 0) % REGIONS.length];

/** Share of the day's traffic by hour of day in China time (busy 9–21 h). */
const HOUR_WEIGHT = [1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 2, 4, 6, 7, 7, 6, 6, 7, 7, 6, 6, 5, 5, 4, 3, 2, 1.5];

export interface Pending {
	e: InsertedEvent;
	at: number;
}

function makeContact(ts: number, c: number, id: number): CxEvent {
	const channel = pick<Channel>([
		'phone',
		'phone',
		'phone',
		'phone',
		'ivr',
		'ivr',
		'bot',
		'bot',
		'chat',
		'chat',
		'app',
		'video'
	]);
	let handledBy: Handler | undefined =
		channel === 'ivr' ? 'ivr' : channel === 'bot' || channel === 'app' ? 'bot' : 'agent';
	let outcome: Outcome;
	let waitS: number | undefined;
	if (handledBy === 'agent') {
		const r = random();
		waitS = Math.min(600, Math.floor(-Math.log(1 - random()) * 14));
		if (r < 0.08) {
			handledBy = undefined;
			outcome = 'abandoned';
			waitS = r < 0.015 ? int(0, 4) : Math.max(5, waitS * 2);
		} else outcome = random() < 0.8 ? 'resolved' : random() < 0.6 ? 'transferred' : 'unresolved';
	} else outcome = random() < 0.62 ? 'resolved' : random() < 0.5 ? 'transferred' : 'unresolved';
	const agent = int(1, 150);
	const agentHandled = handledBy === 'agent';
	return {
		id: `b${id}`,
		type: 'contact',
		ts,
		customerId: `c${c}`,
		channel,
		handledBy,
		queue: agentHandled ? `q${agent % 12}` : undefined,
		agentId: agentHandled ? `a${String(agent).padStart(3, '0')}` : undefined,
		teamId: agentHandled ? `t${String((agent % 12) + 1).padStart(2, '0')}` : undefined,
		reason:
			random() < 0.95
				? REASONS[Math.min(REASONS.length - 1, Math.floor(-Math.log(1 - random()) * 5))]
				: undefined,
		journey: random() < 0.4 ? pick(JOURNEYS) : undefined,
		waitS,
		handleS: agentHandled ? int(60, 720) : undefined,
		outcome,
		properties: {}
	};
}

function makeFeedback(ts: number, c: number, id: number, contact: CxEvent | null): CxEvent {
	const metric = pick<FeedbackMetric>(['nps', 'nps', 'csat', 'csat', 'ces']);
	const good = random() < (contact?.outcome === 'resolved' ? 0.8 : 0.45);
	const score =
		metric === 'nps'
			? good
				? int(7, 10)
				: int(0, 8)
			: metric === 'csat'
				? good
					? int(4, 5)
					: int(1, 4)
				: good
					? int(5, 7)
					: int(1, 5);
	const detractor = (metric === 'nps' && score <= 6) || (metric === 'csat' && score <= 2);
	return {
		id: `b${id}`,
		type: 'feedback',
		ts,
		customerId: `c${c}`,
		channel: contact?.channel ?? pick<Channel>(['app', 'wechat', 'phone']),
		metric,
		score,
		// A comment with about a third of the answers, more often with a low score (the demo: ≈ 8% of events).
		text: random() < (detractor ? 0.5 : 0.25) ? pick(detractor ? LOW_COMMENTS : HIGH_COMMENTS) : undefined,
		contactId: contact?.id,
		journey: contact ? undefined : pick(JOURNEYS),
		properties: {}
	};
}

/** Yields batches of events in arrival order: by time, 2% arriving 1–48 h late, repeat contacts scheduled ahead. */
export function* generate(total: number, batchSize: number): Generator<Pending[]> {
	const hours = DAYS * 24;
	const weights = Array.from({ length: hours }, (_, h) => {
		const hourOfDay = (new Date(START + h * HOUR_MS).getUTCHours() + 8) % 24;
		return HOUR_WEIGHT[hourOfDay];
	});
	const totalWeight = weights.reduce((a, b) => a + b, 0);
	let id = 0;
	const scheduled = new Map<number, { c: number; reason: string | undefined }[]>();
	const late = new Map<number, Pending[]>();
	let batch: Pending[] = [];
	const stamp = (e: CxEvent, c: number): Pending => ({
		e: {
			...e,
			seq: 0,
			segment: segmentOf(c),
			region: regionOf(c),
			sentiment: e.type === 'feedback' && random() < 0.2 ? pick([-0.7, -0.3, 0, 0.1, 0.4, 0.8]) : null
		},
		at: e.ts
	});
	for (let h = 0; h < hours; h++) {
		const hourStart = START + h * HOUR_MS;
		const hourEnd = Math.min(hourStart + HOUR_MS, END);
		// Post-contact surveys add ≈ 5% to the primary events.
		const count = Math.round((total * weights[h]) / totalWeight / 1.053);
		const offsets = Array.from({ length: count }, () => Math.floor(random() * (hourEnd - hourStart))).sort(
			(a, b) => a - b
		);
		const out: Pending[] = [];
		const repeats = scheduled.get(h) ?? [];
		scheduled.delete(h);
		for (const offset of offsets) {
			const ts = hourStart + offset;
			const r = random();
			const rep = r < 0.33 && repeats.length ? repeats.pop() : undefined;
			const c = rep?.c ?? customer();
			let e: CxEvent;
			if (r < 0.33) {
				e = makeContact(ts, c, id++);
				if (rep?.reason) e.reason = rep.reason;
				// Some contacts are followed by another about the same thing (1 h – 6 days later).
				if (random() < 0.15) {
					const at = h + int(1, 144);
					scheduled.set(at, [...(scheduled.get(at) ?? []), { c, reason: e.reason }]);
				}
				out.push(stamp(e, c));
				if (e.handledBy === 'agent' && random() < 0.3) {
					const when = Math.min(hourEnd - 1, ts + int(60_000, 1_800_000));
					out.push(stamp(makeFeedback(when, c, id++, e), c));
				}
			} else if (r < 0.4) {
				out.push(stamp(makeFeedback(ts, c, id++, null), c));
			} else if (r < 0.405) {
				e = {
					id: `b${id++}`,
					type: 'complaint',
					ts,
					customerId: `c${c}`,
					channel: pick<Channel>(['phone', 'app', 'branch']),
					category: pick(['fee', 'service', 'fraud', 'card']),
					severity: 'medium',
					regulator: random() < 0.1,
					properties: {}
				};
				out.push(stamp(e, c));
			} else {
				e = {
					id: `b${id++}`,
					type: 'journey',
					ts,
					customerId: `c${c}`,
					channel: pick<Channel>(['app', 'wechat', 'phone']),
					name: 'step',
					journey: pick(JOURNEYS),
					properties: {}
				};
				out.push(stamp(e, c));
			}
		}
		for (const p of out) {
			// 2% arrive 1–48 h late (but before "now").
			const delay = random() < 0.02 ? int(1, 48) : 0;
			const arrives = Math.min(h + delay, hours - 1);
			if (delay && arrives > h) late.set(arrives, [...(late.get(arrives) ?? []), p]);
			else batch.push(p);
			if (batch.length >= batchSize) {
				yield batch;
				batch = [];
			}
		}
		for (const p of late.get(h) ?? []) batch.push(p);
		late.delete(h);
	}
	for (const ps of late.values()) batch.push(...ps);
	if (batch.length) yield batch;
}
