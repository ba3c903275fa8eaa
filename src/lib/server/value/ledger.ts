import { CHANNELS, type Channel } from '$lib/model';
import type { Db } from '$lib/server/db';
import { asStorage, type Storage } from '$lib/server/db/storage';
import * as metrics from '$lib/server/metrics';
import type { CxQuery } from '$lib/server/metrics';
import { DAY_MS, CHINA_OFFSET_MS } from '$lib/server/metrics/time';
import { instanceGroups, switchSignatures } from '$lib/server/journeys/groups';
import { listJourneys } from '$lib/server/journeys/registry';
import { stepKey } from '$lib/server/journeys/definitions';
import * as outreach from '$lib/server/outreach';
import { recoveries } from '$lib/server/cases';
import { MIN_N, newcombe, type Interval } from '$lib/server/stats';
import type { Rates } from './rates';
import { ratePeriods, rateVersions, versionAt, type RateVersion } from './settings';

/**
 * The value ledger (issue 20; DOMAIN.md "Cost and value ledger"): what service cost, what self-service saved, what
 * failure demand wasted and what follow-ups and outreach created, for a period and the filter bar's filters.
 *
 * Contacts and chains come from the metrics rollups (`metrics.kpiMeasures` by channel and by reason: the smallest
 * cuboid holding the filters, never a raw scan for the usual filters), channel switches from the journey instances'
 * shapes, outreach lifts from the audiences' results and recoveries from the follow-up cases. The period is cut where
 * a new version of the rates takes effect, and each piece is priced by the version in force in it, so a change of
 * rates never rewrites the months before it. Every figure carries its formula and inputs; estimated inputs (a lift, a
 * recovery rate) carry their 95% interval through.
 */

export interface Figure {
	/** Yuan (null: not estimable, e.g. under the minimum n). */
	value: number | null;
	ci95?: Interval | null;
	formula: string;
	inputs: Record<string, unknown>;
}

export interface ChannelCost extends Figure {
	channel: string;
	contacts: number;
	/** Handle minutes of agent-answered contacts. */
	agentMinutes: number;
	/** Counted contacts not asking for an agent: bot or IVR sessions. */
	selfServiceSessions: number;
	agentCost: number;
	selfServiceCost: number;
	cost: number;
	costPerContact: number | null;
	chains: number;
	/** chains × the share of judged chains (48 h window closed) not repeated within 48 h. */
	resolvedChains: number;
	costPerResolved: number | null;
}

export interface ReasonSaving {
	reason: string;
	contained: number;
	/** Judged chains of the reason that were not contained (an agent or an unresolved self-service). */
	assistedChains: number;
	agentCostPerChain: number | null;
	selfServiceCostPerChain: number;
	savings: number | null;
}

export interface SwitchCost {
	journey: string;
	step: string;
	event: string;
	fromChannel: string;
	toChannel: string;
	switches: number;
	costPerContact: number | null;
	cost: number;
	/** The journey page's drill-down of this breakpoint. */
	breakpoint: string;
}

export interface AudienceValue extends Figure {
	id: number;
	name: string;
	createdAt: string;
	treatmentN: number;
	lift: number | null;
	lift95: Interval | null;
	conversions: number | null;
	conversions95: Interval | null;
	valuePerConversion: number;
	calls: number;
	callCost: number;
}

export interface Ledger {
	from: string;
	to: string;
	costs: {
		byChannel: ChannelCost[];
		outbound: Figure & { calls: number };
		total: Figure;
	};
	savings: Figure & { byReason: ReasonSaving[]; pending: number };
	failureDemand: Figure & {
		repeats: Figure & {
			byChannel: { channel: string; repeatChains: number; costPerChain: number | null; cost: number }[];
		};
		switches: Figure & { available: boolean; byStep: SwitchCost[] };
	};
	valueCreated: Figure & {
		outreach: Figure & { audiences: AudienceValue[] };
		recovered: Figure & {
			followed: { n: number; recovered: number; rate: number | null };
			baseline: { n: number; recovered: number; rate: number | null };
			recoveredBeyond: number | null;
			recoveredBeyond95: Interval | null;
		};
	};
	net: Figure;
	waterfall: { key: WaterfallKey; value: number; start: number; end: number }[];
	trend: {
		month: string;
		from: string;
		to: string;
		cost: number;
		savings: number;
		failureDemand: number;
		valueCreated: number;
		net: number;
	}[];
	inputs: { rates: { effectiveFrom: string | null; from: string; to: string; rates: Rates }[] };
}

