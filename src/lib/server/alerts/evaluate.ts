import type { Db } from '$lib/server/db';
import { asStorage, type Storage } from '$lib/server/db/storage';
import { ALL_TEAMS } from '$lib/server/auth/scope';
import * as metrics from '$lib/server/metrics';
import type { CxQuery, Dimension, KpiKey } from '$lib/server/metrics';
import type { Measures } from '$lib/server/metrics/measures';
import { compileTagRules, emergingTopics, getTagRules, matchTags, type TagRule } from '$lib/server/text';
import { Slicer } from '$lib/server/text/steps';
import {
	detectAnomaly,
	HOUR,
	hourBaseline,
	poissonUpperTail,
	shrunkRate,
	type Counts,
	type Direction,
	type Moments
} from './detectors';
import { rateInterval } from '$lib/server/stats';
import type { AnomalySpec, RiskSpec, Rule, RuleFilters, ThresholdSpec } from './rules';
import { dayType } from './special-days';
import { alertStore } from './stores';
import { evaluateRiskScore } from './risk-score';

/**
 * What a rule finds in the data now, per scope (`*`, or a team for per-team rules). Pure reads: the lifecycle
 * (open once, resolve after a quiet spell) is store.ts's business.
 */

export type FindingState = 'firing' | 'clear' | 'insufficient';

export interface Finding {
	scope: string;
	/** The teams the finding is about (null: all), for who may see the alert. */
	teams: string[] | null;
	state: FindingState;
	value: number | null;
	/** One line in English (logs, webhooks); screens build their own text from `details`. */
	summary: string;
	details: Record<string, unknown>;
}

export const ALL_SCOPE = '*';
/** The scope of per-team findings about records with no team. */
export const NO_TEAM_SCOPE = '-';

// Reads of other domains (metrics, text), on whichever engine the storage is.
async function readKpis(storage: Storage, q: CxQuery) {
	return metrics.kpis(storage, q);
}
async function readKpiMeasures(storage: Storage, q: CxQuery) {
	return metrics.kpiMeasures(storage, q);
}
async function readTagRules(storage: Storage): Promise<TagRule[]> {
	return getTagRules(storage);
}
async function readEmergingTopics(
	storage: Storage,
	...args: Parameters<typeof emergingTopics> extends [Db | Storage, ...infer R] ? R : never
) {
	return emergingTopics(storage, ...args);
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

const nf = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '–' : nf.format(v));
/** Two significant digits, for small expected counts and p-values. */
const sig = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toPrecision(2));

function kpiLabel(kpi: KpiKey): string {
	return metrics.KPIS[kpi].label.en;
}

function unitSuffix(kpi: KpiKey): string {
	const unit = metrics.KPIS[kpi].unit;
	return unit === 'percent' ? '%' : unit === 'seconds' ? ' s' : unit === 'per_10k' ? ' per 10k' : '';
}

/** The query a rule's window and filters make (scope: everything; visibility is decided when reading alerts). */
function windowQuery(from: number, to: number, filters: RuleFilters, teams: string[] | null): CxQuery {
	const f: CxQuery['filters'] = { ...filters };
	if (teams) f.team = f.team ? f.team.filter((t) => teams.includes(t)) : [...teams];
	return metrics.cxQuery({ from, to, filters: f, scope: ALL_TEAMS });
}

interface ScopeSpec {
	scope: string;
	teams: string[] | null;
	filterTeams: string[] | null;
}

/** The scopes of a rule whose data has no team grouping: one for the watched teams together. */
function wholeScope(rule: Rule): ScopeSpec {
	return { scope: ALL_SCOPE, teams: rule.teams, filterTeams: rule.teams };
}

// ------------------------------------------------------------------------------------------------ threshold

const compare: Record<ThresholdSpec['op'], (a: number, b: number) => boolean> = {
	'<': (a, b) => a < b,
	'<=': (a, b) => a <= b,
	'>': (a, b) => a > b,
	'>=': (a, b) => a >= b
};

