/**
 * The first minutes of an outage in the live demo (the incident switch): what reaches the center at once, before
 * the slower effects of the simulation (longer queues, unresolved contacts, unhappy surveys) show up minutes
 * later. Callers already waiting hang up when the agents' desktops freeze; the app's feedback prompt fills with
 * angry comments, many threatening 12378, the media or a lawyer; a few customers file complaints in the app.
 * Kept apart from the simulation's own random stream, so a run without an incident is unchanged.
 */
import type { CxEvent } from '$lib/model';
import { writeComment } from './comments';
import type { ReasonId } from './catalog';
import { createRandom, hashSeed } from './random';
import { customerId } from './simulation';

const MINUTE_MS = 60_000;

/** Per minute, as shares of the stream's event rate (at 600 events a minute: ≈ 7 comments, 50 hang-ups). */
const ANGRY_FEEDBACK = 0.012;
const HANG_UPS = 0.085;
const COMPLAINTS = 0.0015;
/** Share of outage comments that carry a regulator, media or legal threat. */
const RISK_SHARE = 0.5;
/** The first minutes bring a flood of feedback (customers caught mid-transaction): ×3 at onset, easing off. */
const ONSET_BOOST = 2;
const ONSET_MINUTES = 5;

const PHONE_TEAMS = [
	['t-cc1', 'q-cc-phone'],
	['t-cc2', 'q-cc-phone'],
	['t-debit', 'q-debit-phone'],
	['t-ebank', 'q-ebank-phone']
] as const;
const OUTAGE_REASONS: readonly ReasonId[] = ['app_login', 'transfer_issue', 'password_reset'];

const THREATS_ZH = [
	'转不了账耽误了还款，我要打12378投诉你们',
	'再不修好我就找媒体曝光',
	'钱转出去了没到账，资金安全谁负责？我要报警',
	'已经咨询律师了，损失要起诉你们赔',
	'这么大的银行系统说崩就崩，我去监管那里反映',
	'发微博让大家都看看你们的服务'
];
const THREATS_EN = [
	'I will report this to the regulator (12378).',
	'I am calling a lawyer about my lost payment.'
];

export interface OutageOptions {
	seed: number;
	/** The stream's average events per minute. */
	ratePerMinute: number;
	idPrefix: string;
	/** Customers drawn from 1…knownCustomers (the seeded history's, already identified). */
	knownCustomers: number;
}

export interface Outage {
	/** The outage's immediate events in [from, to), in time order. */
	next(from: number, to: number): CxEvent[];
}

export function createOutage(options: OutageOptions): Outage {
	let counter = 0;
	let onset = 0;
	let lastTo = -Infinity;
	const id = () => `${options.idPrefix}o${counter++}`;
	return {
		next(from, to) {
			if (!(to > from)) return [];
			// A gap means the incident was off in between: this is a new outage.
			if (from - lastTo > MINUTE_MS) onset = from;
			lastTo = to;
			const rng = createRandom(hashSeed(options.seed, 'outage', from));
			const minutes = (to - from) / MINUTE_MS;
			const perMinute = options.ratePerMinute * minutes;
			const flood = 1 + ONSET_BOOST * Math.exp(-(from - onset) / (ONSET_MINUTES * MINUTE_MS));
			const at = () => Math.round(from + rng.next() * (to - from));
			const customer = () => customerId(1 + Math.floor(rng.next() * options.knownCustomers));
			const events: CxEvent[] = [];

			for (let i = rng.poisson(perMinute * HANG_UPS); i > 0; i--) {
				const [teamId, queue] = rng.pick(PHONE_TEAMS);
				events.push({
					id: id(),
					type: 'contact',
					ts: at(),
					customerId: customer(),
					channel: 'phone',
					handledBy: 'agent',
					queue,
					teamId,
					reason: rng.pick(OUTAGE_REASONS),
					waitS: Math.round(rng.uniform(6, 120) * 10) / 10,
					outcome: 'abandoned',
					properties: { attempt: 1, outage: true }
				});
			}

			for (let i = rng.poisson(perMinute * ANGRY_FEEDBACK * flood); i > 0; i--) {
				const reason = rng.pick(OUTAGE_REASONS);
				const english = rng.bernoulli(0.1);
				let text = writeComment(rng, {
					sentiment: 'negative',
					reason,
					channel: 'app',
					handledBy: 'bot',
					incident: true,
					englishShare: english ? 1 : 0
				});
				if (rng.bernoulli(RISK_SHARE))
					text += english ? ` ${rng.pick(THREATS_EN)}` : `，${rng.pick(THREATS_ZH)}`;
				events.push({
					id: id(),
					type: 'feedback',
					ts: at(),
					customerId: customer(),
					channel: 'app',
					reason,
					metric: 'csat',
					score: rng.bernoulli(0.7) ? 1 : 2,
					text,
					properties: { surveyId: `outage-${counter}`, prompt: 'in_app', outage: true }
				});
			}

			for (let i = rng.poisson(perMinute * COMPLAINTS); i > 0; i--) {
				const reason = rng.pick(OUTAGE_REASONS);
				events.push({
					id: id(),
					type: 'complaint',
					ts: at(),
					customerId: customer(),
					channel: 'app',
					reason,
					category: 'digital',
					severity: rng.bernoulli(0.6) ? 'high' : 'medium',
					regulator: false,
					properties: { issue: 'app_outage', source: 'app', outage: true }
				});
			}
			return events.sort((a, b) => a.ts - b.ts);
		}
	};
}
