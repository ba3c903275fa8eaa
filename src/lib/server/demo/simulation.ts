/**
 * The simulation core shared by the history generator and the live stream: customers, contact chains (self-service,
 * queues, abandonment, transfers, repeats), surveys, complaints and journey walks. Everything that happens is
 * pushed, time-stamped, into a heap; callers spawn arrivals for a span of time and then drain what happened before
 * a moment, in time order. Identify events are written lazily, just before a customer's first drained event.
 */
import type {
	Channel,
	ComplaintSeverity,
	CxEvent,
	FeedbackMetric,
	Handler,
	Outcome,
	Segment
} from '$lib/model';
import {
	AGE_BAND_SHARES,
	AGE_BANDS,
	AGENTS,
	ELDERLY_AGE_BANDS,
	REASON_BY_ID,
	REASONS,
	REGIONS,
	SEGMENT_INFO,
	SEGMENTS,
	TEAM_BY_ID,
	TEAMS,
	onShift,
	type Agent,
	type AgeBand,
	type ContactReason,
	type ProductLine,
	type ReasonId,
	type Region,
	type TeamId,
	type TierId
} from './catalog';
import { writeComment, writeTranscript, type CommentContext, type Sentiment } from './comments';
import {
	CREDIT_CARD_JOURNEYS,
	JOURNEY_BY_KEY,
	JOURNEYS,
	type JourneyBreakpoint,
	type JourneyDefinition,
	type JourneyKey,
	type JourneyStep
} from './journeys';
import { createRandom, hashSeed, hashUnit, weightedTable, type Random, type WeightedTable } from './random';
import { groupOf } from '$lib/server/outreach/split';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** China has one time zone and no daylight saving: local time is UTC+8 all year. */
const CHINA_OFFSET_MS = 8 * HOUR_MS;

export function chinaHour(ts: number): number {
	return Math.floor((ts + CHINA_OFFSET_MS) / HOUR_MS) % 24;
}
export function chinaDayNumber(ts: number): number {
	return Math.floor((ts + CHINA_OFFSET_MS) / DAY_MS);
}
/** 0 = Sunday … 6 = Saturday, in China local time. */
export function chinaWeekday(ts: number): number {
	return (chinaDayNumber(ts) + 4) % 7;
}
const dayOfMonthCache = new Map<number, number>();
export function chinaDayOfMonth(ts: number): number {
	const day = chinaDayNumber(ts);
	let dom = dayOfMonthCache.get(day);
	if (dom === undefined) {
		dom = new Date(day * DAY_MS).getUTCDate();
		if (dayOfMonthCache.size > 4096) dayOfMonthCache.clear();
		dayOfMonthCache.set(day, dom);
	}
	return dom;
}
/** The China-local date, YYYY-MM-DD. */
export function chinaDate(ts: number): string {
	return new Date(ts + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------- rhythms

/** Relative arrivals per China-local hour: peaks ≈ 10:00 and ≈ 15:00, a lunch dip, quiet nights, an app evening. */
const HOUR_PROFILE = [
	0.13, 0.08, 0.05, 0.04, 0.04, 0.06, 0.15, 0.36, 0.72, 1.05, 1.22, 1.12, 0.84, 0.9, 1.1, 1.2, 1.05, 0.94,
	0.76, 0.72, 0.74, 0.62, 0.42, 0.24
];
const HOUR_SUM = HOUR_PROFILE.reduce((a, b) => a + b, 0);
const ACTIVE_HOUR_TABLE = weightedTable(
	HOUR_PROFILE.map((_, h) => h),
	HOUR_PROFILE
);
const HOUR_MAX = Math.max(...HOUR_PROFILE);
/** Sunday … Saturday: Mondays carry the weekend backlog, weekends are quieter. */
const WEEKDAY_FACTOR = [0.68, 1.1, 1.04, 1, 1, 1.03, 0.74];

function bump(x: number, centre: number, width: number): number {
	const d = (x - centre) / width;
	return Math.exp(-0.5 * d * d);
}

/** Card-related volume multiplier by day of month: statements go out ≈ day 5, repayments fall due ≈ day 25. */
export function statementFactor(dayOfMonth: number): number {
	return 1 + 0.6 * bump(dayOfMonth, 6, 1.5) + 0.75 * bump(dayOfMonth, 25, 1.5);
}

/** Expected arrivals in an hour starting at `ts`, as a share of an average weekday (sums to ≈ 1 over a weekday). */
export function hourShare(ts: number): number {
	return (HOUR_PROFILE[chinaHour(ts)] / HOUR_SUM) * WEEKDAY_FACTOR[chinaWeekday(ts)];
}

// ---------------------------------------------------------------------------------------------------- customers

export interface Customer {
	readonly n: number;
	readonly id: string;
	readonly segment: Segment;
	readonly tier: TierId;
	readonly region: Region;
	readonly city: string;
	readonly ageBand: AgeBand;
	readonly elderly: boolean;
	readonly young: boolean;
}

const SEGMENT_TABLE = weightedTable(
	SEGMENTS,
	SEGMENTS.map((s) => SEGMENT_INFO[s].share)
);
const AGE_TABLE = weightedTable(
	AGE_BANDS,
	AGE_BANDS.map((a) => AGE_BAND_SHARES[a])
);
const REGION_TABLE = weightedTable(
	REGIONS,
	REGIONS.map((r) => r.weight)
);

export function customerId(n: number): string {
	return `c-${String(n).padStart(6, '0')}`;
}

/**
 * A customer's traits are a pure function of (seed, number), so the history and the live stream agree on every
 * customer without sharing state.
 */
export function customerTraits(seed: number, n: number): Customer {
	const rng = createRandom(hashSeed(seed, 'customer', n));
	const segment = rng.fromTable(SEGMENT_TABLE);
	const info = SEGMENT_INFO[segment];
	const tier = rng.weighted(
		info.tiers.map((t) => t.id),
		info.tiers.map((t) => t.share)
	);
	let ageBand = rng.fromTable(AGE_TABLE);
	// Private-banking clients are older on average.
	if (segment === 'private' && (ageBand === '18-25' || ageBand === '26-35')) ageBand = '46-55';
	const region = rng.fromTable(REGION_TABLE);
	return {
		n,
		id: customerId(n),
		segment,
		tier,
		region,
		city: rng.pick(region.cities),
		ageBand,
		elderly: ELDERLY_AGE_BANDS.includes(ageBand),
		young: ageBand === '18-25' || ageBand === '26-35'
	};
}

// ---------------------------------------------------------------------------------------------------- heap

interface Pending {
	ts: number;
	seq: number;
	/** What happened; null for a decision taken at `ts` (`act`). */
	event: CxEvent | null;
	customer: Customer;
	/** A decision taken when the simulation reaches `ts` (a delayed complaint that outreach may have prevented). */
	act?: () => void;
}

/** A binary min-heap on (ts, seq): seq keeps ties in creation order, so draining is deterministic. */
class EventHeap {
	private items: Pending[] = [];

	get size(): number {
		return this.items.length;
	}

	peek(): Pending | undefined {
		return this.items[0];
	}

	push(item: Pending): void {
		const a = this.items;
		let i = a.length;
		a.push(item);
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!before(item, a[parent])) break;
			a[i] = a[parent];
			i = parent;
		}
		a[i] = item;
	}

	pop(): Pending | undefined {
		const a = this.items;
		const top = a[0];
		const last = a.pop();
		const n = a.length;
		if (n > 0 && last) {
			let i = 0;
			for (;;) {
				const l = 2 * i + 1;
				if (l >= n) break;
				const r = l + 1;
				const m = r < n && before(a[r], a[l]) ? r : l;
				if (!before(a[m], last)) break;
				a[i] = a[m];
				i = m;
			}
			a[i] = last;
		}
		return top;
	}
}

function before(x: Pending, y: Pending): boolean {
	return x.ts < y.ts || (x.ts === y.ts && x.seq < y.seq);
}

// ---------------------------------------------------------------------------------------------------- routing