export async function evaluateThreshold(
	db: Storage,
	rule: Rule & ThresholdSpec,
	now: number
): Promise<Finding[]> {
	const q = windowQuery(now - rule.windowMinutes * MINUTE, now, rule.filters, rule.teams);
	if (rule.perTeam) q.by = 'team';
	const answer = await readKpis(db, q);
	return answer.rows.map((row) => {
		const r = row.kpis[rule.kpi];
		const scope = rule.perTeam ? (row.group ?? NO_TEAM_SCOPE) : ALL_SCOPE;
		const teams = rule.perTeam ? (row.group ? [row.group] : null) : rule.teams;
		const details = {
			kind: 'threshold',
			kpi: rule.kpi,
			op: rule.op,
			threshold: rule.value,
			value: r.value,
			n: r.n,
			ci95: r.ci95,
			windowMinutes: rule.windowMinutes,
			filters: rule.filters,
			significant: rule.significant
		};
		const base = { scope, teams, value: r.value, details };
		if (r.value === null || r.n < rule.minN)
			return {
				...base,
				state: 'insufficient' as const,
				summary: `${kpiLabel(rule.kpi)}: insufficient data (n=${r.n})`
			};
		const test = compare[rule.op];
		let breached = test(r.value, rule.value);
		// Significance: the whole interval beyond the threshold (the far end for < and <=, the near end for > and >=).
		if (breached && rule.significant)
			breached = r.ci95 !== null && test(rule.op[0] === '<' ? r.ci95[1] : r.ci95[0], rule.value);
		return {
			...base,
			state: breached ? ('firing' as const) : ('clear' as const),
			summary:
				`${kpiLabel(rule.kpi)} ${fmt(r.value)}${unitSuffix(rule.kpi)} ${rule.op} ${fmt(rule.value)} ` +
				`over the last ${rule.windowMinutes} min (n=${r.n})`
		};
	});
}

// ------------------------------------------------------------------------------------------------ anomaly

/** Per-observation moments of a KPI from summed measures, and the factor to its display units. */
export function kpiMoments(kpi: KpiKey, m: Measures): { moments: Moments; scale: number } {
	const f = metrics.KPIS[kpi].formula;
	switch (f.kind) {
		case 'proportion':
			return { moments: { n: m[f.denominator], sum: m[f.numerator], sumsq: m[f.numerator] }, scale: 100 };
		case 'balance': {
			const pos = m[f.positive];
			const neg = m[f.negative];
			return { moments: { n: m[f.n], sum: pos - neg, sumsq: pos + neg }, scale: 100 };
		}
		case 'mean':
			return { moments: { n: m[f.n], sum: m[f.sum], sumsq: m[f.sumsq] }, scale: 1 };
		case 'rate':
			return {
				moments: { n: m[f.denominator], sum: m[f.numerator], sumsq: m[f.numerator] },
				scale: f.per
			};
		case 'composite':
			throw new Error('The composite index cannot be watched for anomalies');
	}
}

/** The factor from per-observation means to a KPI's display units (100 for shares, 1 for seconds). */
export function kpiScale(kpi: KpiKey): number {
	const f = metrics.KPIS[kpi].formula;
	return f.kind === 'rate' ? f.per : f.kind === 'mean' ? 1 : 100;
}

/** The side an anomaly rule watches, from the KPI's good direction. */
export function watchedSide(kpi: KpiKey, direction: AnomalySpec['direction']): Direction {
	if (direction === 'both') return 'both';
	const higherIsBetter = metrics.KPIS[kpi].direction === 'higher';
	const worse: Direction = higherIsBetter ? 'low' : 'high';
	if (direction === 'worse') return worse;
	return worse === 'low' ? 'high' : 'low';
}

const MONITOR_HOURS = 72;
const REFERENCE_HOURS = 336;

interface HourCache {
	fetchedAt: number;
	firstHour: number;
	/** group ('' without a team grouping) → hour → measures */
	groups: Map<string, Map<number, Measures>>;
}

