import { beforeAll, describe, expect, it } from 'vitest';
import type { CxEvent, Channel } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { passesLuhn, redactText } from '$lib/server/ingest/redact';
import { writeEvents } from '$lib/server/ingest/writer';
import { evaluateRule } from '$lib/server/alerts/evaluate';
import { createRule } from '$lib/server/alerts/rules';
import * as text from './index';
import { seededRandom } from './cluster';
import { sampleComments, type SampleTheme } from './sample-corpus';

const DAY = 86_400_000;
/** Monday 2025-06-02 00:00 in UTC+8. */
const T0 = Date.UTC(2025, 5, 1, 16);
const WEEK2 = T0 + 7 * DAY;
const END = T0 + 14 * DAY;

/** A resident ID number with a valid GB 11643 check character. */
function residentId(body17: string): string {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const sum = [...body17].reduce((s, d, i) => s + Number(d) * w[i], 0);
	return body17 + '10X98765432'[sum % 11];
}

/** A card number with a valid Luhn check digit. */
function cardNumber(body: string): string {
	for (let d = 0; d <= 9; d++) if (passesLuhn(body + d)) return body + d;
	throw new Error('unreachable');
}

const PII = {
	mobile: '13912345678',
	mobileSpaced: '139 1234 5678',
	id: residentId('11010519900307123'),
	card: cardNumber('622202123456789012'),
	email: 'zhang.san@example.com'
};
const PII_TEXTS = [
	`请打${PII.mobile}回电，信用卡被盗刷了`,
	`证件${PII.id}，人脸识别一直失败，登不上手机银行`,
	`我的卡${PII.card}年费乱扣，写信到${PII.email}`,
	`回拨 ${PII.mobileSpaced}，网点排队太久了`,
	`Card ${PII.card.replace(/(\d{4})(?=\d)/g, '$1 ')} was skimmed, call me on +86 ${PII.mobile}`
];
/** What must never come out of the text module once the texts went through redaction. */
const LEAKS = [
	/1[3-9]\d[ -]?\d{4}[ -]?\d{4}/,
	/\d{17}[\dXx]/,
	/\d(?:[ -]?\d){15,18}/,
	/@example\.com/,
	/zhang\.san/
];

let db: Db;
const CHANNELS: Channel[] = ['phone', 'chat', 'app', 'wechat'];

/**
 * Two weeks of comments and transcripts from 600 customers in two teams: steady themes, and the app-login theme
 * tripling in the second week (the planted emerging topic). Texts go through redactText as ingestion does.
 */
function buildEvents(): CxEvent[] {
	const random = seededRandom(99);
	const events: CxEvent[] = [];
	for (let c = 0; c < 600; c++)
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
			english: 0.05
		}).map((s, i) => ({ s, ts: start + Math.floor(random() * 7 * DAY), i }));
	const all = [...week(T0, 0.5, 700, 1), ...week(WEEK2, 2.2, 800, 2)];
	all.forEach(({ s, ts }, n) => {
		const customerId = `c${Math.floor(random() * 600)}`;
		const teamId = random() < 0.5 ? 'team-a' : 'team-b';
		const channel = CHANNELS[Math.floor(random() * CHANNELS.length)];
		const raw = n % 50 === 0 ? PII_TEXTS[(n / 50) % PII_TEXTS.length] : s.text;
		const redacted = redactText(raw).text;
		if (n % 3 === 0) {
			events.push({
				id: `contact-${n}`,
				type: 'contact',
				ts,
				customerId,
				channel,
				teamId,
				handledBy: 'agent',
				outcome: 'resolved',
				text: redacted,
				properties: {}
			});
		} else {
			const score =
				s.tone === 'positive'
					? 9 + Math.floor(random() * 2)
					: s.tone === 'negative'
						? Math.floor(random() * 7)
						: 7 + Math.floor(random() * 2);
			events.push({
				id: `feedback-${n}`,
				type: 'feedback',
				ts,
				customerId,
				channel,
				teamId,
				metric: 'nps',
				score,
				text: redacted,
				properties: {}
			});
		}
	});
	return events;
}

const period = { from: T0, to: END };

beforeAll(async () => {
	db = openDatabase(':memory:');
	writeEvents(db, buildEvents(), { sourceId: null, dedupe: false });
	await text.recomputeText(db, { seed: 42 });
}, 60_000);