type Entry = 'ivr' | 'phone' | 'bot' | 'app' | 'wechat' | 'chat' | 'video' | 'branch';
const ENTRIES: readonly Entry[] = ['ivr', 'phone', 'bot', 'app', 'wechat', 'chat', 'video', 'branch'];
const SELF_SERVICE_ENTRIES: readonly Entry[] = ['ivr', 'bot', 'app', 'wechat'];
const ENTRY_ELDERLY: Record<Entry, number> = {
	ivr: 1.3,
	phone: 1.6,
	bot: 0.4,
	app: 0.45,
	wechat: 0.6,
	chat: 0.4,
	video: 0.6,
	branch: 2.5
};
const ENTRY_YOUNG: Record<Entry, number> = {
	ivr: 0.8,
	phone: 0.7,
	bot: 1.3,
	app: 1.4,
	wechat: 1.3,
	chat: 1.3,
	video: 1,
	branch: 0.6
};
const ENTRY_BASE: Record<Entry, number> = {
	ivr: 0.6,
	phone: 0.025,
	bot: 0.08,
	app: 0.15,
	wechat: 0.09,
	chat: 0.03,
	video: 0.02,
	branch: 0.012
};

const PHONE_QUEUE: Partial<Record<TeamId, string>> = {
	't-cc1': 'q-cc-phone',
	't-cc2': 'q-cc-phone',
	't-debit': 'q-debit-phone',
	't-vip': 'q-vip-phone',
	't-pb': 'q-pb-phone',
	't-complaint': 'q-complaint',
	't-fraud': 'q-fraud',
	't-loan': 'q-loan-phone',
	't-wealth': 'q-wealth-phone',
	't-ebank': 'q-ebank-phone',
	't-outbound': 'q-outbound'
};

function queueFor(team: TeamId, channel: Channel, outbound: boolean): string {
	if (outbound) return 'q-outbound';
	if (channel === 'video') return 'q-video';
	if (channel === 'app') return 'q-online-app';
	if (channel === 'wechat') return 'q-online-wechat';
	if (channel === 'chat') return team === 't-loan' ? 'q-loan-chat' : 'q-online-chat';
	return PHONE_QUEUE[team] ?? 'q-debit-phone';
}

/** Where an agent contact lands: segment lines first (贵宾/私行), then the reason's specialist team. */
function routeTeam(rng: Random, customer: Customer, reason: ContactReason, channel: Channel): TeamId {
	if (channel === 'chat')
		return reason.product === 'personal_loan' && rng.bernoulli(0.5) ? 't-loan' : 't-online';
	if (channel === 'app' || channel === 'wechat') return 't-online';
	if (channel === 'video') {
		if (customer.segment === 'private') return 't-pb';
		if (customer.segment === 'affluent') return reason.product === 'wealth' ? 't-wealth' : 't-vip';
		return reason.product === 'wealth' && rng.bernoulli(0.4) ? 't-wealth' : 't-video';
	}
	if (customer.segment === 'private' && rng.bernoulli(0.95)) return 't-pb';
	if (customer.segment === 'affluent' && rng.bernoulli(0.75)) return 't-vip';
	if (reason.team === 't-cc1') return rng.bernoulli(0.55) ? 't-cc1' : 't-cc2';
	return reason.team;
}

/** The channel an agent transfer out of self-service lands on. */
function agentChannelAfter(selfService: Channel): Channel {
	if (selfService === 'ivr') return 'phone';
	if (selfService === 'bot') return 'chat';
	return selfService;
}

const SPECIALIST_TEAMS: readonly TeamId[] = ['t-fraud', 't-complaint', 't-loan', 't-wealth'];

const CHANNEL_HANDLE_FACTOR: Partial<Record<Channel, number>> = {
	chat: 1.35,
	app: 1.3,
	wechat: 1.3,
	video: 1.4
};

const SURVEY_RATE: Record<Channel, number> = {
	phone: 0.23,
	ivr: 0.2,
	chat: 0.3,
	bot: 0.18,
	app: 0.18,
	wechat: 0.16,
	video: 0.28,
	branch: 0.12
};

/** Product split of complaints referred by the regulator (12378): credit cards ≈ half, personal loans ≈ a quarter. */
const REGULATOR_SHARES: readonly (readonly [ProductLine, number])[] = [
	['credit_card', 0.5],
	['personal_loan', 0.25],
	['wealth', 0.08],
	['debit_card', 0.07],
	['digital', 0.05],
	['service', 0.05]
];
/** The product behind a "complaint" contact, which names no product itself. */
const COMPLAINT_PRODUCT = weightedTable<ProductLine>(
	['credit_card', 'personal_loan', 'debit_card', 'wealth', 'digital', 'service', 'account'],
	[0.4, 0.18, 0.12, 0.08, 0.08, 0.12, 0.02]
);
const COMPLAINT_ISSUES: Record<ProductLine, readonly string[]> = {
	credit_card: ['fees', 'collection', 'limit_cut', 'installment_terms', 'disputed_charge'],
	debit_card: ['card_reissue', 'transfer_failure', 'account_frozen'],
	personal_loan: ['declined_without_reason', 'interest_rate', 'slow_approval', 'collection'],
	wealth: ['misselling', 'losses', 'redemption_delay'],
	account: ['opening_refused', 'documents'],
	digital: ['app_outage', 'face_check', 'login_failure'],
	service: ['agent_attitude', 'waiting_time', 'no_callback']
};

/** The complaint issue a contact reason points to, where it is clear. */
const REASON_ISSUE: Partial<Record<ReasonId, string>> = {
	fraud_dispute: 'disputed_charge',
	collection: 'collection',
	annual_fee: 'fees',
	installment: 'installment_terms',
	credit_limit: 'limit_cut',
	transfer_issue: 'transfer_failure',
	app_login: 'login_failure',
	password_reset: 'face_check',
	loan_status: 'slow_approval',
	wealth_inquiry: 'misselling'
};

function logit(p: number): number {
	return Math.log(p / (1 - p));
}
function sigmoid(x: number): number {
	return 1 / (1 + Math.exp(-x));
}
function clamp(x: number, lo: number, hi: number): number {
	return x < lo ? lo : x > hi ? hi : x;
}
function round1(x: number): number {
	return Math.round(x * 10) / 10;
}

// ---------------------------------------------------------------------------------------------------- simulation

export interface SimulationConfig {
	seed: number;
	/** Prefix of every event id, e.g. `d1-` for the history of seed 1. */
	idPrefix: string;
	scale: number;
	/** Customers numbered from here are created new (the history starts at 1). */
	firstNewCustomer: number;
	/** Customers below this number may come back (the history's customers, for the live stream). */
	knownCustomers: number;
	/** 0 at the start of the history, 1 at its end and beyond: drives the slow channel shift to digital. */
	trendAt: (ts: number) => number;
	/** Whether the center is in an incident at `ts` (outage, queue collapse). */
	incidentAt: (ts: number) => boolean;
}

interface ContactRequest {
	customer: Customer;
	reason: ReasonId;
	channel: Channel;
	handledBy: Handler;
	start: number;
	/** 1 for the first contact about an issue, then 2, 3 … for repeats. */
	attempt: number;
	/** Whether a failed contact leads to further contacts (retries, repeats, callbacks). */
	chain: boolean;
	team?: TeamId;
	outbound?: boolean;
	transferredFrom?: string;
	/** The bot or IVR handed this leg over: a hotline's usual route to an agent, not a bounce between agents. */
	handedOver?: boolean;
	/** The agent who transferred this leg (a transfer goes to another agent). */
	fromAgent?: string;
	abandonedBefore?: boolean;
	journey?: JourneyKey;
	step?: string;
	breakpoint?: string;
	/** Extra latent-score shift from the journey so far (failures, waits). */
	friction?: number;
	/** An outreach call of this audience (tagged `properties.audience`). */
	audience?: number;
}

interface ContactResult {
	id: string;
	end: number;
	outcome: Outcome;
}

/** Base episodes (customer issues) per average weekday at scale 1. */
const EPISODES_PER_DAY = 3250;
/** Share of episodes raised by a customer already seen: the rest bring in a new customer. */
const RETURNING_SHARE = 0.6;
/** A returning customer drawn within this time of their last contact is usually redrawn (see pickCustomer). */
const RECENT_MS = 2 * DAY_MS;

/**
 * The complaint-escalation signal (issue 19, DOMAIN.md "Acting on what is measured"): every bad experience (an
 * unresolved contact, repeats of it, a hang-up in the queue, a long wait, an angry transcript or comment, a detractor
 * answer) adds to a customer's grievance, which halves every week. A grievance g ends in a complaint 2–12 days
 * later with probability `complaintChance(g)` (drawn as g grows), one pending at a time, unless an outreach call
 * settled the matter first. So customers with repeated unresolved contacts, long waits and angry
 * texts complain more often in the following 14 days, and a model of the last 14 days can see it coming.
 */