/**
 * Hourly measures of completed hours change only with late data: refetch them fully every 15 minutes. Keyed by the
 * rule's filters (not its id), so a rule changed by another process never reads another rule's hours; data another
 * process ingests is in the last two hours, refetched at every evaluation (evaluation runs in one process at a time,
 * db/jobs.ts).
 */
const hourCaches = new WeakMap<object, Map<string, HourCache>>();
const HOUR_CACHE_MS = 15 * MINUTE;

async function hourlyMeasures(
	db: Storage,
	filters: RuleFilters,
	teams: string[] | null,
	perTeam: boolean,
	firstHour: number,
	now: number
): Promise<Map<string, Map<number, Measures>>> {
	let caches = hourCaches.get(db.db);
	if (!caches) hourCaches.set(db.db, (caches = new Map()));
	const key = JSON.stringify([filters, teams, perTeam]);
	const cached = caches.get(key);
	const currentHour = Math.floor(now / HOUR);
	const fresh = cached && now - cached.fetchedAt < HOUR_CACHE_MS && cached.firstHour <= firstHour;
	// Refetch the last two hours (the current one grows; the previous may still receive late events).
	const from = fresh ? (currentHour - 1) * HOUR : firstHour * HOUR;
	const q = windowQuery(from, now + 1, filters, teams);
	q.by = perTeam ? 'team' : 'hour';
	if (perTeam) q.grain = 'hour';
	const rows = (await readKpiMeasures(db, q)).rows;
	const groups = fresh ? cached.groups : new Map<string, Map<number, Measures>>();
	if (fresh)
		for (const hours of groups.values())
			for (const h of [...hours.keys()]) if (h >= currentHour - 1) hours.delete(h);
	for (const row of rows) {
		const g = row.group ?? '';
		let hours = groups.get(g);
		if (!hours) groups.set(g, (hours = new Map()));
		if (row.bucket !== null) hours.set(row.bucket, row.measures);
	}
	if (!fresh) caches.set(key, { fetchedAt: now, firstHour, groups });
	return groups;
}

export async function evaluateAnomaly(
	db: Storage,
	rule: Rule & AnomalySpec,
	now: number
): Promise<Finding[]> {
	const currentHour = Math.floor(now / HOUR);
	const firstHour = currentHour - MONITOR_HOURS - REFERENCE_HOURS - rule.baselineWeeks * 168 - 2;
	const groups = await hourlyMeasures(db, rule.filters, rule.teams, rule.perTeam, firstHour, now);
	const side = watchedSide(rule.kpi, rule.direction);
	const findings: Finding[] = [];
	const entries = rule.perTeam
		? [...groups.entries()].filter(([g]) => g !== '')
		: [['', groups.get('') ?? new Map()] as const];
	for (const [group, hours] of entries) {
		const scale = kpiScale(rule.kpi);
		const moments = (hour: number): Moments | undefined => {
			const m = hours.get(hour);
			return m ? kpiMoments(rule.kpi, m).moments : undefined;
		};
		const result = detectAnomaly({
			moments,
			now: currentHour,
			dayType,
			options: {
				lambda: rule.lambda,
				L: rule.L,
				k: rule.k,
				h: rule.h,
				methods: rule.methods,
				direction: side,
				baselineWeeks: rule.baselineWeeks,
				minChange: rule.minChange / scale,
				monitorHours: MONITOR_HOURS,
				referenceHours: REFERENCE_HOURS
			}
		});
		const latest = result.latest;
		const value = latest ? latest.value * scale : null;
		const baseline = latest ? latest.baseline * scale : null;
		const scope = rule.perTeam ? group : ALL_SCOPE;
		const teams = rule.perTeam ? [group] : rule.teams;
		const details = {
			kind: 'anomaly',
			kpi: rule.kpi,
			value,
			baseline,
			n: latest?.n ?? 0,
			z: latest?.z ?? null,
			side: result.side,
			methods: result.methods,
			ewma: result.ewma,
			cusum: result.cusum,
			change: result.change * scale,
			hour: latest ? new Date(latest.hour * HOUR).toISOString() : null,
			filters: rule.filters
		};
		findings.push({
			scope,
			teams,
			value,
			details,
			state: result.insufficient ? 'insufficient' : result.signal ? 'firing' : 'clear',
			summary: result.insufficient
				? `${kpiLabel(rule.kpi)}: not enough history for a baseline`
				: `${kpiLabel(rule.kpi)} ${fmt(value)}${unitSuffix(rule.kpi)} this hour vs usually ${fmt(baseline)}` +
					`${unitSuffix(rule.kpi)}${result.methods.length ? ` (${result.methods.join(', ')})` : ''}`
		});
	}
	return findings;
}

