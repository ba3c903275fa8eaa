/**
 * The first minutes of an outage in the live demo (the incident switch): what reaches the center at once, before
 * the slower effects of the simulation (longer queues, unresolved contacts, unhappy surveys) show up minutes
 * later. The core systems freeze, so the agents' desktops freeze with them: callers already waiting hang up, and
 * every customer whose app transfer failed phones in and hangs up too (the phone queue gets about twice its usual
 * volume, nearly none of it answered); the few calls still on the line end unresolved and the post-call survey
 * scores them 1–2; the app's feedback prompt fills with angry comments, many threatening 12378, the media or a
 * lawyer; customers file complaints in the app. It is a demo switch, so it is strong enough to be caught within a
 * minute at the demo's volume (240 events a minute) by rules that judge with intervals and a minimum n.
 * Kept apart from the simulation's own random stream, so a run without an incident is unchanged.
 */
import type { CxEvent } from '$lib/model';
import { writeComment } from './comments';
import { AGENTS, type ReasonId, type TeamId } from './catalog';
import { createRandom, hashSeed } from './random';
import { customerId } from './simulation';

const MINUTE_MS = 60_000;

/**
 * Per minute, as shares of the stream's event rate. At 240 events a minute the phone queues are offered about 28
 * calls a minute (an eighth of the rate: most calls end in the IVR); the outage adds ≈ 54 hang-ups, ≈ 6 angry in-app answers, ≈ 2 post-call
 * detractors and ≈ 5 complaints a minute, all tripled at onset.
 */
const HANG_UPS = 0.45;
const ANGRY_FEEDBACK = 0.05;
const POST_CALL_DETRACTORS = 0.015;
const COMPLAINTS = 0.04;
/** Share of outage comments that carry a regulator, media or legal threat. */
const RISK_SHARE = 0.7;
/**
 * The first minutes bring a flood (the queue dumps, customers caught mid-transaction all react at once): ×3 at
 * onset, easing off over about five minutes.
 */
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

const TEAM_AGENTS = new Map<TeamId, string[]>(
	PHONE_TEAMS.map(([team]) => [team, AGENTS.filter((a) => a.teamId === team).map((a) => a.id)])
);

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
			const flood = 1 + ONSET_BOOST * Math.exp(-(from - onset) / (ONSET_MINUTES * MINUTE_MS));
			const perMinute = options.ratePerMinute * minutes * flood;
			const at = () => Math.round(from + rng.next() * (to - from));
			const customer = () => customerId(1 + Math.floor(rng.next() * options.knownCustomers));
			const events: CxEvent[] = [];
			const angryText = (reason: ReasonId, channel: 'app' | 'phone', english: boolean) => {
				let text = writeComment(rng, {
					sentiment: 'negative',
					reason,
					channel,
					handledBy: channel === 'app' ? 'bot' : 'agent',
					incident: true,
					englishShare: english ? 1 : 0
				});
				if (rng.bernoulli(RISK_SHARE))
					text += english ? ` ${rng.pick(THREATS_EN)}` : `，${rng.pick(THREATS_ZH)}`;
				return text;
			};

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

			// The calls still on the line end unresolved (the agent cannot reach any system); the customer scores
			// the call 1–2 in the post-call survey, which opens a follow-up case for the team's manager.
			for (let i = rng.poisson(perMinute * POST_CALL_DETRACTORS); i > 0; i--) {
				const [teamId, queue] = rng.pick(PHONE_TEAMS);
				const agentId = rng.pick(TEAM_AGENTS.get(teamId) ?? []);
				const reason = rng.pick(OUTAGE_REASONS);
				const who = customer();
				const ts = at();
				const contactId = id();
				events.push(
					{
						id: contactId,
						type: 'contact',
						ts,
						customerId: who,
						channel: 'phone',
						handledBy: 'agent',
						queue,
						teamId,
						agentId,
						reason,
						waitS: Math.round(rng.uniform(45, 240) * 10) / 10,
						handleS: Math.round(rng.uniform(60, 300)),
						outcome: 'unresolved',
						properties: { attempt: 1, outage: true }
					},
					{
						id: id(),
						type: 'feedback',
						ts: ts + 1,
						customerId: who,
						channel: 'phone',
						teamId,
						agentId,
						contactId,
						reason,
						metric: 'csat',
						score: rng.bernoulli(0.7) ? 1 : 2,
						text: angryText(reason, 'phone', rng.bernoulli(0.1)),
						properties: { surveyId: `outage-${contactId}`, prompt: 'post_call', outage: true }
					}
				);
			}

			for (let i = rng.poisson(perMinute * ANGRY_FEEDBACK); i > 0; i--) {
				const reason = rng.pick(OUTAGE_REASONS);
				events.push({
					id: id(),
					type: 'feedback',
					ts: at(),
					customerId: customer(),
					channel: 'app',
					reason,
					metric: 'csat',
					score: rng.bernoulli(0.7) ? 1 : 2,
					text: angryText(reason, 'app', rng.bernoulli(0.1)),
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