export type WaterfallKey = 'cost' | 'failureDemand' | 'savings' | 'outreach' | 'recovered' | 'net';

type Q = Pick<CxQuery, 'from' | 'to' | 'filters' | 'scope'>;

const round2 = (x: number) => Math.round(x * 100) / 100;
const div = (a: number, b: number) => (b > 0 ? a / b : null);
const iso = (ms: number) => new Date(ms).toISOString();
const isChannel = (c: string): c is Channel => (CHANNELS as readonly string[]).includes(c);

/** A self-service session's rate: the IVR's on the ivr channel, the bot's on every other channel. */
export const sessionRate = (channel: string, r: Rates) => (channel === 'ivr' ? r.ivrSession : r.botSession);

/** The China months [start, end) that [from, to) touches, clipped to it. */
export function monthsOf(from: number, to: number): { month: string; from: number; to: number }[] {
	const out: { month: string; from: number; to: number }[] = [];
	let d = new Date(from + CHINA_OFFSET_MS);
	let start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - CHINA_OFFSET_MS;
	while (start < to) {
		d = new Date(start + CHINA_OFFSET_MS);
		const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - CHINA_OFFSET_MS;
		out.push({
			month: `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`,
			from: Math.max(from, start),
			to: Math.min(to, next)
		});
		start = next;
	}
	return out;
}

/** Sums of intervals of independent estimates: the point estimates add, the half-widths add in quadrature. */
function sumIntervals(parts: { value: number; ci95: Interval | null }[]): Interval | null {
	if (parts.length === 0) return null;
	if (parts.some((p) => p.ci95 === null)) return null;
	const value = parts.reduce((s, p) => s + p.value, 0);
	const lo = Math.sqrt(parts.reduce((s, p) => s + (p.value - (p.ci95 as Interval)[0]) ** 2, 0));
	const hi = Math.sqrt(parts.reduce((s, p) => s + ((p.ci95 as Interval)[1] - p.value) ** 2, 0));
	return [value - lo, value + hi];
}

interface Piece {
	from: number;
	to: number;
	version: RateVersion;
}

interface ChannelAcc {
	contacts: number;
	agentMinutes: number;
	sessions: number;
	agentCost: number;
	sessionCost: number;
	chains: number;
	resolved: number;
	repeatChains: number;
	repeatCost: number;
	handleN: number;
	/** rates used, per piece, for the inputs. */
	rates: { agentMinute: number; session: number }[];
}

interface ReasonAcc {
	contained: number;
	assisted: number;
	agentCost: number;
	agentChains: number;
	savings: number;
	sessionCost: number;
	estimable: boolean;
}

/** The ledger of a query (`from`, `to`, the filter bar's filters, the caller's scope). */
export async function valueLedger(target: Db | Storage, q: Q, now = Date.now()): Promise<Ledger> {
	const storage = asStorage(target);
	const versions = await rateVersions(storage);
	const months = monthsOf(q.from, q.to);
	const total = await ledgerOf(storage, q, versions, now);
	const trend =
		months.length <= 1
			? months.map((m) => trendPoint(m, total))
			: await Promise.all(
					months.map(async (m) =>
						trendPoint(m, await ledgerOf(storage, { ...q, from: m.from, to: m.to }, versions, now))
					)
				);
	return { ...total, trend };
}

function trendPoint(
	m: { month: string; from: number; to: number },
	l: Omit<Ledger, 'trend'>
): Ledger['trend'][number] {
	return {
		month: m.month,
		from: iso(m.from),
		to: iso(m.to),
		cost: l.costs.total.value ?? 0,
		savings: l.savings.value ?? 0,
		failureDemand: l.failureDemand.value ?? 0,
		valueCreated: l.valueCreated.value ?? 0,
		net: l.net.value ?? 0
	};
}