// ------------------------------------------------------------------------------------------------ risk

const DIMENSION_COLUMNS: Record<Dimension, string> = {
	channel: 'channel',
	team: 'team_id',
	agent: 'agent_id',
	segment: 'segment',
	journey: 'journey',
	region: 'region',
	reason: 'reason'
};

/** SQL conditions (and their parameters) of a rule's filters and teams on the events table. */
function eventConditions(filters: RuleFilters, teams: string[] | null): { sql: string; params: string[] } {
	const parts: string[] = [];
	const params: string[] = [];
	const add = (column: string, values: string[]) => {
		parts.push(values.length ? `${column} IN (${values.map(() => '?').join(',')})` : '0');
		params.push(...values);
	};
	for (const [d, values] of Object.entries(filters) as [Dimension, string[]][])
		if (values?.length) add(DIMENSION_COLUMNS[d], values);
	if (teams) add('team_id', teams);
	return { sql: parts.length ? ` AND ${parts.join(' AND ')}` : '', params };
}

function groupByTeam<T extends { teamId: string | null }>(rows: T[], rule: Rule): Map<ScopeSpec, T[]> {
	if (!rule.perTeam) return new Map([[wholeScope(rule), rows]]);
	const byTeam = new Map<string, T[]>();
	for (const r of rows) {
		const key = r.teamId ?? NO_TEAM_SCOPE;
		let list = byTeam.get(key);
		if (!list) byTeam.set(key, (list = []));
		list.push(r);
	}
	return new Map(
		[...byTeam].map(([team, list]) => [
			{ scope: team, teams: team === NO_TEAM_SCOPE ? null : [team], filterTeams: null },
			list
		])
	);
}

async function evaluateRegulator(db: Storage, rule: Rule & RiskSpec, now: number): Promise<Finding[]> {
	const from = now - rule.windowMinutes * MINUTE;
	const where = eventConditions(rule.filters, rule.teams);
	const rows = await alertStore(db).rawAll<{
		id: string;
		customerId: string;
		ts: number;
		category: string | null;
		severity: string | null;
		teamId: string | null;
	}>({
		sql: `SELECT id, customer_id AS "customerId", ts, category, severity, team_id AS "teamId" FROM events
			 WHERE type = 'complaint' AND regulator = 1 AND ts >= ? AND ts < ?${where.sql} ORDER BY ts DESC, id`,
		params: [from, now, ...where.params]
	});
	return [...groupByTeam(rows, rule)].map(([s, list]) => ({
		scope: s.scope,
		teams: s.teams,
		value: list.length,
		state: list.length >= rule.value ? 'firing' : 'clear',
		summary: `${list.length} regulator-referred complaint(s) (12378) in the last ${rule.windowMinutes} min`,
		details: {
			kind: 'risk',
			signal: 'regulator',
			count: list.length,
			threshold: rule.value,
			windowMinutes: rule.windowMinutes,
			samples: list.slice(0, 10)
		}
	}));
}

/** The compiled word rules of a risk-words rule: its own list, or the voice module's risk tag rules. */
async function riskMatcher(db: Storage, rule: RiskSpec) {
	let rules: TagRule[];
	if (rule.words)
		rules = [
			{
				id: 'alert.words',
				tag: 'risk',
				label: '风险词',
				labelEn: 'Risk words',
				any: rule.words,
				with: [],
				not: [],
				enabled: true
			}
		];
	else
		rules = (await readTagRules(db)).filter(
			(r) => r.tag === 'risk' && (!rule.categories || rule.categories.includes(r.id))
		);
	const compiled = compileTagRules(rules);
	return (text: string) => matchTags(text, compiled).filter((h) => h.tag === 'risk');
}

