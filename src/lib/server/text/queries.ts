import type { Db } from '$lib/server/db';
import { asStorage, type Storage } from '$lib/server/db/storage';
import { analyzeText } from './analyze';
import { currentModel, documentFrequencies } from './indexer';
import { compiledTagRules } from './rules';
import { termOf } from './segment';
import { within } from './speakers';
import { KPIS } from '$lib/server/metrics/registry';
import { readState, textStore } from './state';
import type { AggregateRow } from './store';
import { growthTest, npsFromCounts, type GrowthTest, type Measured } from '$lib/server/stats';
import type { TagKind } from './tags';
import { keywordsOf } from './tfidf';

/**
 * What every read takes: a period (epoch ms, `from` inclusive, `to` exclusive) and the filters of DESIGN.md.
 * `teams`: undefined or null = every team; an array = only texts of those teams (a manager's scope; empty = none).
 */
export interface TextQuery {
	from: number;
	to: number;
	segment?: string | null;
	journey?: string | null;
	channel?: string | null;
	teams?: readonly string[] | null;
}

/** Days are calendar days in China Standard Time (UTC+8, no daylight saving), where the service centers are. */
export const DAY_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** The day number (days since 1970-01-01 in UTC+8) of a timestamp. */
export function dayNumber(ts: number): number {
	return Math.floor((ts + DAY_OFFSET_MS) / DAY_MS);
}

