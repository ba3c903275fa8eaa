import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENTIMENT_BAND, type Channel, type CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { postgresStorage, type Storage } from '$lib/server/db/storage';
import { writeEvents } from '$lib/server/ingest/writer';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import * as text from './index';
import { seededRandom } from './cluster';
import { sampleComments, type SampleTheme } from './sample-corpus';

/**
 * The text module on both engines: the same texts, indexed on SQLite and copied to PostgreSQL (or indexed on each),
 * must give the same topics, terms, sentiment index and n, tag counts and drill-downs, besides the counts computed
 * here by hand from the texts themselves.
 */
const DAY = 86_400_000;
/** Monday 2025-06-02 00:00 in UTC+8. */
const T0 = Date.UTC(2025, 5, 1, 16);
const END = T0 + 14 * DAY;
const period = { from: T0, to: END };
const CHANNELS: Channel[] = ['phone', 'chat', 'app', 'wechat'];

/** When a table was last ANALYZEd by hand (not by autovacuum); null when never. */
async function lastAnalyze(db: PgDb, table: string): Promise<unknown> {
	const [row] = await db.$client`SELECT last_analyze FROM pg_stat_user_tables WHERE relname = ${table}`;
	return row?.last_analyze ?? null;
}

/** 500 comments and transcripts over two weeks, the app-login theme growing in the second (an emerging topic). */
function buildEvents(): CxEvent[] {
	const random = seededRandom(7);
	const events: CxEvent[] = [];
	for (let c = 0; c < 200; c++)
		events.push({
			id: `identify-${c}`,
			type: 'identify',
			ts: T0 - DAY,
			customerId: `c${c}`,
			traits: { segment: c % 10 === 0 ? 'private' : c % 3 === 0 ? 'affluent' : 'mass' },
			properties: {}
		});
	const steady: SampleTheme[] = ['fraud', 'ivr', 'fees', 'wealth', 'branch_queue', 'praise'];
	const week = (start: number, appWeight: number, count: number, seed: number) =>
		sampleComments(count, seed, {
			themes: [...steady, 'app_login'],
			weights: { app_login: appWeight },
			english: 0.1
		}).map((s) => ({ s, ts: start + Math.floor(random() * 7 * DAY) }));
	[...week(T0, 0.5, 220, 3), ...week(T0 + 7 * DAY, 2.5, 280, 4)].forEach(({ s, ts }, n) => {
		const common = {
			ts,
			customerId: `c${Math.floor(random() * 200)}`,
			channel: CHANNELS[Math.floor(random() * CHANNELS.length)],
			teamId: random() < 0.5 ? 'team-a' : 'team-b',
			text: s.text,
			properties: {}
		};
		if (n % 3 === 0)
			events.push({
				...common,
				id: `contact-${n}`,
				type: 'contact',
				handledBy: 'agent',
				outcome: 'resolved'
			});
		else
			events.push({
				...common,
				id: `feedback-${n}`,
				type: 'feedback',
				metric: 'nps',
				score: s.tone === 'positive' ? 9 + (n % 2) : s.tone === 'negative' ? n % 7 : 7 + (n % 2)
			});
	});
	return events;
}

const EVENTS = buildEvents();
const TEXTS = EVENTS.filter((e) => e.text).map((e) => e.text as string);

function freshSqlite(): Db {
	const db = openDatabase(':memory:');
	writeEvents(db, EVENTS, { sourceId: null, dedupe: false });
	return db;
}

/** Everything the indexer wrote, in a comparable order. */
async function indexed(target: Db | PgDb) {
	const docsSql = 'SELECT seq, ts, sentiment, terms, topic_id, tag_mask, tags FROM text_docs ORDER BY seq';
	const termsSql = 'SELECT term, df FROM text_terms ORDER BY term';
	if ('prepare' in target.$client) {
		const c = (target as Db).$client;
		return { docs: c.prepare(docsSql).all(), terms: c.prepare(termsSql).all() };
	}
	const c = (target as PgDb).$client;
	return { docs: [...(await c.unsafe(docsSql))], terms: [...(await c.unsafe(termsSql))] };
}

const FILTERS = [
	{},
	{ channel: 'phone' },
	{ teams: ['team-a'] },
	{ teams: [] as string[] },
	{ segment: 'private' },
	{ teams: ['team-b'], channel: 'app' }
];