interface TextRow {
	id: string;
	customerId: string;
	ts: number;
	type: string;
	text: string;
	teamId: string | null;
}

/**
 * Events' texts by seq, `pageSize` at a time with the event loop handed back between pages (and the first `chars`
 * characters only, when given).
 */
async function textsBySeq(
	db: Storage,
	seqs: readonly number[],
	chars: number | null,
	pageSize: number,
	slicer: Slicer
): Promise<Map<number, string>> {
	const texts = new Map<number, string>();
	const column = chars === null ? 'text' : `substr(text, 1, ${chars})`;
	for (let i = 0; i < seqs.length; i += pageSize) {
		const page = seqs.slice(i, i + pageSize);
		const found = await alertStore(db).rawAll<{ seq: number; text: string }>({
			sql: `SELECT seq, ${column} AS text FROM events WHERE seq IN (${page.map(() => '?').join(', ')})`,
			params: page
		});
		for (const r of found) texts.set(r.seq, r.text);
		await slicer.pause();
	}
	return texts;
}

/** Keyed by the rule's id and updatedAt (read with the rules at every pass): a rule edited anywhere misses it. */
const riskBaselines = new WeakMap<object, Map<string, { at: number; texts: number; risk: number }>>();
const RISK_BASELINE_MS = 60 * MINUTE;
const RISK_BASELINE_TEXTS = 20_000;
/** The baseline reads the start of each text only: a usual share, not worth megabytes of hostile comments. */
const RISK_BASELINE_CHARS = 4_000;

/** The usual share of risk texts: the latest texts (at most 20,000) of the 7 days before the window. */
async function riskBaseline(
	db: Storage,
	rule: Rule & RiskSpec,
	match: (text: string) => unknown[],
	from: number,
	now: number
): Promise<{ texts: number; risk: number }> {
	let cache = riskBaselines.get(db.db);
	if (!cache) riskBaselines.set(db.db, (cache = new Map()));
	const key = JSON.stringify([rule.id, rule.updatedAt]);
	const hit = cache.get(key);
	// A thin baseline (a new database) is looked at again soon rather than kept for the hour.
	const keep = hit && hit.texts >= 200 ? RISK_BASELINE_MS : MINUTE;
	if (hit && now >= hit.at && now - hit.at < keep) return hit;
	const where = eventConditions(rule.filters, rule.teams);
	const seqs = (
		await alertStore(db).rawAll<{ seq: number }>({
			sql: `SELECT seq FROM events WHERE ts >= ? AND ts < ? AND text IS NOT NULL
			 AND type IN ('feedback', 'contact')${where.sql} ORDER BY ts DESC LIMIT ${RISK_BASELINE_TEXTS}`,
			params: [from - WEEK, from, ...where.params]
		})
	).map((r) => r.seq);
	const slicer = new Slicer();
	const rows = [...(await textsBySeq(db, seqs, RISK_BASELINE_CHARS, 500, slicer)).values()];
	let risk = 0;
	for (const text of rows) {
		if (match(text).length > 0) risk++;
		await slicer.pause();
	}
	const fresh = { at: now, texts: rows.length, risk };
	cache.set(key, fresh);
	return fresh;
}