describe('indexing', () => {
	it('indexes every text, fills events.sentiment with scoreSentiment, and is idempotent', async () => {
		const c = db.$client;
		const texts = (
			c.prepare('SELECT count(*) AS n FROM events WHERE text IS NOT NULL').get() as { n: number }
		).n;
		expect((c.prepare('SELECT count(*) AS n FROM text_docs').get() as { n: number }).n).toBe(texts);
		const sample = c
			.prepare('SELECT text, sentiment FROM events WHERE text IS NOT NULL ORDER BY seq LIMIT 50')
			.all() as { text: string; sentiment: number | null }[];
		for (const r of sample) expect(r.sentiment).toBe(text.scoreSentiment(r.text));
		const again = await text.recomputeText(db);
		expect(again).toMatchObject({ indexed: 0, retagged: false, refitted: false });
	});

	it('keeps topic ids across a refit of the same texts', async () => {
		const before = (await text.currentModel(db))?.topics.map((t) => [t.id, t.label]);
		const report = await text.recomputeText(db, { forceRefit: true, seed: 42 });
		expect(report.refitted).toBe(true);
		expect((await text.currentModel(db))?.topics.map((t) => [t.id, t.label])).toEqual(before);
	});
});

describe('topics', () => {
	it('reports topics with counts, sentiment, NPS and a daily trend', async () => {
		const report = await text.topics(db, period);
		expect(report.total).toBe(1500);
		expect(report.days).toHaveLength(14);
		expect(report.days[0]).toBe('2025-06-02');
		expect(report.topics.length).toBeGreaterThanOrEqual(5);
		expect(report.topics.reduce((s, t) => s + t.count, 0) + report.unassigned).toBe(report.total);
		expect(report.unassigned / report.total).toBeLessThan(0.1);
		for (const t of report.topics) {
			expect(t.label.length).toBeGreaterThan(0);
			expect(t.keywords.length).toBeGreaterThan(0);
			expect(t.trend.reduce((a, b) => a + b, 0)).toBe(t.count);
			expect(t.sentiment).not.toBeNull();
			expect(Math.abs(t.sentiment ?? 0)).toBeLessThanOrEqual(1);
		}
		console.log(
			`[topics] ${report.topics.length} topics: ` +
				report.topics
					.map((t) => `${t.label} (${t.count}, ${t.sentiment}${t.emerging ? ', emerging' : ''})`)
					.join('; ')
		);
		// Topic sentiment follows what the topic is about: rude staff and fraud read negative, and some topic positive.
		const sentiments = report.topics.map((t) => t.sentiment ?? 0);
		expect(Math.max(...sentiments)).toBeGreaterThan(0.2);
		expect(Math.min(...sentiments)).toBeLessThan(-0.3);
		const rude = report.topics.find((t) => t.keywords.includes('态度恶劣'));
		const fraud = report.topics.find((t) => t.keywords.slice(0, 3).includes('盗刷'));
		expect(rude?.sentiment ?? 0).toBeLessThan(-0.3);
		expect(fraud?.sentiment ?? 0).toBeLessThan(0);
		// NPS of the customers who wrote about it: a value once n ≥ 30, with its interval
		const big = report.topics[0];
		expect(big.nps.n).toBeGreaterThanOrEqual(30);
		expect(big.nps.value).not.toBeNull();
		expect(big.nps.ci95?.[0]).toBeLessThanOrEqual(big.nps.value ?? 0);
	});

	it('surfaces the planted emerging topic, and only it', async () => {
		const emerging = await text.emergingTopics(db, { to: END });
		expect(emerging.length).toBeGreaterThanOrEqual(1);
		for (const e of emerging) {
			expect(
				e.keywords.some((k) => ['手机银行', '验证码', '人脸识别', '刷脸', '闪退', '登不上'].includes(k))
			).toBe(true);
			expect(e.current).toBeGreaterThan(e.previous);
		}
		const report = await text.topics(db, period);
		expect(report.topics.filter((t) => t.emerging).map((t) => t.id)).toEqual(
			expect.arrayContaining(emerging.map((e) => e.id))
		);
	});

	it('feeds an emerging_topic alert rule, which names the topic; a stricter rule stays quiet', async () => {
		const rule = async (value: number) =>
			(
				await createRule(
					db,
					{ name: 'emerging', kind: 'risk', signal: 'emerging_topic', value, ratio: 1.5, alpha: 0.01 },
					null,
					END
				)
			).rule;
		const [finding] = await evaluateRule(db, await rule(10), END);
		const expected = await text.emergingTopics(db, { to: END }, { minCount: 10, alpha: 0.01, minRatio: 1.5 });
		expect(expected.length).toBeGreaterThan(0);
		expect(finding).toMatchObject({ state: 'firing', value: expected.length });
		const topics = (finding.details as { topics: { id: string; label: string }[] }).topics;
		expect(topics.map((t) => t.id)).toEqual(expected.map((e) => e.id).slice(0, 10));
		expect(finding.summary).toContain(expected[0].label);
		// No topic has 100,000 texts this week.
		expect((await evaluateRule(db, await rule(100_000), END))[0]).toMatchObject({ state: 'clear', value: 0 });
	});

	it('has a default period of whole days in UTC+8, so reports are shared', async () => {
		// 11:00 on 2 June in Beijing: the last 30 days end at midnight starting 3 June
		const p = text.defaultPeriod(Date.UTC(2025, 5, 2, 3));
		expect(p.to).toBe(Date.UTC(2025, 5, 2, 16));
		expect(p.to - p.from).toBe(30 * DAY);
		expect(await text.topics(db, { ...period, segment: null })).toBe(await text.topics(db, period));
	});

	it('applies filters and a manager’s team scope', async () => {
		const all = (await text.topics(db, period)).total;
		const phone = (await text.topics(db, { ...period, channel: 'phone' })).total;
		const teamA = (await text.topics(db, { ...period, teams: ['team-a'] })).total;
		const teamB = (await text.topics(db, { ...period, teams: ['team-b'] })).total;
		expect(phone).toBeGreaterThan(0);
		expect(phone).toBeLessThan(all);
		expect(teamA + teamB).toBe(all);
		expect((await text.topics(db, { ...period, teams: [] })).total).toBe(0);
		expect((await text.topics(db, { ...period, segment: 'private' })).total).toBeLessThan(all / 4);
	});
});