const GRIEVANCE_HALF_LIFE_MS = 7 * DAY_MS;
const GRIEVANCE_COMPLAINT = 0.0016;
const GRIEVANCE_CAP = 0.6;
/** F(g): the chance that a grievance of g ends in a complaint (cubic: one annoyance rarely does, a bad week often). */
function complaintChance(g: number): number {
	return Math.min(GRIEVANCE_CAP, GRIEVANCE_COMPLAINT * g * g * g);
}
const GRIEVANCE = {
	unresolved: 1,
	repeatUnresolved: 0.6,
	selfServiceFailed: 0.6,
	abandoned: 0.6,
	longWait: 0.6,
	angryText: 1,
	detractor: 0.4
} as const;
/** Waits this long (s) count as a bad experience. */
const LONG_WAIT_S = 180;
const REASON_CODE = Object.fromEntries(REASONS.map((r, i) => [r.id, i + 1])) as Record<ReasonId, number>;

/** The demo's finished outreach audience (planted in the history; seed.ts stores it after the events). */
export interface OutreachPlan {
	/** The audience id the split was drawn for (demo/outreach.ts reserveDemoAudienceId). */
	audienceId: number;
	createdAt: number;
	holdoutPercent: number;
	/** Every member (treatment and holdout), in customer id order. */
	customerIds: string[];
	/** The members in treatment (called back by the outbound team). */
	treatment: number;
}

export class CenterSimulation {
	readonly rng: Random;
	private readonly heap = new EventHeap();
	private seq = 0;
	private counter = 0;
	// Per-customer state in dense arrays indexed by slot (see `slot`): Maps were a third of the run time.
	private customers: (Customer | undefined)[] = [];
	private identified = new Uint8Array(1 << 16);
	/**
	 * The two latest times each customer is in touch (epoch ms, 0 = never; scheduled follow-ups count), to keep
	 * unrelated repeat contacts believable.
	 */
	private lastTouch = new Float64Array(1 << 16);
	private previousTouch = new Float64Array(1 << 16);
	private readonly pressureCache = new Map<number, number>();
	private readonly regulatorCounts = REGULATOR_SHARES.map(() => 0);
	/** Contacts of the warm-up, not emitted: their surveys and complaints are dropped too. */
	private readonly droppedContacts = new Set<string>();
	private readonly entryTables = new Map<string, WeightedTable<Entry>>();
	private nextCustomer: number;
	private readonly agentsOnDuty: Record<string, Agent[][]>;
	private readonly reasonTables = new Map<string, WeightedTable<ContactReason>>();
	/** Draws of the complaint-escalation signal, apart from the main stream. */
	private readonly riskRng: Random;
	/** Per slot: grievance as of `grievanceAt`, the time a delayed complaint is due (0: none), when outreach settled. */
	private grievance = new Float64Array(1 << 16);
	private grievanceAt = new Float64Array(1 << 16);
	private complaintDue = new Float64Array(1 << 16);
	private settledAt = new Float64Array(1 << 16);
	/** Per slot: 1 + the index in REASONS of the reason behind the latest grievance (0: none). */
	private grievanceReason = new Uint8Array(1 << 16);

	constructor(private readonly config: SimulationConfig) {
		this.rng = createRandom(hashSeed(config.seed, 'center'));
		this.riskRng = createRandom(hashSeed(config.seed, 'grievance'));
		this.nextCustomer = config.firstNewCustomer;
		this.agentsOnDuty = {};
		for (const team of TEAMS) {
			const members = AGENTS.filter((a) => a.teamId === team.id);
			this.agentsOnDuty[team.id] = Array.from({ length: 24 }, (_, h) => {
				const onDuty = members.filter((a) => onShift(a.shift, h));
				return onDuty.length > 0 ? onDuty : members;
			});
		}
	}

	get pending(): number {
		return this.heap.size;
	}

	// ------------------------------------------------------------------------------------------ spawning

	/**
	 * Arrivals of ordinary contact episodes and journey starts in [from, to), to hour precision. `flatShare`
	 * (share of an average day) replaces the daily and weekly cycle, for a live stream at a steady rate.
	 */
	spawn(from: number, to: number, flatShare?: number): void {
		const rng = this.rng;
		const fraction = (to - from) / HOUR_MS;
		const share = flatShare ?? hourShare(from) * fraction * this.config.scale;
		const incident = this.config.incidentAt(from);
		const episodes = rng.poisson(EPISODES_PER_DAY * share * (incident ? 1.35 : 1) * this.cardLift(from));
		for (let i = 0; i < episodes; i++) this.spawnEpisode(from + rng.next() * (to - from), incident);
		// Journeys keep office hours less strictly: digital starts follow the same daily shape, flatter.
		const journeyShare =
			flatShare ??
			0.6 * share + 0.4 * (fraction / 24) * WEEKDAY_FACTOR[chinaWeekday(from)] * this.config.scale;
		for (const journey of JOURNEYS) {
			if (journey.startsPerDay <= 0) continue;
			const starts = rng.poisson(journey.startsPerDay * journeyShare);
			for (let i = 0; i < starts; i++) this.walkJourney(journey, from + rng.next() * (to - from));
		}
	}

	/** Total volume lift on statement days: only the card reasons grow, so the lift is their share of it. */
	private cardLift(ts: number): number {
		const factor = statementFactor(chinaDayOfMonth(ts));
		return 1 + 0.38 * (factor - 1);
	}

	private reasonTable(segment: Segment, ts: number, incident: boolean): WeightedTable<ContactReason> {
		const dom = chinaDayOfMonth(ts);
		const key = `${segment}:${dom}:${incident ? 1 : 0}`;
		let table = this.reasonTables.get(key);
		if (!table) {
			const factor = statementFactor(dom);
			table = weightedTable(
				REASONS,
				REASONS.map((r) => {
					let w = r.weight;
					if (r.statementSensitive) w *= factor;
					if (segment !== 'mass' && r.product === 'wealth') w *= segment === 'private' ? 5 : 2.2;
					if (segment === 'private' && r.id === 'collection') w = 0;
					if (incident && (r.id === 'app_login' || r.id === 'transfer_issue')) w *= 6;
					return w;
				})
			);
			this.reasonTables.set(key, table);
		}
		return table;
	}

	/**
	 * A new customer, or one already seen. A bank has millions of customers, so a returning customer who was in
	 * touch in the last two days is mostly redrawn: otherwise the small simulated base would show far more
	 * unrelated repeat contacts than a real center.
	 */
	private pickCustomer(newShare: number, ts: number): Customer {
		const known = this.nextCustomer - this.config.firstNewCustomer + this.config.knownCustomers;
		if (known > 0 && !this.rng.bernoulli(newShare)) {
			for (let tries = 0; tries < 4; tries++) {
				let n = 1 + Math.floor(this.rng.next() * known);
				if (n > this.config.knownCustomers)
					n = this.config.firstNewCustomer + (n - this.config.knownCustomers - 1);
				const c = this.customer(n);
				if (this.recentlyInTouch(n, ts) && this.rng.bernoulli(0.95)) continue;
				this.touch(c, ts);
				return c;
			}
			// Only recent customers drawn (early in the warm-up): bring in a new one instead.
		}
		const c = this.customer(this.nextCustomer++);
		this.touch(c, ts);
		return c;
	}

	/**
	 * `from + delay`, moved to a believable hour of that day when the delay is long: a customer who calls back
	 * "in a couple of days" calls in the daytime like everyone else.
	 */
	private later(from: number, delay: number): number {
		const ts = from + delay;
		if (delay < 3 * HOUR_MS) return ts;
		const hour = this.rng.fromTable(ACTIVE_HOUR_TABLE);
		let moved = ts - (chinaHour(ts) - hour) * HOUR_MS + (this.rng.next() - 0.5) * HOUR_MS;
		if (moved < from + HOUR_MS) moved += DAY_MS;
		return Math.round(moved);
	}

	/** Dense index of a customer number: known customers first, then the ones this simulation brings in. */
	private slot(n: number): number {
		return n < this.config.firstNewCustomer
			? n
			: this.config.knownCustomers + 1 + (n - this.config.firstNewCustomer);
	}

	private recentlyInTouch(n: number, ts: number): boolean {
		const i = this.slot(n);
		if (i >= this.lastTouch.length) return false;
		const last = this.lastTouch[i];
		const previous = this.previousTouch[i];
		return (
			(last !== 0 && Math.abs(ts - last) < RECENT_MS) ||
			(previous !== 0 && Math.abs(ts - previous) < RECENT_MS)
		);
	}