describe('text analytics: PostgreSQL gives the SQLite answers', { timeout: 120_000 }, () => {
	let lite: Db;
	let pg: TestPostgres;
	let pgs: Storage;

	beforeAll(async () => {
		lite = freshSqlite();
		await text.recomputeText(lite, { seed: 42 });
		pg = await mirrorToPostgres(lite);
		pgs = postgresStorage(pg.db);
	}, 120_000);
	afterAll(async () => {
		await pg?.close();
	});

	it('reports the same topics, sentiment index and n for every filter, with the hand-counted totals', async () => {
		for (const f of FILTERS) {
			const a = await text.topics(lite, { ...period, ...f });
			const b = await text.topics(pgs, { ...period, ...f });
			expect(b).toEqual(a);
		}
		const report = await text.topics(pgs, period);
		expect(report.total).toBe(TEXTS.length);
		expect(report.topics.length).toBeGreaterThanOrEqual(4);
		const scores = TEXTS.map((t) => text.scoreSentiment(t)).filter((s): s is number => s !== null);
		expect(report.sentiment.n).toBe(scores.length);
		expect(report.sentiment.positive).toBe(scores.filter((s) => s > SENTIMENT_BAND).length);
		expect(report.sentiment.negative).toBe(scores.filter((s) => s < -SENTIMENT_BAND).length);
		expect(report.topics.reduce((s, t) => s + t.count, 0) + report.unassigned).toBe(TEXTS.length);
		expect((await text.topics(pgs, { ...period, teams: [] })).total).toBe(0);
		const phone = EVENTS.filter((e) => e.text && e.channel === 'phone').length;
		expect((await text.topics(pgs, { ...period, channel: 'phone' })).total).toBe(phone);
	});

	it('finds the same emerging topics, keyword trends, tag counts, rule counts and journeys', async () => {
		const emerging = await text.emergingTopics(pgs, { to: END }, { minCount: 5 });
		expect(emerging).toEqual(await text.emergingTopics(lite, { to: END }, { minCount: 5 }));
		expect(emerging.length).toBeGreaterThan(0);
		for (const f of FILTERS) {
			const q = { ...period, ...f };
			expect(await text.keywordTrends(pgs, { ...q, limit: 10 })).toEqual(
				await text.keywordTrends(lite, { ...q, limit: 10 })
			);
			expect(await text.tagCounts(pgs, q)).toEqual(await text.tagCounts(lite, q));
			for (const tag of [null, ...text.TAG_KINDS])
				expect(await text.tagRuleCounts(pgs, q, tag)).toEqual(await text.tagRuleCounts(lite, q, tag));
		}
		expect(await text.textJourneys(pgs)).toEqual(await text.textJourneys(lite));
		// Hand count: texts holding 验证码 in the second week.
		const asked = (await text.keywordTrends(pgs, { from: T0 + 7 * DAY, to: END, terms: ['验证码'] }))
			.keywords[0];
		const docs = (await indexed(pg.db)).docs as { ts: number; terms: string }[];
		const holding = (from: number, to: number) =>
			docs.filter((d) => d.ts >= from && d.ts < to && d.terms.split(' ').includes('验证码')).length;
		expect(asked.count).toBe(holding(T0 + 7 * DAY, END));
		expect(asked.previous).toBe(holding(T0, T0 + 7 * DAY));
		expect(asked.count).toBeGreaterThan(0);
		const counts = await text.tagCounts(pgs, period);
		expect(counts.total).toBe(TEXTS.length);
		const risky = docs.filter(
			(d) => ((d as unknown as { tag_mask: number }).tag_mask & text.TAG_BITS.risk) !== 0
		);
		expect(counts.risk).toBe(risky.length);
	});

	it('drills down to the same comments by topic, tag, rule, keyword, sentiment and cursor', async () => {
		const report = await text.topics(pgs, period);
		const rule = (await text.tagRuleCounts(pgs, period))[0].rule;
		const queries: text.CommentQuery[] = [
			{ ...period, limit: 200 },
			{ ...period, topic: report.topics[0].id, limit: 200 },
			{ ...period, tag: 'risk', limit: 200 },
			{ ...period, rule, limit: 200 },
			{ ...period, term: '盗刷', limit: 200 },
			{ ...period, term: 'APP', limit: 200 },
			{ ...period, sentimentMin: -0.2, sentimentMax: 0.4, limit: 200 },
			{ ...period, teams: ['team-a'], channel: 'chat', limit: 200 },
			{ ...period, teams: [], limit: 200 }
		];
		for (const q of queries) {
			// Every page, through the cursor.
			let cursor: string | null = null;
			let pages = 0;
			do {
				const a: Awaited<ReturnType<typeof text.comments>> = await text.comments(lite, {
					...q,
					cursor,
					limit: 60
				});
				const b = await text.comments(pgs, { ...q, cursor, limit: 60 });
				expect(b).toEqual(a);
				cursor = a.next;
				pages++;
			} while (cursor && pages < 20);
		}
		const all = await text.comments(pgs, { ...period, limit: 200, rule });
		expect(all.comments.length).toBeGreaterThan(0);
		for (const c of all.comments) expect(c.tags.map((t) => t.rule)).toContain(rule);
		const docs = (await indexed(pg.db)).docs as { tags: string; ts: number }[];
		const withRule = docs.filter((d) => (JSON.parse(d.tags) as string[]).includes(rule)).length;
		expect(all.comments.length).toBe(Math.min(200, withRule));
		const fraud = await text.comments(pgs, { ...period, term: '盗刷', limit: 200 });
		expect(fraud.comments.length).toBe(
			Math.min(
				200,
				docs.filter((d) => (d as unknown as { terms: string }).terms.split(' ').includes('盗刷')).length
			)
		);
		expect(fraud.comments.length).toBeGreaterThan(0);
	});
});