async function evaluateRiskWords(db: Storage, rule: Rule & RiskSpec, now: number): Promise<Finding[]> {
	const from = now - rule.windowMinutes * MINUTE;
	const match = await riskMatcher(db, rule);
	const where = eventConditions(rule.filters, rule.teams);
	const listed = await alertStore(db).rawAll<Omit<TextRow, 'text'> & { seq: number }>({
		sql: `SELECT seq, id, customer_id AS "customerId", ts, type, team_id AS "teamId" FROM events
			 WHERE ts >= ? AND ts < ? AND text IS NOT NULL AND type IN ('feedback', 'contact')${where.sql}
			 ORDER BY ts DESC, id`,
		params: [from, now, ...where.params]
	});
	// The texts a page at a time, then matched once each, handing the event loop back every few milliseconds: a
	// window of hostile comments is megabytes of text.
	const slicer = new Slicer();
	const texts = await textsBySeq(
		db,
		listed.map((r) => r.seq),
		null,
		50,
		slicer
	);
	const rows: TextRow[] = listed.map(({ seq, ...r }) => ({ ...r, text: texts.get(seq) ?? '' }));
	const usual = await riskBaseline(db, rule, match, from, now);
	const p0 = usual.texts >= 200 ? usual.risk / usual.texts : null;
	const wordsOf = new Map<TextRow, string[]>();
	for (const r of rows) {
		wordsOf.set(r, [...new Set(match(r.text).map((h) => r.text.slice(h.start, h.end)))]);
		await slicer.pause();
	}
	return [...groupByTeam(rows, rule)].map(([s, list]) => {
		const hits = list.map((r) => ({ row: r, words: wordsOf.get(r)! })).filter((h) => h.words.length > 0);
		const count = hits.length;
		// More than usual: a one-sided Poisson test of the count the usual share predicts for this many texts
		// (exact: with under one risk text expected, a 3σ normal limit would fire several times a day).
		const expected = p0 === null ? null : p0 * list.length;
		const pValue = expected === null ? null : poissonUpperTail(count, expected);
		const firing = count >= rule.value && (pValue === null || pValue < rule.alpha);
		return {
			scope: s.scope,
			teams: s.teams,
			value: count,
			state: firing ? ('firing' as const) : ('clear' as const),
			summary:
				`${count} comment(s)/transcript(s) with risk words in the last ${rule.windowMinutes} min` +
				(expected === null ? '' : ` (usually about ${fmt(expected)}, p=${sig(pValue)})`),
			details: {
				kind: 'risk',
				signal: 'risk_words',
				count,
				texts: list.length,
				expected,
				pValue,
				alpha: rule.alpha,
				threshold: rule.value,
				windowMinutes: rule.windowMinutes,
				samples: hits.slice(0, 8).map((h) => ({
					id: h.row.id,
					customerId: h.row.customerId,
					ts: h.row.ts,
					type: h.row.type,
					text: h.row.text.length > 240 ? `${h.row.text.slice(0, 240)}…` : h.row.text,
					words: h.words
				}))
			}
		};
	});
}

/** Pooled (whole baseline period) complaint counts per group, kept a few minutes: they hardly move. */
const pooledComplaintCache = new WeakMap<object, Map<string, { at: number; pooled: Map<string, Counts> }>>();
const POOLED_COMPLAINTS_MS = 10 * MINUTE;

/**
 * A complaint spike: the complaints of the window against what the usual complaint rate predicts for the window's
 * contacts. The usual rate is the hour-of-week baseline (the same hour ± 1 on days of the same kind over the last
 * `baselineWeeks` weeks), shrunk towards the rate of the whole baseline period where the slot is thin (complaints
 * are rare: a slot of a few weeks holds one or two). The count is judged by a one-sided Poisson test: it fires
 * when at least `value` complaints, `ratio` times the expected count, and P(X ≥ count) < `alpha`. Nothing is
 * judged below `minN` contacts in the window or without 1,000 contacts of baseline.
 */