	private touch(c: Customer, ts: number): void {
		const i = this.slot(c.n);
		if (i >= this.lastTouch.length) {
			const size = Math.max(i + 1, this.lastTouch.length * 2);
			const last = new Float64Array(size);
			const previous = new Float64Array(size);
			last.set(this.lastTouch);
			previous.set(this.previousTouch);
			this.lastTouch = last;
			this.previousTouch = previous;
		}
		if (ts > this.lastTouch[i]) {
			this.previousTouch[i] = this.lastTouch[i];
			this.lastTouch[i] = ts;
		} else if (ts > this.previousTouch[i]) this.previousTouch[i] = ts;
	}

	private markIdentified(c: Customer): boolean {
		const i = this.slot(c.n);
		if (i >= this.identified.length) {
			const grown = new Uint8Array(Math.max(i + 1, this.identified.length * 2));
			grown.set(this.identified);
			this.identified = grown;
		}
		if (this.identified[i] === 1) return false;
		this.identified[i] = 1;
		return true;
	}

	private customer(n: number): Customer {
		const i = this.slot(n);
		let c = this.customers[i];
		if (!c) {
			c = customerTraits(this.config.seed, n);
			this.customers[i] = c;
		}
		return c;
	}

	private spawnEpisode(ts: number, incident: boolean): void {
		const rng = this.rng;
		const customer = this.pickCustomer(1 - RETURNING_SHARE, ts);
		const reason = rng.fromTable(this.reasonTable(customer.segment, ts, incident));
		const entry = this.pickEntry(customer, reason, ts);
		this.startContact(customer, reason.id, entry, ts, 1, {});
	}

	/**
	 * The entry point of an issue. Most calls enter the hotline's IVR whatever the intent (a bank's IVR settles 60–75%
	 * of what reaches it and hands the rest to an agent); the bots in the app and WeChat take the easy intents
	 * (DOMAIN.md); few go straight to a person (a callback, a segment line); the elderly and wealthy lean on people,
	 * and the digital channels gain share over the history. Together: containment ≈ 55–60% of contact chains.
	 */
	private pickEntry(customer: Customer, reason: ContactReason, ts: number): Entry {
		const trendStep = Math.round(this.config.trendAt(ts) * 20);
		const age = customer.elderly ? 'o' : customer.young ? 'y' : 'm';
		const key = `${age}${customer.segment}${reason.id}${trendStep}`;
		let table = this.entryTables.get(key);
		if (!table) {
			const t = trendStep / 20;
			const weights = ENTRIES.map((e) => {
				let w = ENTRY_BASE[e];
				if (customer.elderly) w *= ENTRY_ELDERLY[e];
				else if (customer.young) w *= ENTRY_YOUNG[e];
				if (customer.segment === 'affluent') w *= e === 'phone' ? 1.3 : e === 'video' ? 1.8 : 1;
				if (customer.segment === 'private')
					w *= e === 'phone' ? 2 : e === 'video' ? 3 : e === 'ivr' || e === 'bot' ? 0.3 : 1;
				if (e === 'ivr') w *= 0.5 + 0.6 * reason.selfService;
				else if (SELF_SERVICE_ENTRIES.includes(e)) w *= 0.15 + 1.2 * reason.selfService * reason.selfService;
				if (e === 'phone') w *= 1 - 0.07 * t;
				else if (e === 'ivr') w *= 1 - 0.08 * t;
				else if (e === 'app' || e === 'wechat') w *= 1 + 0.24 * t;
				return w;
			});
			table = weightedTable(ENTRIES, weights);
			this.entryTables.set(key, table);
		}
		return this.rng.fromTable(table);
	}

	/** The first contact of an issue through an entry point: self-service first where the entry has it. */
	private startContact(
		customer: Customer,
		reason: ReasonId,
		entry: Entry,
		ts: number,
		attempt: number,
		extra: Partial<ContactRequest>
	): ContactResult {
		const handledBy: Handler =
			entry === 'ivr' ? 'ivr' : entry === 'bot' || entry === 'app' || entry === 'wechat' ? 'bot' : 'agent';
		return this.contact({
			customer,
			reason,
			channel: entry,
			handledBy,
			start: ts,
			attempt,
			chain: true,
			journey: extra.journey,
			breakpoint: extra.breakpoint,
			friction: extra.friction
		});
	}

	// ------------------------------------------------------------------------------------------ contacts

	private nextId(): string {
		return this.config.idPrefix + String(this.counter++);
	}

	private push(event: CxEvent, customer: Customer): void {
		// Times are computed in fractional milliseconds; events carry whole ones.
		event.ts = Math.round(event.ts);
		this.heap.push({ ts: event.ts, seq: this.seq++, event, customer });
	}

	/** Queue pressure (1 = as staffed for): load of the hour, statement days, hourly noise, incidents. */
	private pressureAt(ts: number): number {
		const hourIndex = Math.floor(ts / HOUR_MS);
		let p = this.pressureCache.get(hourIndex);
		if (p === undefined) {
			const load = (HOUR_PROFILE[chinaHour(ts)] / HOUR_MAX) * WEEKDAY_FACTOR[chinaWeekday(ts)];
			const noise = hashUnit(this.config.seed, 'pressure', hourIndex) - 0.5;
			p = 0.72 + 0.42 * load + 0.3 * (statementFactor(chinaDayOfMonth(ts)) - 1) + 0.3 * noise;
			if (this.pressureCache.size > 8192) this.pressureCache.clear();
			this.pressureCache.set(hourIndex, p);
		}
		return this.config.incidentAt(ts) ? p * 2.1 : p;
	}

	/** An agent of the team on duty at `ts`; a transfer within a team goes to someone else than `not`. */
	private pickAgent(team: TeamId, ts: number, not?: string): Agent {
		const onDuty = this.agentsOnDuty[team][chinaHour(ts)];
		const agent = this.rng.pick(onDuty);
		if (agent.id !== not || onDuty.length < 2) return agent;
		return onDuty[(onDuty.indexOf(agent) + 1 + this.rng.int(0, onDuty.length - 2)) % onDuty.length];
	}