describe(
	'text analytics: indexing, re-tagging and the scheduled recompute on PostgreSQL',
	{ timeout: 180_000 },
	() => {
		let lite: Db;
		let pg: TestPostgres;
		let twin: TestPostgres;

		beforeAll(async () => {
			// Events only: nothing indexed yet on either copy.
			lite = freshSqlite();
			pg = await mirrorToPostgres(lite);
			twin = await mirrorToPostgres(lite);
		}, 60_000);
		afterAll(async () => {
			await pg?.close();
			await twin?.close();
		});

		it('indexes the same texts into the same rows, terms, topics and reports', async () => {
			const a = await text.recomputeText(lite, { seed: 42, batchSize: 150 });
			const b = await text.recomputeText(postgresStorage(pg.db), {
				seed: 42,
				batchSize: 150,
				refreshStatisticsAfter: 100
			});
			expect(b).toMatchObject({ indexed: TEXTS.length, refitted: true, topics: a.topics });
			// A pass of 100 texts or more ANALYZEs text_docs on PostgreSQL (the reports are planned on its statistics).
			await expect.poll(() => lastAnalyze(pg.db, 'text_docs'), { timeout: 20_000 }).not.toBeNull();
			// … after the topics were assigned: the statistics know texts have topics (the reports filter on them).
			const [topicStats] = await pg.db.$client`SELECT null_frac FROM pg_stats
				WHERE tablename = 'text_docs' AND attname = 'topic_id'`;
			expect(Number(topicStats?.null_frac)).toBeLessThan(1);
			expect(a.indexed).toBe(TEXTS.length);
			const left = await indexed(lite);
			const right = await indexed(pg.db);
			expect(right.docs).toEqual(left.docs);
			expect(right.terms).toEqual(left.terms);
			// Document frequencies by hand: each text counts once per distinct term.
			const df = new Map<string, number>();
			for (const d of left.docs as { terms: string }[])
				for (const t of new Set(d.terms ? d.terms.split(' ') : [])) df.set(t, (df.get(t) ?? 0) + 1);
			expect(new Map((right.terms as { term: string; df: number }[]).map((r) => [r.term, r.df]))).toEqual(df);
			const modelA = await text.currentModel(lite);
			const modelB = await text.currentModel(postgresStorage(pg.db));
			expect(modelB?.topics).toEqual(modelA?.topics);
			const { model: _a, ...reportA } = await text.topics(lite, period);
			const { model: _b, ...reportB } = await text.topics(postgresStorage(pg.db), period);
			expect(reportB).toEqual(reportA);
		});

		it('edits the tag rules and re-tags alike', async () => {
			const pgs = postgresStorage(pg.db);
			for (const db of [lite, pgs] as const) {
				const rules = await text.getTagRules(db);
				await text.setTagRules(
					db,
					rules.map((r) => (r.tag === 'risk' ? { ...r, enabled: false } : r)),
					'admin@example.com'
				);
				expect((await text.recomputeText(db)).retagged).toBe(true);
			}
			expect(await text.getTagRules(pgs)).toEqual(await text.getTagRules(lite));
			expect((await text.tagCounts(pgs, period)).risk).toBe(0);
			expect(await text.tagRuleCounts(pgs, period)).toEqual(await text.tagRuleCounts(lite, period));
			expect((await indexed(pg.db)).docs).toEqual((await indexed(lite)).docs);
			await expect(
				text.setTagRules(pgs, [{ id: 'bad id', tag: 'risk', label: 'x', labelEn: 'x', any: [] }])
			).rejects.toThrow();
			await text.resetTagRules(pgs);
			await text.recomputeText(pgs);
			expect((await text.tagCounts(pgs, period)).risk).toBeGreaterThan(0);
			expect(await text.getTagRules(pgs)).toEqual(text.defaultTagRules());
		});

		it('runs the recompute once when two processes start it together', async () => {
			const second = await twin.another({ pool: 3 });
			const [one, two] = await Promise.all([
				text.recomputeText(postgresStorage(twin.db), { seed: 42, batchSize: 100 }),
				text.recomputeText(postgresStorage(second), { seed: 42, batchSize: 100 })
			]);
			const reports = [one, two];
			expect(reports.filter((r) => r.skipped)).toHaveLength(1);
			expect(reports.find((r) => !r.skipped)).toMatchObject({ indexed: TEXTS.length, refitted: true });
			// Indexed once: one row per text, each term counted once per text, the watermark at the last text.
			const rows = await indexed(twin.db);
			expect(rows.docs).toHaveLength(TEXTS.length);
			expect(rows.terms).toEqual((await indexed(lite)).terms);
			const [state] = await twin.db.$client`SELECT value FROM text_state WHERE key = 'docs'`;
			expect(JSON.parse(state.value as string)).toBe(TEXTS.length);
			// The process that skipped sees the other's model and document frequencies (no stale cache).
			expect((await text.currentModel(postgresStorage(second)))?.topics.length).toBe(
				Math.max(one.topics, two.topics)
			);
			const again = await text.recomputeText(postgresStorage(second));
			expect(again).toMatchObject({ indexed: 0, refitted: false });
		});
	}
);