async function ledgerOf(
	storage: Storage,
	q: Q,
	versions: readonly RateVersion[],
	now: number
): Promise<Omit<Ledger, 'trend'>> {
	const pieces: Piece[] = ratePeriods(versions, q.from, q.to);
	const channels = new Map<string, ChannelAcc>();
	const reasons = new Map<string, ReasonAcc>();
	let pending = 0;
	const switchCosts = new Map<string, SwitchCost>();
	const filtered = q.scope.teams !== null || Object.values(q.filters).some((v) => v && v.length > 0);

	for (const p of pieces) {
		const r = p.version.rates;
		const base = { ...q, from: p.from, to: p.to, grain: null, compare: null, standardise: false } as CxQuery;
		const byChannel = await metrics.kpiMeasures(storage, { ...base, by: 'channel' }, now);
		const byReason = await metrics.kpiMeasures(storage, { ...base, by: 'reason' }, now);
		let agentMinutes = 0;
		let agentCost = 0;
		let sessions = 0;
		let sessionCost = 0;
		const handled = new Map<string, { cost: number; n: number }>();
		for (const row of byChannel.rows) {
			const c = row.group ?? '';
			const m = row.measures;
			const rate = isChannel(c) ? r.agentMinute[c] : 0;
			const minutes = m.handleSum / 60;
			const s = m.contacts - m.offered;
			const cost = minutes * rate + s * sessionRate(c, r);
			const resolvedShare = m.chainsJudged > 0 ? (m.chainsJudged - m.repeated48h) / m.chainsJudged : 0;
			let acc = channels.get(c);
			if (!acc)
				channels.set(
					c,
					(acc = {
						contacts: 0,
						agentMinutes: 0,
						sessions: 0,
						agentCost: 0,
						sessionCost: 0,
						chains: 0,
						resolved: 0,
						repeatChains: 0,
						repeatCost: 0,
						handleN: 0,
						rates: []
					})
				);
			acc.contacts += m.contacts;
			acc.agentMinutes += minutes;
			acc.sessions += s;
			acc.agentCost += minutes * rate;
			acc.sessionCost += s * sessionRate(c, r);
			acc.chains += m.chains;
			acc.resolved += m.chains * resolvedShare;
			acc.repeatChains += m.repeated48h;
			acc.repeatCost += m.chains > 0 ? m.repeated48h * (cost / m.chains) : 0;
			acc.handleN += m.handleN;
			acc.rates.push({ agentMinute: rate, session: sessionRate(c, r) });
			agentMinutes += minutes;
			agentCost += minutes * rate;
			sessions += s;
			sessionCost += s * sessionRate(c, r);
			handled.set(c, { cost: minutes * rate, n: m.handleN });
		}
		// Savings: contained chains × (agent cost of an average assisted chain of the reason − a self-service
		// session). Agent minutes of a reason are priced at the piece's blended rate (channels weighted by minutes).
		const blended = agentMinutes > 0 ? agentCost / agentMinutes : 0;
		const perSession = sessions > 0 ? sessionCost / sessions : r.botSession;
		for (const row of byReason.rows) {
			const reason = row.group ?? '';
			const m = row.measures;
			pending += row.pending[1] ?? 0;
			const assisted = Math.max(0, m.chainsJudged - m.contained);
			const assistedAll = m.chainsJudged > 0 ? m.chains * (assisted / m.chainsJudged) : 0;
			const cost = (m.handleSum / 60) * blended;
			let acc = reasons.get(reason);
			if (!acc)
				reasons.set(
					reason,
					(acc = {
						contained: 0,
						assisted: 0,
						agentCost: 0,
						agentChains: 0,
						savings: 0,
						sessionCost: 0,
						estimable: true
					})
				);
			acc.contained += m.contained;
			acc.assisted += assisted;
			acc.agentCost += cost;
			acc.agentChains += assistedAll;
			acc.sessionCost = perSession;
			const perChain = assistedAll > 0 ? cost / assistedAll : 0;
			acc.savings += m.contained * Math.max(0, perChain - perSession);
		}
		// Channel switches after a digital step: one assisted contact on the channel switched to, at its average
		// agent cost in the piece. Journeys are not kept by team: only for an unfiltered, unscoped ledger.
		if (!filtered) {
			for (const j of await listJourneys(storage)) {
				const groups = await instanceGroups(
					storage,
					j.definition.key,
					{ from: p.from, to: p.to, segment: null, channel: null },
					now
				);
				for (const g of groups)
					for (const sig of switchSignatures(g.switches)) {
						const at = sig.lastIndexOf('@');
						const event = sig.slice(0, at);
						const [fromChannel, toChannel] = sig.slice(at + 1).split('>');
						const h = handled.get(toChannel);
						const perContact = h && h.n > 0 ? h.cost / h.n : null;
						const key = `${j.definition.key}\u0001${sig}`;
						const step = j.definition.steps.find((s) => s.events.includes(event));
						let acc = switchCosts.get(key);
						if (!acc)
							switchCosts.set(
								key,
								(acc = {
									journey: j.definition.key,
									step: step ? stepKey(step) : event,
									event,
									fromChannel,
									toChannel,
									switches: 0,
									costPerContact: perContact,
									cost: 0,
									breakpoint: `switch:${sig}`
								})
							);
						acc.switches += g.count;
						acc.cost += g.count * (perContact ?? 0);
					}
			}
		}
	}

	// ---- costs by channel
	const byChannel: ChannelCost[] = [...channels]
		.filter(([c]) => c !== '')
		.map(([channel, a]) => {
			const cost = a.agentCost + a.sessionCost;
			return {
				channel,
				contacts: a.contacts,
				agentMinutes: round2(a.agentMinutes),
				selfServiceSessions: a.sessions,
				agentCost: round2(a.agentCost),
				selfServiceCost: round2(a.sessionCost),
				cost: round2(cost),
				costPerContact: div(cost, a.contacts),
				chains: a.chains,
				resolvedChains: round2(a.resolved),
				costPerResolved: div(cost, a.resolved),
				value: round2(cost),
				formula: 'agent minutes × cost per agent minute + self-service sessions × cost per session',
				inputs: { agentMinutes: a.agentMinutes, selfServiceSessions: a.sessions, rates: a.rates }
			};
		})
		.sort((a, b) => b.cost - a.cost);

	// ---- outreach (value and outbound calls) and recoveries
	const audiences = await outreachValues(storage, q, versions, now);
	const calls = audiences.reduce((s, a) => s + a.calls, 0);
	const callCost = audiences.reduce((s, a) => s + a.callCost, 0);
	const contactCost = byChannel.reduce((s, c) => s + c.agentCost + c.selfServiceCost, 0);
	const totalCost = contactCost + callCost;

	// ---- savings
	const byReason: ReasonSaving[] = [...reasons]
		.filter(([reason]) => reason !== '')
		.map(([reason, a]) => {
			const estimable = a.assisted >= MIN_N;
			return {
				reason,
				contained: a.contained,
				assistedChains: a.assisted,
				agentCostPerChain: a.agentChains > 0 ? a.agentCost / a.agentChains : null,
				selfServiceCostPerChain: a.sessionCost,
				savings: estimable ? round2(a.savings) : null
			};
		})
		.sort((a, b) => (b.savings ?? -1) - (a.savings ?? -1));
	const savings = byReason.reduce((s, r) => s + (r.savings ?? 0), 0);

	// ---- failure demand
	const repeatsByChannel = [...channels]
		.filter(([c]) => c !== '')
		.map(([channel, a]) => ({
			channel,
			repeatChains: a.repeatChains,
			costPerChain: div(a.agentCost + a.sessionCost, a.chains),
			cost: round2(a.repeatCost)
		}))
		.filter((r) => r.repeatChains > 0)
		.sort((a, b) => b.cost - a.cost);
	const repeatCost = repeatsByChannel.reduce((s, r) => s + r.cost, 0);
	const byStep = [...switchCosts.values()]
		.map((s) => ({ ...s, cost: round2(s.cost) }))
		.sort((a, b) => b.cost - a.cost);
	const switchCost = byStep.reduce((s, r) => s + r.cost, 0);
	// Switch contacts can themselves be repeat chains: the sum is capped at the cost of service.
	const failureDemand = Math.min(totalCost, repeatCost + switchCost);

	const outreachValue = audiences.reduce((s, a) => s + (a.value ?? 0), 0);
	const outreachCi = sumIntervals(
		audiences.filter((a) => a.value !== null).map((a) => ({ value: a.value as number, ci95: a.ci95 ?? null }))
	);
	const recovered = await recoveredValue(storage, q, versions, now);
	const created = outreachValue + (recovered.value ?? 0);
	const createdCi = sumIntervals([
		{ value: outreachValue, ci95: audiences.some((a) => a.value !== null) ? outreachCi : [0, 0] },
		{ value: recovered.value ?? 0, ci95: recovered.value === null ? [0, 0] : (recovered.ci95 ?? null) }
	]);
	const net = -totalCost + savings + created;

	const waterfall: Ledger['waterfall'] = [];
	let level = 0;
	const step = (key: WaterfallKey, value: number) => {
		waterfall.push({ key, value: round2(value), start: round2(level), end: round2(level + value) });
		level += value;
	};
	step('cost', -(totalCost - failureDemand));
	step('failureDemand', -failureDemand);
	step('savings', savings);
	step('outreach', outreachValue);
	step('recovered', recovered.value ?? 0);
	waterfall.push({ key: 'net', value: round2(net), start: 0, end: round2(net) });

	return {
		from: iso(q.from),
		to: iso(q.to),
		costs: {
			byChannel,
			outbound: {
				value: round2(callCost),
				calls,
				formula: 'outbound calls to treatment members × cost per outbound call',
				inputs: { calls }
			},
			total: {
				value: round2(totalCost),
				formula: 'Σ channels (agent minutes × rate + self-service sessions × rate) + outbound calls × rate',
				inputs: { contactCost: round2(contactCost), outboundCost: round2(callCost) }
			}
		},
		savings: {
			value: round2(savings),
			formula:
				'Σ reasons contained chains × (agent cost of an average assisted chain of the reason − cost of a self-service session)',
			inputs: {
				reasons: byReason.length,
				belowMinN: byReason.filter((r) => r.savings === null).length,
				minN: MIN_N
			},
			byReason,
			pending
		},
		failureDemand: {
			value: round2(failureDemand),
			formula:
				'repeat chains × cost per chain + channel switches at breakpoints × cost of an assisted contact',
			inputs: { repeatCost: round2(repeatCost), switchCost: round2(switchCost) },
			repeats: {
				value: round2(repeatCost),
				formula: 'Σ channels chains repeated within 48 h × (channel cost ÷ chains)',
				inputs: { chains: repeatsByChannel.reduce((s, r) => s + r.repeatChains, 0) },
				byChannel: repeatsByChannel
			},
			switches: {
				value: filtered ? null : round2(switchCost),
				available: !filtered,
				formula:
					'Σ journeys and steps switches from a digital step to an assisted channel × average agent cost of a contact on that channel',
				inputs: { switches: byStep.reduce((s, r) => s + r.switches, 0) },
				byStep
			}
		},
		valueCreated: {
			value: round2(created),
			ci95: createdCi,
			formula:
				'outreach lift × value per conversion + recovered detractors beyond the baseline × value per retained customer',
			inputs: { outreach: round2(outreachValue), recovered: recovered.value },
			outreach: {
				value: round2(outreachValue),
				ci95: outreachCi,
				formula: 'Σ audiences (lift ÷ 100) × treatment members with a known outcome × value per conversion',
				inputs: { audiences: audiences.length },
				audiences
			},
			recovered
		},
		net: {
			value: round2(net),
			ci95: createdCi ? [round2(net - created + createdCi[0]), round2(net - created + createdCi[1])] : null,
			formula: 'savings + value created − cost of service',
			inputs: { cost: round2(totalCost), savings: round2(savings), valueCreated: round2(created) }
		},
		waterfall,
		inputs: {
			rates: pieces.map((p) => ({
				effectiveFrom: p.version.effectiveFrom,
				from: iso(p.from),
				to: iso(p.to),
				rates: p.version.rates
			}))
		}
	};
}