	private contact(req: ContactRequest): ContactResult {
		const rng = this.rng;
		const reason = REASON_BY_ID[req.reason];
		const incident = this.config.incidentAt(req.start);
		const id = this.nextId();
		this.touch(req.customer, req.start);
		const properties: Record<string, unknown> = { attempt: req.attempt };
		if (req.journey) properties.journey = req.journey;
		if (req.step) properties.step = req.step;
		if (req.breakpoint) properties.breakpoint = req.breakpoint;
		if (req.audience !== undefined) properties.audience = String(req.audience);
		// A transferred leg names the leg it came from: one contact chain (DOMAIN.md), whatever the gap.
		if (req.transferredFrom) {
			properties.transferredFrom = req.transferredFrom;
			properties.parentContactId = req.transferredFrom;
		}

		// Self-service: the bot or IVR resolves, hands over to an agent, or the customer gives up.
		if (req.handledBy !== 'agent') {
			const handleS = Math.round(
				rng.lognormal(req.handledBy === 'ivr' ? 85 : 120, 0.5) * (req.step === 'loss_reported' ? 1.8 : 1)
			);
			const end = req.start + handleS * 1000;
			let pResolve = reason.selfService;
			if (req.customer.elderly) pResolve -= 0.06;
			if (incident) pResolve -= 0.3;
			if (req.breakpoint === 'ivr_menu_buried') pResolve = 0;
			// What the IVR cannot settle it mostly hands to an agent ("press 0"), the harder the intent the surer.
			const outcome: Outcome = rng.bernoulli(pResolve)
				? 'resolved'
				: rng.bernoulli(req.handledBy === 'ivr' ? 0.95 - 0.4 * reason.selfService : 0.3)
					? 'transferred'
					: 'unresolved';
			if (req.handledBy === 'ivr')
				properties.menuDepth = req.step === 'loss_reported' ? rng.int(4, 6) : rng.int(1, 4);
			this.push(
				{
					id,
					type: 'contact',
					ts: end,
					customerId: req.customer.id,
					channel: req.channel,
					handledBy: req.handledBy,
					reason: req.reason,
					handleS,
					outcome,
					properties
				},
				req.customer
			);
			const result = { id, end, outcome };
			if (outcome === 'unresolved')
				this.aggrieve(
					req.customer,
					end,
					GRIEVANCE.selfServiceFailed + (req.attempt > 1 ? GRIEVANCE.repeatUnresolved : 0),
					req.reason
				);
			if (outcome === 'resolved') {
				this.survey(req, result, undefined, 0);
				if (req.chain) this.maybeRelapse(req, end);
			} else if (outcome === 'transferred' && req.breakpoint !== 'ivr_menu_buried')
				this.contact({
					...req,
					channel: agentChannelAfter(req.channel),
					handledBy: 'agent',
					start: end,
					transferredFrom: id,
					handedOver: true,
					breakpoint: undefined
				});
			else if (outcome === 'unresolved' && req.chain && rng.bernoulli(0.6)) {
				const later = this.later(end, rng.lognormal(10 * HOUR_MS, 1.1));
				const channel: Channel = req.customer.young && rng.bernoulli(0.4) ? 'chat' : 'phone';
				this.contact({ ...req, channel, handledBy: 'agent', start: later, attempt: req.attempt + 1 });
			}
			return result;
		}

		// Branch visits are logged by the center but have no queue or center agent.
		if (req.channel === 'branch') {
			const handleS = Math.round(rng.lognormal(540, 0.5));
			const end = req.start + handleS * 1000;
			const outcome: Outcome = rng.bernoulli(0.9) ? 'resolved' : 'unresolved';
			this.push(
				{
					id,
					type: 'contact',
					ts: end,
					customerId: req.customer.id,
					channel: 'branch',
					handledBy: 'agent',
					reason: req.reason,
					handleS,
					outcome,
					properties
				},
				req.customer
			);
			const result = { id, end, outcome };
			this.survey(req, result, undefined, 0);
			return result;
		}

		const outbound = req.outbound === true;
		const teamId = req.team ?? routeTeam(rng, req.customer, reason, req.channel);
		const team = TEAM_BY_ID[teamId];
		const queue = queueFor(teamId, req.channel, outbound);
		let waitS: number | undefined;
		if (!outbound) {
			// Erlang-A in miniature: most calls are answered at once, the rest wait an exponential time that grows
			// with load; customers hang up when the wait outlasts their patience.
			const pressure = this.pressureAt(req.start);
			const instant = clamp(0.66 - 0.3 * (pressure - 1), 0.25, 0.9);
			const mean = 42 * team.staffing * pressure * pressure * (req.channel === 'video' ? 1.3 : 1);
			const wait = rng.bernoulli(instant) ? rng.uniform(0, 4) : rng.exponential(mean);
			const patience = rng.exponential(req.customer.segment === 'mass' ? 150 : 240) + 2;
			if (wait > patience) {
				const end = req.start + patience * 1000;
				this.push(
					{
						id,
						type: 'contact',
						ts: end,
						customerId: req.customer.id,
						channel: req.channel,
						handledBy: 'agent',
						queue,
						teamId,
						reason: req.reason,
						waitS: round1(patience),
						outcome: 'abandoned',
						properties
					},
					req.customer
				);
				const result: ContactResult = { id, end, outcome: 'abandoned' };
				this.maybeComplaint(req, result, patience, incident);
				this.aggrieve(
					req.customer,
					end,
					GRIEVANCE.abandoned + (patience >= LONG_WAIT_S ? GRIEVANCE.longWait : 0),
					req.reason
				);
				if (req.chain && rng.bernoulli(0.3)) {
					const later = end + rng.lognormal(20 * MINUTE_MS, 1.2);
					this.contact({ ...req, start: later, attempt: req.attempt + 1, abandonedBefore: true });
				}
				return result;
			}
			waitS = round1(wait);
		}

		const agent = this.pickAgent(
			teamId,
			req.start + (waitS ?? 0) * 1000,
			req.transferredFrom ? req.fromAgent : undefined
		);
		const handleS = Math.round(
			rng.lognormal(
				reason.medianHandleS *
					(CHANNEL_HANDLE_FACTOR[req.channel] ?? 1) *
					agent.speed *
					(req.attempt > 1 ? 1.12 : 1) *
					(outbound ? 0.7 : 1),
				0.42
			)
		);
		const end = req.start + ((waitS ?? 0) + handleS) * 1000;

		let outcome: Outcome;
		const specialist = reason.team;
		const misrouted = specialist !== teamId && SPECIALIST_TEAMS.includes(specialist) && !outbound;
		// Transfers between agents (DOMAIN.md target ≤ 10%): most calls that land on the wrong desk move to the
		// specialists; a few others go to a senior colleague or, when the customer is angry about it, to complaints.
		const pTransfer = misrouted ? 0.3 : teamId === 't-cc2' ? 0.09 : 0.04;
		const target: TeamId = misrouted
			? specialist
			: teamId === 't-complaint'
				? 't-cc1'
				: reason.mood <= -0.35
					? 't-complaint'
					: teamId;
		if (!outbound && req.transferredFrom === undefined && rng.bernoulli(pTransfer)) outcome = 'transferred';
		else {
			const x =
				logit(reason.agentResolve) +
				0.35 +
				0.9 * agent.skill +
				(req.attempt > 1 ? 0.45 : 0) +
				(req.transferredFrom ? 0.5 : 0) -
				(incident ? 0.7 : 0);
			outcome = rng.bernoulli(sigmoid(x)) ? 'resolved' : 'unresolved';
		}
		if (outbound) properties.direction = 'outbound';

		const event: CxEvent = {
			id,
			type: 'contact',
			ts: end,
			customerId: req.customer.id,
			channel: req.channel,
			handledBy: 'agent',
			queue,
			teamId,
			agentId: agent.id,
			reason: req.reason,
			waitS,
			handleS,
			outcome,
			properties
		};
		const angry = req.attempt > 1 || (waitS ?? 0) > 120;
		const transcript = rng.bernoulli(0.05);
		if (transcript)
			event.text = writeTranscript(rng, {
				reason: req.reason,
				outcome,
				channel: req.channel,
				transferTo: outcome === 'transferred' ? TEAM_BY_ID[target].zh : undefined,
				waitS,
				angry
			});
		this.push(event, req.customer);
		const result = { id, end, outcome };
		const grievance =
			(outcome === 'unresolved'
				? GRIEVANCE.unresolved + (req.attempt > 1 ? GRIEVANCE.repeatUnresolved : 0)
				: 0) +
			((waitS ?? 0) >= LONG_WAIT_S ? GRIEVANCE.longWait : 0) +
			(transcript && angry ? GRIEVANCE.angryText : 0);
		if (grievance > 0) this.aggrieve(req.customer, end, grievance, req.reason);

		if (outcome === 'transferred') {
			this.contact({
				...req,
				team: target,
				start: end,
				transferredFrom: id,
				handedOver: false,
				fromAgent: agent.id,
				channel: req.channel
			});
			return result;
		}
		this.survey(req, result, agent, waitS ?? 0);
		this.maybeComplaint(req, result, waitS ?? 0, incident);
		if (outcome === 'resolved' && req.chain) this.maybeRelapse(req, end);
		if (outcome === 'unresolved' && req.chain && req.attempt < 4) {
			const r = rng.next();
			if (r < 0.1) {
				// A promised callback: the outbound team rings back within a few days.
				const later = this.later(end, rng.lognormal(30 * HOUR_MS, 0.6));
				this.contact({
					...req,
					channel: 'phone',
					team: 't-outbound',
					outbound: true,
					start: later,
					attempt: req.attempt + 1,
					chain: false,
					transferredFrom: undefined
				});
			} else if (r < 0.8) {
				const later = this.later(end, rng.lognormal(80 * HOUR_MS, 0.7));
				this.contact({
					...req,
					team: undefined,
					start: later,
					attempt: req.attempt + 1,
					transferredFrom: undefined,
					abandonedBefore: false
				});
			}
		}
		return result;
	}

	/**
	 * "Resolved" is what the agent or bot recorded; a few issues come back days later (a fee charged again, a card
	 * still blocked). That is what keeps FCR below the resolution rate, mostly outside the 48-hour repeat window.
	 */
	private maybeRelapse(req: ContactRequest, end: number): void {
		if (!this.rng.bernoulli(req.handledBy === 'agent' ? 0.18 : 0.15)) return;
		const later = this.later(end, this.rng.lognormal(100 * HOUR_MS, 0.35));
		const entry: Entry = this.rng.bernoulli(0.3) ? 'phone' : req.handledBy === 'bot' ? 'app' : 'ivr';
		this.startContact(req.customer, req.reason, entry, later, req.attempt + 1, { journey: req.journey });
	}

	// ------------------------------------------------------------------------------------------ feedback