describe('comments', () => {
	it('pages through everything with a cursor, newest first', async () => {
		const seen = new Set<number>();
		let cursor: string | null = null;
		let previousTs = Infinity;
		let pages = 0;
		do {
			const page: Awaited<ReturnType<typeof text.comments>> = await text.comments(db, {
				...period,
				limit: 200,
				cursor
			});
			for (const c of page.comments) {
				expect(c.ts).toBeLessThanOrEqual(previousTs);
				previousTs = c.ts;
				seen.add(c.seq);
			}
			cursor = page.next;
			pages++;
		} while (cursor && pages < 20);
		expect(seen.size).toBe(1500);
	});

	it('filters by topic, tag, sentiment and keyword, with highlights inside the text', async () => {
		const top = (await text.topics(db, period)).topics[0];
		const byTopic = await text.comments(db, { ...period, topic: top.id, limit: 200 });
		expect(byTopic.comments.length).toBeGreaterThan(0);
		for (const c of byTopic.comments) expect(c.topic?.id).toBe(top.id);

		const risky = await text.comments(db, { ...period, tag: 'risk', limit: 50 });
		expect(risky.comments.length).toBeGreaterThan(0);
		for (const c of risky.comments) expect(c.tags.some((t) => t.tag === 'risk')).toBe(true);

		const negative = await text.comments(db, { ...period, sentimentMax: -0.3, limit: 50 });
		for (const c of negative.comments) expect(c.sentiment ?? 0).toBeLessThanOrEqual(-0.3);

		const keyword = await text.comments(db, { ...period, term: '盗刷', limit: 50 });
		expect(keyword.comments.length).toBeGreaterThan(0);
		for (const c of keyword.comments) {
			expect(c.text).toContain('盗刷');
			expect(c.highlights.some((h) => c.text.slice(h.start, h.end).includes('盗刷'))).toBe(true);
		}
		for (const c of [...byTopic.comments, ...risky.comments]) {
			let end = 0;
			for (const h of c.highlights) {
				expect(h.start).toBeGreaterThanOrEqual(end);
				expect(h.end).toBeLessThanOrEqual(c.text.length);
				end = h.end;
			}
			expect(c.customerId).toMatch(/^c\d+$/);
		}
	});
});