async function evaluateComplaintSpike(db: Storage, rule: Rule & RiskSpec, now: number): Promise<Finding[]> {
	const window = rule.windowMinutes * MINUTE;
	const q = windowQuery(now - window, now, rule.filters, rule.teams);
	if (rule.perTeam) q.by = 'team';
	const current = new Map((await readKpiMeasures(db, q)).rows.map((r) => [r.group ?? '', r.measures]));

	const currentHour = Math.floor(now / HOUR);
	// The hours before the window's hour (and the one before it, which the window may reach into).
	const lastBaselineHour = Math.floor((now - window) / HOUR) - 1;
	const firstHour = currentHour - rule.baselineWeeks * 168 - 2;
	const groups = await hourlyMeasures(db, rule.filters, rule.teams, rule.perTeam, firstHour, now);
	const complaintMoments = (hours: Map<number, Measures>) => (hour: number) => {
		if (hour > lastBaselineHour) return undefined;
		const m = hours.get(hour);
		return m ? { n: m.contacts, sum: m.complaints, sumsq: m.complaints } : undefined;
	};

	let cache = pooledComplaintCache.get(db.db);
	if (!cache) pooledComplaintCache.set(db.db, (cache = new Map()));
	const cacheKey = JSON.stringify([rule.id, rule.updatedAt]);
	let pooledHit = cache.get(cacheKey);
	if (!pooledHit || now - pooledHit.at >= POOLED_COMPLAINTS_MS || now < pooledHit.at) {
		const pooled = new Map<string, Counts>();
		for (const [g, hours] of groups) {
			const c: Counts = { events: 0, exposure: 0 };
			for (const [hour, m] of hours)
				if (hour >= firstHour && hour <= lastBaselineHour) {
					c.events += m.complaints;
					c.exposure += m.contacts;
				}
			pooled.set(g, c);
		}
		cache.set(cacheKey, (pooledHit = { at: now, pooled }));
	}

	return [...current]
		.filter(([g]) => !rule.perTeam || g !== '')
		.map(([g, m]) => {
			const hours = groups.get(g) ?? new Map<number, Measures>();
			const pooled = pooledHit.pooled.get(g) ?? { events: 0, exposure: 0 };
			const slotBaseline = hourBaseline(currentHour, complaintMoments(hours), dayType, {
				baselineWeeks: rule.baselineWeeks,
				minBaselineDays: 1,
				neighbourHours: 1
			});
			const slot = slotBaseline
				? { events: slotBaseline.mean * slotBaseline.n, exposure: slotBaseline.n }
				: null;
			const known = pooled.exposure >= 1_000;
			const p0 = known ? shrunkRate(slot, pooled) : null;
			const count = m.complaints;
			const contacts = m.contacts;
			const interval = rateInterval(count, contacts, 10_000);
			const expected = p0 === null ? null : p0 * contacts;
			const pValue = expected === null ? null : poissonUpperTail(count, expected);
			const insufficient = p0 === null || contacts < rule.minN;
			const firing =
				!insufficient &&
				expected !== null &&
				pValue !== null &&
				count >= rule.value &&
				count >= rule.ratio * expected &&
				pValue < rule.alpha;
			const rate = interval?.value ?? null;
			return {
				scope: rule.perTeam ? g : ALL_SCOPE,
				teams: rule.perTeam ? [g] : rule.teams,
				value: count,
				state: insufficient ? ('insufficient' as const) : firing ? ('firing' as const) : ('clear' as const),
				summary: insufficient
					? `Complaints: insufficient data (n=${contacts} contacts, baseline ${pooled.exposure})`
					: `${count} complaint(s) in the last ${rule.windowMinutes} min: ${fmt(rate)} per 10k contacts ` +
						`vs usually ${sig(p0 === null ? null : p0 * 10_000)} (expected ${sig(expected)}, ` +
						`p=${sig(pValue)}, n=${contacts})`,
				details: {
					kind: 'risk',
					signal: 'complaint_spike',
					count,
					contacts,
					n: contacts,
					rate,
					ci95: interval?.ci95 ?? null,
					baselineRate: p0 === null ? null : p0 * 10_000,
					expected,
					pValue,
					alpha: rule.alpha,
					ratio: rule.ratio,
					threshold: rule.value,
					minN: rule.minN,
					windowMinutes: rule.windowMinutes,
					baseline: {
						weeks: rule.baselineWeeks,
						slotContacts: slot?.exposure ?? 0,
						slotComplaints: slot?.events ?? 0,
						slotDays: slotBaseline?.days ?? 0,
						pooledContacts: pooled.exposure,
						pooledComplaints: pooled.events
					}
				}
			};
		});
}