	private survey(req: ContactRequest, contact: ContactResult, agent: Agent | undefined, waitS: number): void {
		const rng = this.rng;
		if (!rng.bernoulli(SURVEY_RATE[req.channel] * (req.outbound ? 0.6 : 1))) return;
		const reason = REASON_BY_ID[req.reason];
		const incident = this.config.incidentAt(contact.end);
		let latent = 0.75 + reason.mood + (req.friction ?? 0);
		latent += req.customer.segment === 'private' ? 0.3 : req.customer.segment === 'affluent' ? 0.12 : 0;
		if (agent) latent += 0.1 + 0.65 * agent.skill;
		if (req.handledBy === 'ivr') latent -= 0.4;
		else if (req.handledBy === 'bot') latent -= 0.2;
		if (req.channel === 'video') latent += 0.1;
		if (waitS > 30) latent -= Math.min(1.4, (waitS - 30) / 100);
		if (contact.outcome === 'unresolved') latent -= 1.3;
		if (req.transferredFrom) latent -= req.handedOver ? 0.1 : 0.4;
		latent -= 0.45 * (req.attempt - 1);
		if (req.abandonedBefore) latent -= 0.3;
		if (req.journey) latent += 0.5 * JOURNEY_BY_KEY[req.journey].mood;
		// Credit cards run lower than the bank as a whole (DOMAIN.md: NPS ≈ 12 against a median of 15–20).
		if (reason.product === 'credit_card') latent -= 0.2;
		if (incident) latent -= 0.8;
		latent += rng.normal(0, 0.85);

		const ts =
			contact.end +
			Math.round(
				req.channel === 'phone' || req.channel === 'ivr'
					? rng.uniform(20, 90) * 1000
					: rng.lognormal(12 * MINUTE_MS, 1.2)
			);
		const common = {
			contactId: contact.id,
			channel: req.channel,
			teamId: agent?.teamId,
			agentId: agent?.id,
			reason: req.reason,
			journey: req.journey
		};
		const commentContext = {
			reason: req.reason,
			journey: req.journey,
			channel: req.channel,
			handledBy: req.handledBy,
			waitS,
			outcome: contact.outcome,
			attempt: req.attempt,
			transferred: req.transferredFrom !== undefined,
			agentId: agent?.id,
			breakpoint: req.breakpoint,
			incident,
			elderly: req.customer.elderly
		};
		this.answers(req.customer, ts, latent, common, commentContext, incident);
	}

	/** One survey response: CSAT always, NPS and CES on part of the questionnaires, sharing one latent mood. */
	private answers(
		customer: Customer,
		ts: number,
		latent: number,
		common: Partial<CxEvent>,
		commentContext: Omit<CommentContext, 'sentiment'>,
		incident: boolean,
		metrics: readonly FeedbackMetric[] = this.questionnaire()
	): void {
		const rng = this.rng;
		const surveyId = `s-${this.counter}`;
		metrics.forEach((metric, i) => {
			const x = latent + rng.normal(0, 0.35);
			let score: number;
			let sentiment: Sentiment;
			let commentRate: number;
			if (metric === 'nps') {
				score = clamp(Math.round(7.6 + 1.9 * x), 0, 10);
				sentiment =
					score >= 9 ? 'positive' : score >= 7 ? (rng.bernoulli(0.4) ? 'positive' : 'neutral') : 'negative';
				commentRate = 0.5;
			} else if (metric === 'csat') {
				score = clamp(Math.round(4.15 + 0.95 * x), 1, 5);
				sentiment =
					score === 5
						? 'positive'
						: score === 4
							? rng.bernoulli(0.55)
								? 'positive'
								: 'neutral'
							: score === 3
								? 'neutral'
								: 'negative';
				commentRate = 0.35;
			} else {
				score = clamp(Math.round(5.3 + 1.3 * x), 1, 7);
				sentiment = score >= 6 ? 'positive' : score >= 4 ? 'neutral' : 'negative';
				commentRate = 0.3;
			}
			const event: CxEvent = {
				id: this.nextId(),
				type: 'feedback',
				ts: ts + i * 7000,
				customerId: customer.id,
				...common,
				metric,
				score,
				properties: { surveyId }
			};
			const commented = rng.bernoulli(commentRate * (sentiment === 'negative' ? 1.3 : 1));
			if (commented) event.text = writeComment(rng, { ...commentContext, sentiment, incident });
			this.push(event, customer);
			const grievance =
				(commented && sentiment === 'negative' ? GRIEVANCE.angryText : 0) +
				(metric === 'nps' && score <= 6 ? GRIEVANCE.detractor : 0);
			if (grievance > 0) this.aggrieve(customer, event.ts, grievance, commentContext.reason);
		});
	}

	private questionnaire(): FeedbackMetric[] {
		const metrics: FeedbackMetric[] = ['csat'];
		if (this.rng.bernoulli(0.6)) metrics.unshift('nps');
		if (this.rng.bernoulli(0.4)) metrics.push('ces');
		return metrics;
	}

	// ------------------------------------------------------------------------------------------ complaints

	private maybeComplaint(
		req: ContactRequest,
		contact: ContactResult,
		waitS: number,
		incident: boolean
	): void {
		const rng = this.rng;
		// At the contact itself; more complaints follow days later from the customer's grievance (see `aggrieve`).
		let p = 0.00003;
		if (req.reason === 'complaint') p += 0.008;
		if (req.reason === 'collection') p += 0.002;
		if (req.reason === 'fraud_dispute') p += 0.0008;
		if (contact.outcome === 'unresolved') p += req.attempt >= 2 ? 0.0015 : 0.0002;
		if (contact.outcome === 'abandoned' && req.attempt >= 3) p += 0.001;
		if (waitS > 180) p += 0.0005;
		if (incident) p *= 3;
		if (!rng.bernoulli(p)) return;
		this.fileComplaint(
			req.customer,
			contact.end,
			REASON_BY_ID[req.reason],
			contact.id,
			req.channel,
			incident
		);
	}

	/** A formal complaint: the complaint event and the start of the complaint journey (through a 12378 referral or not). */
	fileComplaint(
		customer: Customer,
		ts: number,
		reason: ContactReason | undefined,
		contactId: string | undefined,
		channel: Channel | undefined,
		incident: boolean
	): void {
		const rng = this.rng;
		const regulator = rng.bernoulli(incident ? 0.25 : 0.17);
		let category: ProductLine;
		if (regulator) category = this.regulatorCategory();
		else if (!reason || reason.id === 'complaint') category = rng.fromTable(COMPLAINT_PRODUCT);
		else category = reason.product;
		const severity: ComplaintSeverity = regulator
			? rng.weighted(['medium', 'high', 'critical'], [0.3, 0.5, 0.2])
			: rng.weighted(['low', 'medium', 'high', 'critical'], [0.35, 0.42, 0.19, 0.04]);
		// A regulator referral reaches the bank days after the customer went to 12378.
		const received = regulator ? ts + rng.lognormal(2 * DAY_MS, 0.5) : ts + 1000;
		const ticketId = `T${chinaDate(received).replaceAll('-', '')}${String(this.counter % 100000).padStart(5, '0')}`;
		const properties: Record<string, unknown> = {
			ticketId,
			issue: (!regulator && reason && REASON_ISSUE[reason.id]) || rng.pick(COMPLAINT_ISSUES[category]),
			source: regulator ? 'regulator_referred_12378' : (channel ?? 'phone')
		};
		if (contactId) properties.contactId = contactId;
		this.push(
			{
				id: this.nextId(),
				type: 'complaint',
				ts: received,
				customerId: customer.id,
				channel: regulator ? undefined : channel === 'ivr' ? 'phone' : channel,
				reason: reason?.id,
				contactId,
				category,
				severity,
				regulator,
				properties
			},
			customer
		);
		this.walkComplaint(customer, received, regulator, channel, ticketId, severity);
	}

	/**
	 * Regulator referrals are few (a few dozen in 90 days), so their products are dealt by quota rather than drawn:
	 * the category furthest below its share comes next. The split then holds in any window, not just on average.
	 */
	private regulatorCategory(): ProductLine {
		const total = this.regulatorCounts.reduce((a, b) => a + b, 0) + 1;
		let best = 0;
		let bestDeficit = -Infinity;
		REGULATOR_SHARES.forEach(([, share], i) => {
			const deficit = share * total - this.regulatorCounts[i] + this.rng.next() * 0.3;
			if (deficit > bestDeficit) {
				bestDeficit = deficit;
				best = i;
			}
		});
		this.regulatorCounts[best]++;
		return REGULATOR_SHARES[best][0];
	}

	// ------------------------------------------------------------------------------------------ journeys

	private journeyEvent(
		customer: Customer,
		journey: JourneyKey,
		name: string,
		ts: number,
		channel: Channel | undefined,
		properties: Record<string, unknown>
	): void {
		this.push(
			{ id: this.nextId(), type: 'journey', ts, customerId: customer.id, channel, name, journey, properties },
			customer
		);
	}