describe('keyword trends', () => {
	it('ranks keywords with daily series and change against the previous period', async () => {
		const trends = await text.keywordTrends(db, { from: WEEK2, to: END, limit: 8 });
		expect(trends.days).toHaveLength(7);
		expect(trends.keywords).toHaveLength(8);
		for (const k of trends.keywords) expect(k.series.reduce((a, b) => a + b, 0)).toBe(k.count);
		const asked = (await text.keywordTrends(db, { from: WEEK2, to: END, terms: ['验证码'] })).keywords[0];
		expect(asked.term).toBe('验证码');
		expect(asked.count).toBeGreaterThan(asked.previous);
	});
});

describe('tag rules', () => {
	it('seeds the defaults, counts tags, and re-tags after an admin edit', async () => {
		const rules = await text.getTagRules(db);
		expect(rules.map((r) => r.id)).toEqual(
			expect.arrayContaining(['suggestion.zh', 'lead.wealth', 'competitor.icbc', 'risk.regulator'])
		);
		const before = await text.tagCounts(db, period);
		expect(before.suggestion).toBeGreaterThan(0);
		expect(before.competitor).toBeGreaterThan(0);
		expect(before.risk).toBeGreaterThan(0);
		expect(before.lead).toBeGreaterThan(0);
		expect((await text.tagRuleCounts(db, period, 'competitor')).length).toBeGreaterThan(0);

		// The bank is 招商银行 itself: its name is not a competitor.
		await text.setTagRules(
			db,
			rules.map((r) => (r.id === 'competitor.cmb' ? { ...r, enabled: false } : r)),
			'admin@example.com'
		);
		expect((await text.getTagRules(db)).find((r) => r.id === 'competitor.cmb')?.enabled).toBe(false);
		expect((await text.recomputeText(db)).retagged).toBe(true);
		expect((await text.tagRuleCounts(db, period, 'competitor')).map((r) => r.rule)).not.toContain(
			'competitor.cmb'
		);
		await expect(
			text.setTagRules(db, [{ id: 'bad id', tag: 'risk', label: 'x', labelEn: 'x', any: [] }])
		).rejects.toThrow();
		await text.resetTagRules(db);
		await text.recomputeText(db);
		expect((await text.tagRuleCounts(db, period, 'competitor')).map((r) => r.rule)).toContain(
			'competitor.cmb'
		);
	});
});

describe('redaction', () => {
	it('lets no phone, ID, card number or e-mail through redaction and the text pipeline', async () => {
		// One transcript written the way the demo seed writes (writeEvents directly, no redaction step): the text
		// module redacts again before analysing and before returning text.
		writeEvents(
			db,
			[
				{
					id: 'raw-pii',
					type: 'contact',
					ts: END - DAY,
					customerId: 'c1',
					channel: 'phone',
					teamId: 'team-a',
					text: `坐席：请提供卡号\n客户：卡号是${PII.card}，手机${PII.mobile}，身份证${PII.id}，盗刷了`,
					properties: {}
				}
			],
			{ sourceId: null, dedupe: false }
		);
		await text.recomputeText(db);
		const outputs: string[] = [];
		const c = db.$client;
		outputs.push(
			...(
				c.prepare("SELECT text FROM events WHERE text IS NOT NULL AND id <> 'raw-pii'").all() as {
					text: string;
				}[]
			).map((r) => r.text)
		);
		outputs.push(
			...(c.prepare('SELECT terms FROM text_docs').all() as { terms: string }[]).map((r) => r.terms)
		);
		outputs.push(
			...(c.prepare('SELECT term FROM text_terms').all() as { term: string }[]).map((r) => r.term)
		);
		// Text fields only: timestamps in a JSON report would look like phone numbers.
		for (const t of (await text.topics(db, period)).topics) outputs.push(t.label, ...t.keywords);
		outputs.push(...(await text.keywordTrends(db, { ...period, limit: 50 })).keywords.map((k) => k.term));
		let cursor: string | null = null;
		do {
			const page: Awaited<ReturnType<typeof text.comments>> = await text.comments(db, {
				...period,
				limit: 200,
				cursor
			});
			for (const item of page.comments) {
				outputs.push(
					item.text,
					...item.keywords,
					...item.highlights.map((h) => item.text.slice(h.start, h.end))
				);
			}
			cursor = page.next;
		} while (cursor);
		const joined = outputs.join('\n');
		for (const leak of LEAKS) expect(leak.exec(joined)?.[0] ?? null).toBeNull();
		expect(joined).toContain('[手机号]');
		expect(joined).toContain('[身份证号]');
		expect(joined).toContain('[卡号]');
		expect(joined).toContain('[邮箱]');
	});
});