/** 'YYYY-MM-DD' of a day number. */
export function dayKey(day: number): string {
	return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The default period of the screens and the API: the last `days` whole days in UTC+8, including today
 * (to = the coming midnight), so repeated requests share one cached report.
 */
export function defaultPeriod(now = Date.now(), days = 30): { from: number; to: number } {
	const to = (dayNumber(now) + 1) * DAY_MS - DAY_OFFSET_MS;
	return { from: to - days * DAY_MS, to };
}

/** Day numbers covering [from, to). */
function daysOf(from: number, to: number): number[] {
	const first = dayNumber(from);
	const last = dayNumber(Math.max(from, to - 1));
	return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/** Every topic ever fitted (inactive ones still label older texts). */
async function topicCatalog(
	target: Db | Storage
): Promise<Map<string, { label: string; keywords: string[]; active: boolean }>> {
	const rows = await textStore(target).topicCatalog();
	return new Map(
		rows.map((r) => [
			r.id,
			{ label: r.label, keywords: JSON.parse(r.keywords) as string[], active: r.active === 1 }
		])
	);
}

export interface SentimentSummary {
	/** Mean sentiment −1…1 of scored texts (null when none). */
	mean: number | null;
	/** The sentiment KPI: (positive − negative) ÷ scored × 100; null under the minimum n (as the KPI). */
	index: number | null;
	/** Its 95% interval (the NPS formula: a balance of two shares); null under the minimum n. */
	ci95: [number, number] | null;
	positive: number;
	negative: number;
	/** Texts with a sentiment (the KPI's n). */
	n: number;
	/** The KPI's minimum n. */
	minN: number;
}

export interface TopicSummary {
	id: string;
	label: string;
	keywords: string[];
	/** Texts of this topic in the period. */
	count: number;
	/** count ÷ all texts in the period. */
	share: number;
	/** Mean sentiment −1…1 (the API's `sentiment`). */
	sentiment: number | null;
	sentimentSummary: SentimentSummary;
	/** NPS of the customers who wrote about it (each customer's latest NPS answer in the period). */
	nps: Measured;
	/** Texts per day (UTC+8) over the period, aligned with the report's `days`. */
	trend: number[];
	tags: Record<TagKind, number>;
	/** The 7 days before `to` against the 7 days before those. */
	growth: GrowthTest;
	/** Grew beyond noise (see `emergingTopics`). */
	emerging: boolean;
	/** False for a topic of an earlier model that older texts still carry. */
	active: boolean;
}

export interface TopicsReport {
	from: number;
	to: number;
	total: number;
	/** Texts that share no term with any topic. */
	unassigned: number;
	sentiment: SentimentSummary;
	days: string[];
	topics: TopicSummary[];
	model: { version: number; fittedAt: number; docs: number } | null;
}

/** The sentiment KPI's minimum n, so /voice and topics show no index where the wallboard shows none. */
const SENTIMENT_MIN_N = KPIS.sentiment.minN;

function sentimentSummary(
	r: Pick<AggregateRow, 'mean' | 'positive' | 'negative' | 'scored'>
): SentimentSummary {
	// The same balance, threshold, interval and minimum n as the `sentiment` KPI (registry).
	const index = npsFromCounts(r.positive, r.negative, r.scored, SENTIMENT_MIN_N);
	return {
		mean: r.mean === null ? null : Math.round(r.mean * 1000) / 1000,
		index: index.value,
		ci95: index.ci95,
		positive: r.positive,
		negative: r.negative,
		n: r.scored,
		minN: SENTIMENT_MIN_N
	};
}

export interface EmergingOptions {
	/** Texts needed this week before a topic can be emerging. */
	minCount?: number;
	/** Family-wise significance level (Bonferroni over the topics tested). */
	alpha?: number;
	/** This week ÷ last week must reach this ratio too (growth that matters, not only significant). */
	minRatio?: number;
}

async function growthByTopic(target: Db | Storage, q: TextQuery, options: EmergingOptions) {
	const rows = await textStore(target).growthRows(
		{ ...q, from: q.to - 2 * WEEK_MS, to: q.to },
		q.to - WEEK_MS
	);
	const totalCurrent = rows.reduce((s, r) => s + r.current, 0);
	const totalPrevious = rows.reduce((s, r) => s + r.previous, 0);
	const tested = rows.filter((r) => r.topic !== null);
	const alpha = (options.alpha ?? 0.05) / Math.max(1, tested.length);
	const result = new Map<string, { growth: GrowthTest; emerging: boolean }>();
	for (const r of tested) {
		const growth = growthTest(r.current, r.previous, totalCurrent, totalPrevious);
		const emerging =
			r.current >= (options.minCount ?? 10) &&
			growth.pValue < alpha &&
			(growth.ratio === null || growth.ratio >= (options.minRatio ?? 1.5));
		result.set(r.topic as string, { growth, emerging });
	}
	return result;
}

const reportCache = new WeakMap<object, Map<string, TopicsReport>>();
const REPORT_CACHE_SIZE = 50;

/**
 * Topics of the texts in a period and filter: counts, share, sentiment, NPS of the customers who wrote them, daily
 * trend, tags and week-over-week growth, largest first. Aggregated in SQL from `text_docs`; cached in memory by
 * query until new texts are indexed or the model is refitted.
 */
export async function topics(
	target: Db | Storage,
	q: TextQuery,
	options: EmergingOptions = {}
): Promise<TopicsReport> {
	const model = await currentModel(target);
	const key = JSON.stringify([
		q.from,
		q.to,
		q.segment ?? null,
		q.journey ?? null,
		q.channel ?? null,
		q.teams ?? null,
		options,
		await readState(target, 'watermark', 0),
		model?.version ?? 0
	]);
	const cacheKey = asStorage(target).db;
	let cache = reportCache.get(cacheKey);
	if (!cache) reportCache.set(cacheKey, (cache = new Map()));
	const hit = cache.get(key);
	if (hit) return hit;

	const store = textStore(target);
	const aggregates = await store.aggregates(q);
	const days = daysOf(q.from, q.to);
	const firstDay = days[0] ?? 0;
	const trendRows = await store.trendRows(q);
	const npsRows = await store.npsRows(q);
	const growth = await growthByTopic(target, q, options);
	const catalog = await topicCatalog(target);

	const total = aggregates.reduce((s, r) => s + r.n, 0);
	const all = aggregates.reduce(
		(s, r) => ({
			scored: s.scored + r.scored,
			sum: s.sum + (r.mean ?? 0) * r.scored,
			positive: s.positive + r.positive,
			negative: s.negative + r.negative
		}),
		{ scored: 0, sum: 0, positive: 0, negative: 0 }
	);
	const trends = new Map<string, number[]>();
	for (const r of trendRows) {
		let t = trends.get(r.topic);
		if (!t) trends.set(r.topic, (t = new Array<number>(days.length).fill(0)));
		const i = r.day - firstDay;
		if (i >= 0 && i < t.length) t[i] += r.n;
	}
	const nps = new Map(npsRows.map((r) => [r.topic, npsFromCounts(r.promoters, r.detractors, r.n)]));
	const summaries: TopicSummary[] = aggregates
		.filter((r): r is AggregateRow & { topic: string } => r.topic !== null)
		.map((r) => {
			const info = catalog.get(r.topic);
			const g = growth.get(r.topic);
			const summary = sentimentSummary(r);
			return {
				id: r.topic,
				label: info?.label ?? r.topic,
				keywords: info?.keywords ?? [],
				count: r.n,
				share: total > 0 ? Math.round((r.n / total) * 10000) / 10000 : 0,
				sentiment: summary.mean,
				sentimentSummary: summary,
				nps: nps.get(r.topic) ?? { value: null, n: 0, ci95: null },
				trend: trends.get(r.topic) ?? new Array<number>(days.length).fill(0),
				tags: { suggestion: r.suggestion, lead: r.lead, competitor: r.competitor, risk: r.risk },
				growth: g?.growth ?? growthTest(0, 0, 0, 0),
				emerging: g?.emerging ?? false,
				active: info?.active ?? false
			};
		})
		.sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));

	const report: TopicsReport = {
		from: q.from,
		to: q.to,
		total,
		unassigned: aggregates.find((r) => r.topic === null)?.n ?? 0,
		sentiment: sentimentSummary({
			mean: all.scored > 0 ? all.sum / all.scored : null,
			positive: all.positive,
			negative: all.negative,
			scored: all.scored
		}),
		days: days.map(dayKey),
		topics: summaries,
		model: model ? { version: model.version, fittedAt: model.fittedAt, docs: model.docs } : null
	};
	if (cache.size >= REPORT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
	cache.set(key, report);
	return report;
}

export interface EmergingTopic {
	id: string;
	label: string;
	keywords: string[];
	/** Texts in the 7 days before `to`. */
	current: number;
	/** Texts in the 7 days before those. */
	previous: number;
	ratio: number | null;
	pValue: number;
}

/**
 * Topics whose share of texts grew beyond noise in the 7 days before `to` (default now) against the 7 days before:
 * a one-sided conditional binomial test of the two weeks' counts, adjusted for overall volume, Bonferroni-corrected
 * over the topics, with at least `minCount` texts (10) and a ratio of at least `minRatio` (1.5). Largest growth
 * first. For the alert evaluator: each item is a candidate "risk" alert.
 */
export async function emergingTopics(
	target: Db | Storage,
	q: Omit<TextQuery, 'from' | 'to'> & { to?: number },
	options: EmergingOptions = {}
): Promise<EmergingTopic[]> {
	const to = q.to ?? Date.now();
	const catalog = await topicCatalog(target);
	const list: EmergingTopic[] = [];
	const byTopic = await growthByTopic(target, { ...q, from: to - 2 * WEEK_MS, to }, options);
	for (const [id, { growth, emerging }] of byTopic) {
		if (!emerging) continue;
		const info = catalog.get(id);
		list.push({
			id,
			label: info?.label ?? id,
			keywords: info?.keywords ?? [],
			current: growth.current,
			previous: growth.previous,
			ratio: growth.ratio,
			pValue: growth.pValue
		});
	}
	return list.sort((a, b) => a.pValue - b.pValue || b.current - a.current);
}

export interface KeywordTrend {
	term: string;
	/** Texts holding the term in the period. */
	count: number;
	/** Texts holding it in the equally long period before. */
	previous: number;
	/** count ÷ previous − 1 (null when previous is 0). */
	growth: number | null;
	/** count × corpus idf: how characteristic the term is of this period's texts. */
	weight: number;
	/** Texts per day, aligned with `days`. */
	series: number[];
}

/**
 * The period's keywords ranked by TF-IDF weight (texts holding the term × its corpus idf), each with its daily
 * series and its change against the previous period of the same length; `terms` asks for given keywords instead.
 */
export async function keywordTrends(
	target: Db | Storage,
	q: TextQuery & { limit?: number; terms?: readonly string[] }
): Promise<{ days: string[]; keywords: KeywordTrend[] }> {
	const span = q.to - q.from;
	const rows = await textStore(target).keywordDocs({ ...q, from: q.from - span, to: q.to });
	const days = daysOf(q.from, q.to);
	const firstDay = days[0] ?? 0;
	const current = new Map<string, number>();
	const previous = new Map<string, number>();
	const docs = rows.map((r) => ({ ts: r.ts, terms: new Set(r.terms.split(' ')) }));
	for (const d of docs) {
		const into = d.ts >= q.from ? current : previous;
		for (const t of d.terms) into.set(t, (into.get(t) ?? 0) + 1);
	}
	const df = await documentFrequencies(target);
	let chosen: { term: string; count: number; weight: number }[];
	if (q.terms && q.terms.length > 0) {
		chosen = q.terms.map((term) => {
			const count = current.get(term) ?? 0;
			return { term, count, weight: count * df.idf(term) };
		});
	} else {
		chosen = [...current.entries()]
			.filter(([, n]) => n >= 2)
			.map(([term, count]) => ({ term, count, weight: count * df.idf(term) }))
			.sort((a, b) => b.weight - a.weight || a.term.localeCompare(b.term))
			.slice(0, q.limit ?? 12);
	}
	const series = new Map(chosen.map((c) => [c.term, new Array<number>(days.length).fill(0)]));
	for (const d of docs) {
		if (d.ts < q.from) continue;
		const i = dayNumber(d.ts) - firstDay;
		for (const t of d.terms) {
			const s = series.get(t);
			if (s && i >= 0 && i < s.length) s[i]++;
		}
	}
	return {
		days: days.map(dayKey),
		keywords: chosen.map((c) => {
			const before = previous.get(c.term) ?? 0;
			return {
				term: c.term,
				count: c.count,
				previous: before,
				growth: before > 0 ? Math.round((c.count / before - 1) * 1000) / 1000 : null,
				weight: Math.round(c.weight * 100) / 100,
				series: series.get(c.term) ?? []
			};
		})
	};
}

export interface CommentQuery extends TextQuery {
	topic?: string | null;
	/** Sentiment range, inclusive, within −1…1. */
	sentimentMin?: number | null;
	sentimentMax?: number | null;
	tag?: TagKind | null;
	/** A tag rule id (e.g. `competitor.icbc`). */
	rule?: string | null;
	/** A keyword term (as keywordTrends returns them). */
	term?: string | null;
	/** The `next` of the previous page. */
	cursor?: string | null;
	/** Page size, 1–200 (default 50). */
	limit?: number;
}

export type HighlightKind = 'tag' | 'positive' | 'negative' | 'keyword';

/** A range of the comment's text to highlight: UTF-16 offsets, as `text.slice(start, end)` takes them. */
export interface Highlight {
	start: number;
	end: number;
	kind: HighlightKind;
}

export interface CommentItem {
	/** The event's id (the client's). */
	id: string;
	seq: number;
	customerId: string;
	ts: number;
	type: string;
	channel: string | null;
	segment: string | null;
	journey: string | null;
	teamId: string | null;
	/** The survey metric and score of a feedback comment (null for a transcript). */
	metric: string | null;
	score: number | null;
	sentiment: number | null;
	topic: { id: string; label: string } | null;
	tags: { tag: TagKind; rule: string; label: string; labelEn: string }[];
	keywords: string[];
	/** The redacted text as stored. */
	text: string;
	highlights: Highlight[];
}

const CURSOR = /^(-?\d+)_(\d+)$/;

/**
 * Comments and transcripts, newest first, filtered by period, dimensions, topic, sentiment range, tag kind or rule
 * and keyword; each with its highlights (tag phrases, sentiment words, keywords). Paged by a cursor over (ts, seq).
 */
export async function comments(
	target: Db | Storage,
	q: CommentQuery
): Promise<{ comments: CommentItem[]; next: string | null }> {
	const cursor = q.cursor ? CURSOR.exec(q.cursor) : null;
	const limit = Math.max(1, Math.min(200, Math.floor(q.limit ?? 50)));
	const rows = await textStore(target).commentRows(q, {
		topic: q.topic,
		sentimentMin: q.sentimentMin,
		sentimentMax: q.sentimentMax,
		tag: q.tag,
		rule: q.rule,
		term: q.term,
		cursor: cursor ? { ts: Number(cursor[1]), seq: Number(cursor[2]) } : null,
		limit: limit + 1
	});
	const page = rows.slice(0, limit);
	const catalog = await topicCatalog(target);
	const { compiled } = await compiledTagRules(target);
	const df = await documentFrequencies(target);
	const items = page.map((r): CommentItem => {
		// analyzeText redacts again: a safety net for text written without the ingestion pipeline.
		const analysis = analyzeText(r.text ?? '', compiled);
		const text = analysis.text;
		const keywords = keywordsOf(analysis.terms, df, 3).map((k) => k.term);
		const topic = r.topic_id ? catalog.get(r.topic_id) : undefined;
		const marked = new Set([
			...keywords,
			...(topic?.keywords.slice(0, 5) ?? []),
			...(q.term ? [q.term] : [])
		]);
		const candidates: Highlight[] = [
			...analysis.tags.map((h) => ({ start: h.start, end: h.end, kind: 'tag' as const })),
			...analysis.sentimentHits
				.filter((h) => h.end - h.start <= 12)
				.map((h) => ({
					start: h.start,
					end: h.end,
					kind: h.value >= 0 ? ('positive' as const) : ('negative' as const)
				})),
			...analysis.tokens
				.filter((t) => {
					const term = termOf(t);
					return term !== null && marked.has(term) && within(analysis.customer, t.start, t.end);
				})
				.map((t) => ({ start: t.start, end: t.end, kind: 'keyword' as const }))
		];
		const highlights: Highlight[] = [];
		for (const h of candidates)
			if (!highlights.some((o) => h.start < o.end && o.start < h.end)) highlights.push(h);
		highlights.sort((a, b) => a.start - b.start);
		const seen = new Set<string>();
		return {
			id: r.id,
			seq: r.seq,
			customerId: r.customer_id,
			ts: r.ts,
			type: r.type,
			channel: r.channel,
			segment: r.segment,
			journey: r.journey,
			teamId: r.team_id,
			metric: r.metric,
			score: r.score,
			sentiment: r.sentiment,
			topic: r.topic_id ? { id: r.topic_id, label: topic?.label ?? r.topic_id } : null,
			tags: analysis.tags
				.filter((h) => !seen.has(h.rule) && seen.add(h.rule))
				.map((h) => ({ tag: h.tag, rule: h.rule, label: h.label, labelEn: h.labelEn })),
			keywords,
			text,
			highlights
		};
	});
	const last = page[page.length - 1];
	return { comments: items, next: rows.length > limit && last ? `${last.ts}_${last.seq}` : null };
}

/** Counts of texts per tag kind in a period (for tiles and alerts). */
export async function tagCounts(
	target: Db | Storage,
	q: TextQuery
): Promise<Record<TagKind, number> & { total: number }> {
	return textStore(target).tagCounts(q);
}

/** Texts per tag rule in a period (which competitors, which lead products, which risk words), most first. */
export async function tagRuleCounts(
	target: Db | Storage,
	q: TextQuery,
	tag?: TagKind | null
): Promise<{ rule: string; count: number }[]> {
	return textStore(target).tagRuleCounts(q, tag);
}

/** Journeys that texts belong to (for a filter list), most texts first. */
export async function textJourneys(target: Db | Storage, limit = 50): Promise<string[]> {
	return textStore(target).textJourneys(limit);
}