	private stepChannel(step: JourneyStep, customer: Customer): Channel | undefined {
		if (step.channels.length === 0) return undefined;
		if (step.channels.length === 1) return step.channels[0].channel;
		return this.rng.weighted(
			step.channels.map((c) => c.channel),
			step.channels.map((c) =>
				// Older customers lean on the phone and IVR where a step offers them.
				customer.elderly && (c.channel === 'phone' || c.channel === 'ivr') ? c.weight * 1.8 : c.weight
			)
		);
	}

	private stepDelay(step: JourneyStep): number {
		if (step.after.medianS <= 0) return 0;
		const sigma =
			Math.log(Math.max(step.after.p90S, step.after.medianS * 1.01) / step.after.medianS) / 1.2816;
		return this.rng.lognormal(step.after.medianS, sigma) * 1000;
	}

	private breakpointRate(bp: JourneyBreakpoint, customer: Customer, incident: boolean): number {
		const rate = customer.elderly && bp.elderlyRate !== undefined ? bp.elderlyRate : bp.rate;
		return incident && bp.kind !== 'loop' ? Math.min(0.95, rate * 1.6) : rate;
	}

	/** Walks a customer through a journey definition from `ts`, emitting steps, contacts and breakpoints. */
	walkJourney(
		def: JourneyDefinition,
		ts: number,
		given?: Customer,
		startProperties: Record<string, unknown> = {}
	): void {
		const rng = this.rng;
		const customer = given ?? this.pickCustomer(def.newCustomerShare, ts);
		const breakpoints = def.breakpoints;
		let t = ts;
		let failed = false;
		let friction = 0;
		let loops = 0;
		let lastChannel: Channel | undefined;
		let stageIndex = 0;
		while (stageIndex < def.stages.length) {
			const stage = def.stages[stageIndex];
			if (stage.onlyAfterFailure && !failed) {
				stageIndex++;
				continue;
			}
			if (failed && !stage.onlyAfterFailure) return;
			failed = false;
			const step =
				stage.steps.length === 1
					? stage.steps[0]
					: rng.weighted(
							stage.steps,
							stage.steps.map((s) => s.share ?? 1)
						);
			t = this.later(t, this.stepDelay(step));
			const incident = this.config.incidentAt(t);
			let channel = this.stepChannel(step, customer);
			const properties: Record<string, unknown> = stageIndex === 0 ? { ...startProperties } : {};
			const here = breakpoints.filter((b) => b.step === step.name);

			// A channel switch: the customer tries the step on a self-service channel, fails there and completes it
			// on an assisted one (failure demand).
			for (const bp of here) {
				if (bp.kind !== 'channel_switch' || !bp.contact || !channel || !bp.fromChannels?.includes(channel))
					continue;
				if (!rng.bernoulli(this.breakpointRate(bp, customer, incident))) continue;
				const failedContact = this.contact({
					customer,
					reason: bp.contact.reason,
					channel,
					handledBy: channel === 'ivr' ? 'ivr' : 'bot',
					start: t,
					attempt: 1,
					chain: false,
					journey: def.key,
					step: step.name,
					breakpoint: bp.id
				});
				t = failedContact.end + rng.uniform(0.05, 1) * bp.contact.withinHours * HOUR_MS;
				channel = bp.contact.channel;
				friction -= 0.5;
				properties.switchedFrom = lastChannel ?? 'ivr';
			}

			// A step that is itself an interaction with the center brings its contact (an abandoned one is retried).
			if (step.contact && channel && step.contact.channels.includes(channel)) {
				let attempt = 1;
				for (;;) {
					const result = this.contact({
						customer,
						reason: step.contact.reason,
						channel,
						handledBy: channel === 'ivr' ? 'ivr' : channel === 'bot' ? 'bot' : 'agent',
						start: t,
						attempt,
						chain: false,
						outbound: step.contact.outbound,
						team: step.contact.outbound
							? def.key === 'complaint'
								? 't-complaint'
								: step.name === 'post_sale_visit'
									? 't-outbound'
									: 't-wealth'
							: undefined,
						journey: def.key,
						step: step.name,
						friction
					});
					t = result.end;
					if (result.outcome !== 'abandoned' || attempt >= 3) break;
					friction -= 0.4;
					attempt++;
					t += rng.lognormal(40 * MINUTE_MS, 1);
				}
			}

			// Retry: the attempt fails; some succeed at once on a second go, the rest take the failure stage or stop.
			const retry = here.find((b) => b.kind === 'retry');
			if (retry && rng.bernoulli(this.breakpointRate(retry, customer, incident))) {
				this.journeyEvent(customer, def.key, step.name, t, channel, {
					...properties,
					status: 'failed',
					attempt: 1
				});
				friction -= 0.5;
				if (rng.bernoulli(retry.recoverRate ?? 0)) {
					t += rng.lognormal(3 * MINUTE_MS, 1);
					properties.attempt = 2;
				} else {
					failed = true;
					for (const bp of here) {
						if (bp.kind !== 'failure_demand' || !bp.onFailure || !bp.contact) continue;
						if (!rng.bernoulli(this.breakpointRate(bp, customer, incident))) continue;
						this.failureDemand(customer, def, bp, t, friction);
						friction -= 0.4;
					}
					if (!def.stages.some((s) => s.onlyAfterFailure)) {
						this.journeyDropSurvey(customer, def, t, friction, retry.id);
						return;
					}
					lastChannel = channel;
					stageIndex++;
					continue;
				}
			}

			const drop = here.find(
				(b) => b.kind === 'drop' && rng.bernoulli(this.breakpointRate(b, customer, incident))
			);
			if (drop?.property) properties[drop.property[0]] = drop.property[1];
			if (def.slaDays && step.name === 'closed' && t - ts > def.slaDays * DAY_MS) properties.overdue = true;
			this.journeyEvent(customer, def.key, step.name, t, channel, properties);
			lastChannel = channel ?? lastChannel;

			for (const bp of here) {
				if (bp.kind !== 'failure_demand' || bp.onFailure || !bp.contact) continue;
				if (!rng.bernoulli(this.breakpointRate(bp, customer, incident))) continue;
				this.failureDemand(customer, def, bp, t, friction);
				friction -= 0.4;
			}
			if (step.opensComplaint) {
				this.fileComplaint(customer, t, REASON_BY_ID[def.reason], undefined, channel, incident);
				return;
			}
			if (drop) {
				this.journeyDropSurvey(customer, def, t, friction, drop.id);
				return;
			}
			if (step.final) return;
			const loop = here.find((b) => b.kind === 'loop');
			if (loop && loops < 2 && rng.bernoulli(this.breakpointRate(loop, customer, incident))) {
				loops++;
				friction -= 0.6;
				stageIndex = def.stages.findIndex((s) => s.steps.some((x) => x.name === loop.backTo));
				continue;
			}
			stageIndex++;
		}
		// Completed: an end-of-journey survey.
		if (rng.bernoulli(def.surveyRate))
			this.journeySurvey(customer, def, this.later(t, rng.lognormal(2 * HOUR_MS, 1)), friction, lastChannel);
	}

	private failureDemand(
		customer: Customer,
		def: JourneyDefinition,
		bp: JourneyBreakpoint,
		t: number,
		friction: number
	): void {
		if (!bp.contact) return;
		const start = this.later(t, this.rng.uniform(0.02, 1) * bp.contact.withinHours * HOUR_MS);
		const entry: Entry =
			bp.contact.channel === 'phone'
				? this.rng.bernoulli(0.3)
					? 'ivr'
					: 'phone'
				: (bp.contact.channel as Entry);
		this.startContact(customer, bp.contact.reason, entry, start, 1, {
			journey: def.key,
			breakpoint: bp.id,
			friction: friction - 0.3
		});
	}

	private journeySurvey(
		customer: Customer,
		def: JourneyDefinition,
		ts: number,
		friction: number,
		channel: Channel | undefined
	): void {
		let latent = 0.25 + def.mood + friction + this.rng.normal(0, 0.85);
		latent += customer.segment === 'private' ? 0.3 : customer.segment === 'affluent' ? 0.1 : 0;
		if (CREDIT_CARD_JOURNEYS.includes(def.key)) latent -= 0.3;
		const incident = this.config.incidentAt(ts);
		this.answers(
			customer,
			ts,
			latent,
			{
				channel: channel === 'phone' || channel === 'ivr' ? channel : 'app',
				journey: def.key,
				reason: def.reason
			},
			{
				reason: def.reason,
				journey: def.key,
				channel: channel ?? 'app',
				attempt: 1,
				incident,
				elderly: customer.elderly
			},
			incident,
			this.rng.bernoulli(0.5) ? ['nps', 'ces'] : ['nps']
		);
	}