/** Audiences created in the period (those the scope sees): lift × members × value per conversion, and their calls. */
async function outreachValues(
	storage: Storage,
	q: Q,
	versions: readonly RateVersion[],
	now: number
): Promise<AudienceValue[]> {
	const out: AudienceValue[] = [];
	for (const a of await outreach.listAudiences(storage, q.scope)) {
		const created = Date.parse(a.createdAt);
		if (created < q.from || created >= q.to) continue;
		const rates = versionAt(versions, created).rates;
		const res = await outreach.audienceResults(storage, a.id, q.scope, now);
		const n = res.treatment.n;
		const usable = res.lift !== null && n >= MIN_N && res.holdout.n >= MIN_N;
		const conversions = usable ? ((res.lift as number) / 100) * n : null;
		const conversions95: Interval | null =
			usable && res.lift95 ? [(res.lift95[0] / 100) * n, (res.lift95[1] / 100) * n] : null;
		const v = rates.valuePerConversion;
		out.push({
			id: a.id,
			name: a.name,
			createdAt: a.createdAt,
			treatmentN: n,
			lift: res.lift,
			lift95: res.lift95,
			conversions,
			conversions95,
			valuePerConversion: v,
			calls: res.reach.treatment,
			callCost: res.reach.treatment * rates.outboundCall,
			value: conversions === null ? null : round2(conversions * v),
			ci95: conversions95 ? [round2(conversions95[0] * v), round2(conversions95[1] * v)] : null,
			formula: '(lift ÷ 100) × treatment members with a known outcome × value per conversion',
			inputs: {
				lift: res.lift,
				lift95: res.lift95,
				treatmentN: n,
				holdoutN: res.holdout.n,
				valuePerConversion: v,
				final: res.final
			}
		});
	}
	return out;
}