async function evaluateCaseSla(db: Storage, rule: Rule & RiskSpec, now: number): Promise<Finding[]> {
	const teams = rule.teams;
	const rows = await alertStore(db).rawAll<{
		id: number;
		teamId: string | null;
		dueAt: number;
		customerId: string;
	}>({
		sql: `SELECT id, team_id AS "teamId", due_at AS "dueAt", customer_id AS "customerId" FROM follow_up_cases
			 WHERE status = 'open' AND due_at < ?${teams ? ` AND team_id IN (${teams.map(() => '?').join(',')})` : ''}
			 ORDER BY due_at, id`,
		params: [now, ...(teams ?? [])]
	});
	return [...groupByTeam(rows, rule)].map(([s, list]) => ({
		scope: s.scope,
		teams: s.teams,
		value: list.length,
		state: list.length >= rule.value ? ('firing' as const) : ('clear' as const),
		summary: `${list.length} follow-up case(s) past their SLA`,
		details: {
			kind: 'risk',
			signal: 'case_sla',
			count: list.length,
			threshold: rule.value,
			oldestDueAt: list[0]?.dueAt ?? null,
			caseIds: list.slice(0, 20).map((c) => c.id)
		}
	}));
}

/**
 * Topics of comments and transcripts whose share grew week over week beyond noise (the voice-of-customer module's
 * conditional binomial test, Bonferroni over the topics, at least `value` texts this week and `ratio` times last
 * week's share). One finding for the rule's scope, firing while any topic is emerging; it names them.
 */
async function evaluateEmergingTopics(db: Storage, rule: Rule & RiskSpec, now: number): Promise<Finding[]> {
	const topics = await readEmergingTopics(
		db,
		{ to: now, teams: rule.teams, channel: rule.filters.channel?.[0] ?? null },
		{ minCount: rule.value, alpha: rule.alpha, minRatio: rule.ratio }
	);
	const s = wholeScope(rule);
	return [
		{
			scope: s.scope,
			teams: s.teams,
			value: topics.length,
			state: topics.length > 0 ? ('firing' as const) : ('clear' as const),
			summary:
				topics.length === 0
					? 'no emerging topic'
					: `${topics.length} emerging topic(s): ` +
						topics
							.slice(0, 5)
							.map((t) => `${t.label} (${t.previous} → ${t.current} texts, p=${sig(t.pValue)})`)
							.join('; '),
			details: {
				kind: 'risk',
				signal: 'emerging_topic',
				count: topics.length,
				alpha: rule.alpha,
				minTexts: rule.value,
				ratio: rule.ratio,
				topics: topics.slice(0, 10).map((t) => ({
					id: t.id,
					label: t.label,
					keywords: t.keywords.slice(0, 5),
					current: t.current,
					previous: t.previous,
					ratio: t.ratio,
					pValue: t.pValue
				}))
			}
		}
	];
}

/** Everything a rule finds now. Scopes without data are left out (the store treats them as clear). */
export async function evaluateRule(target: Db | Storage, rule: Rule, now: number): Promise<Finding[]> {
	const db = asStorage(target);
	switch (rule.kind) {
		case 'threshold':
			return evaluateThreshold(db, rule, now);
		case 'anomaly':
			return evaluateAnomaly(db, rule, now);
		case 'risk':
			switch (rule.signal) {
				case 'regulator':
					return evaluateRegulator(db, rule, now);
				case 'risk_words':
					return evaluateRiskWords(db, rule, now);
				case 'complaint_spike':
					return evaluateComplaintSpike(db, rule, now);
				case 'case_sla':
					return evaluateCaseSla(db, rule, now);
				case 'emerging_topic':
					return evaluateEmergingTopics(db, rule, now);
			}
			break;
		case 'risk_score':
			return evaluateRiskScore(db, rule);
	}
	return [];
}