	/** A few customers who stop answer the "why did you stop?" pulse question (CES with a comment). */
	private journeyDropSurvey(
		customer: Customer,
		def: JourneyDefinition,
		ts: number,
		friction: number,
		breakpoint: string
	): void {
		if (!this.rng.bernoulli(0.04)) return;
		const incident = this.config.incidentAt(ts);
		this.answers(
			customer,
			ts + this.rng.lognormal(HOUR_MS, 1),
			def.mood + friction - 0.8 + this.rng.normal(0, 0.8),
			{ channel: 'app', journey: def.key, reason: def.reason },
			{
				reason: def.reason,
				journey: def.key,
				channel: 'app',
				attempt: 1,
				breakpoint,
				incident,
				elderly: customer.elderly
			},
			incident,
			['ces']
		);
	}

	private walkComplaint(
		customer: Customer,
		ts: number,
		regulator: boolean,
		channel: Channel | undefined,
		ticketId: string,
		severity: ComplaintSeverity
	): void {
		const def = JOURNEY_BY_KEY.complaint;
		// The first step's channel follows how the complaint came in; a 12378 referral has none.
		const first: Channel | undefined = regulator
			? undefined
			: channel === 'branch'
				? 'branch'
				: channel === undefined || channel === 'phone' || channel === 'ivr' || channel === 'video'
					? 'phone'
					: 'app';
		const properties: Record<string, unknown> = { ticketId, severity };
		if (regulator) properties.source = 'regulator_referred_12378';
		this.journeyEvent(customer, 'complaint', 'complaint_received', ts, first, properties);
		const rest: JourneyDefinition = { ...def, stages: def.stages.slice(1) };
		this.walkJourney(rest, ts, customer, { ticketId });
	}

	// ------------------------------------------------------------------------------------------ grievance

	private growGrievance(i: number): void {
		if (i < this.grievance.length) return;
		const size = Math.max(i + 1, this.grievance.length * 2);
		const grow = (a: Float64Array) => {
			const b = new Float64Array(size);
			b.set(a);
			return b;
		};
		this.grievance = grow(this.grievance);
		this.grievanceAt = grow(this.grievanceAt);
		this.complaintDue = grow(this.complaintDue);
		this.settledAt = grow(this.settledAt);
		const reasons = new Uint8Array(size);
		reasons.set(this.grievanceReason);
		this.grievanceReason = reasons;
	}

	/** A customer's grievance at `ts` (by slot): what it was after the latest bad experience, halved every week since. */
	private grievanceOf(i: number, ts: number): number {
		if (i >= this.grievance.length || this.grievance[i] === 0) return 0;
		return this.grievance[i] * 0.5 ** (Math.max(0, ts - this.grievanceAt[i]) / GRIEVANCE_HALF_LIFE_MS);
	}

	/** A time on the day of `ts` at an hour customers are active (or, for the outbound team, in office hours). */
	private dayTime(ts: number, rng: Random, office = false): number {
		const hour = office ? 9 + rng.next() * 8 : rng.fromTable(ACTIVE_HOUR_TABLE) + rng.next();
		return Math.round(ts - (chinaHour(ts) + (ts % HOUR_MS) / HOUR_MS - hour) * HOUR_MS);
	}

	/** A bad experience at `ts`: the grievance grows, and a complaint may follow days later (see GRIEVANCE). */
	private aggrieve(customer: Customer, ts: number, amount: number, reason: ReasonId | undefined): void {
		const i = this.slot(customer.n);
		this.growGrievance(i);
		const before = this.grievanceOf(i, ts);
		const g = before + amount;
		this.grievance[i] = g;
		this.grievanceAt[i] = ts;
		if (reason) this.grievanceReason[i] = REASON_CODE[reason];
		if (this.complaintDue[i] > ts) return;
		const rng = this.riskRng;
		// The chance grows with the grievance, not with the number of small annoyances: the step from F(before) to
		// F(g), as a hazard.
		const p = (complaintChance(g) - complaintChance(before)) / (1 - complaintChance(before));
		if (!rng.bernoulli(p)) return;
		const due = Math.max(ts + HOUR_MS, this.dayTime(ts + rng.uniform(2, 12) * DAY_MS, rng));
		const channel: Channel = rng.bernoulli(0.7) ? 'phone' : 'app';
		this.complaintDue[i] = due;
		this.heap.push({
			ts: due,
			seq: this.seq++,
			event: null,
			customer,
			act: () => {
				this.complaintDue[i] = 0;
				// An outreach call settled the matter after the grievance that led here: no complaint.
				if (this.settledAt[i] > ts) return;
				const about = reason && reason !== 'complaint' ? REASON_BY_ID[reason] : undefined;
				this.fileComplaint(customer, due, about, undefined, channel, this.config.incidentAt(due));
			}
		});
	}

	/**
	 * The demo's outreach audience, run as a bank would (issue 19): at `ts`, the `size` customers with the highest
	 * grievance (at least `minGrievance`) are split by the stable hash for `audienceId` (outreach/split.ts); the
	 * outbound team calls every treatment member within three days, a contact tagged with the audience, and a call
	 * that resolves the matter settles it: a complaint still to come is not filed. The holdout is left alone.
	 */
	plantOutreach(
		ts: number,
		options: { audienceId: number; holdoutPercent: number; size: number; minGrievance: number }
	): OutreachPlan {
		const ranked: { c: Customer; g: number; i: number }[] = [];
		for (let i = 0; i < this.customers.length; i++) {
			const c = this.customers[i];
			if (!c) continue;
			const g = this.grievanceOf(i, ts);
			if (g >= options.minGrievance) ranked.push({ c, g, i });
		}
		ranked.sort((a, b) => b.g - a.g || a.c.n - b.c.n);
		const members = ranked.slice(0, options.size).sort((a, b) => (a.c.id < b.c.id ? -1 : 1));
		const rng = this.riskRng;
		let treatment = 0;
		for (const m of members) {
			if (groupOf(options.audienceId, m.c.id, options.holdoutPercent) === 'holdout') continue;
			treatment++;
			const at = this.dayTime(ts + rng.uniform(0.2, 3) * DAY_MS, rng, true);
			this.heap.push({
				ts: Math.max(ts, at),
				seq: this.seq++,
				event: null,
				customer: m.c,
				act: () => {
					const code = this.grievanceReason[m.i];
					const result = this.contact({
						customer: m.c,
						reason: code ? REASONS[code - 1].id : 'bill_inquiry',
						channel: 'phone',
						handledBy: 'agent',
						start: Math.max(ts, at),
						attempt: 1,
						chain: false,
						team: 't-outbound',
						outbound: true,
						audience: options.audienceId
					});
					if (result.outcome === 'resolved') {
						this.settledAt[m.i] = result.end;
						this.grievance[m.i] = 0;
					}
				}
			});
		}
		return {
			audienceId: options.audienceId,
			createdAt: ts,
			holdoutPercent: options.holdoutPercent,
			customerIds: members.map((m) => m.c.id),
			treatment
		};
	}

	// ------------------------------------------------------------------------------------------ draining

	/**
	 * Pops every event that happened before `until`, in time order. Events before `emitFrom` are dropped (the
	 * warm-up of the history); a customer's identify event is written just before their first kept event.
	 */
	drain(until: number, emitFrom = -Infinity): CxEvent[] {
		const out: CxEvent[] = [];
		for (let next = this.heap.peek(); next && next.ts < until; next = this.heap.peek()) {
			this.heap.pop();
			const e = next.event;
			if (e === null) {
				next.act?.();
				continue;
			}
			if (next.ts < emitFrom) {
				if (e.type === 'contact') this.droppedContacts.add(e.id);
				continue;
			}
			// A survey about a contact from before the window would point at nothing; a complaint stands on its own.
			if (e.contactId && this.droppedContacts.has(e.contactId)) {
				if (e.type === 'feedback') continue;
				e.contactId = undefined;
				delete e.properties.contactId;
			}
			const c = next.customer;
			if (this.markIdentified(c)) {
				out.push({
					id: `${this.config.idPrefix}i${c.n}`,
					type: 'identify',
					ts: next.ts,
					customerId: c.id,
					traits: { segment: c.segment, tier: c.tier, region: c.region.id, city: c.city, ageBand: c.ageBand },
					properties: {}
				});
			}
			out.push(e);
		}
		return out;
	}
}