/**
 * Recovered detractors beyond the baseline, on the follow-up KPIs' own definition (`cases` `recoveries`, DOMAIN.md
 * "Recovery rate": the next answer within 30 days not a detractor): the detractor cases opened in the period and
 * followed up, against those not followed up (unreachable, or open past due), each counted once its answer came:
 * followed n × (recovery rate followed − recovery rate not followed), Newcombe's interval on the difference, × value
 * per retained customer (the versions' values weighted by the followed-up cases of each piece). So /cases and
 * /value show the same recovered counts.
 */
async function recoveredValue(
	storage: Storage,
	q: Q,
	versions: readonly RateVersion[],
	now: number
): Promise<Ledger['valueCreated']['recovered']> {
	let teams: string[] | null = q.filters.team ?? null;
	if (q.scope.teams !== null) teams = teams ? teams.filter((t) => q.scope.teams?.includes(t)) : q.scope.teams;
	let fN = 0;
	let fX = 0;
	let bN = 0;
	let bX = 0;
	let weighted = 0;
	for (const r of await recoveries(storage, q.from, q.to, teams, now)) {
		if (r.outcome === 'pending' || r.outcome === 'noAnswer') continue;
		const recovered = r.outcome === 'recovered' ? 1 : 0;
		if (r.group === 'followedUp') {
			fN++;
			fX += recovered;
			weighted += versionAt(versions, r.openedAt).rates.valuePerRetainedCustomer;
		} else {
			bN++;
			bX += recovered;
		}
	}
	const perCustomer = fN > 0 ? weighted / fN : versionAt(versions, q.to - 1).rates.valuePerRetainedCustomer;
	const usable = fN >= MIN_N && bN >= MIN_N;
	const diff = usable ? fX / fN - bX / bN : null;
	const interval = usable ? newcombe(fX, fN, bX, bN) : null;
	const beyond = diff === null ? null : diff * fN;
	const beyond95: Interval | null = interval ? [interval[0] * fN, interval[1] * fN] : null;
	return {
		value: beyond === null ? null : round2(beyond * perCustomer),
		ci95: beyond95 ? [round2(beyond95[0] * perCustomer), round2(beyond95[1] * perCustomer)] : null,
		formula:
			'followed-up cases with a later answer × (recovery rate followed up − recovery rate not followed up) × value per retained customer',
		inputs: {
			valuePerRetainedCustomer: perCustomer,
			minN: MIN_N,
			daysBack: Math.round((q.to - q.from) / DAY_MS)
		},
		followed: { n: fN, recovered: fX, rate: fN > 0 ? (100 * fX) / fN : null },
		baseline: { n: bN, recovered: bX, rate: bN > 0 ? (100 * bX) / bN : null },
		recoveredBeyond: beyond,
		recoveredBeyond95: beyond95
	};
}
