import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteKey } from '$lib/server/auth/keys';
import { openDatabase, type Db } from '$lib/server/db';
import { ingestConfig } from '$lib/server/ingest/config';
import { createIngestContext, type IngestContext } from '$lib/server/ingest/context';
import { routeIngestion } from '$lib/server/ingest/serve';
import { bearer, post } from '$lib/server/ingest/testing';
import { LONG_TEXT_CHARS, TextScorer, useTextScorer } from './scorer';
import { redactText } from '$lib/server/ingest/redact';
import { analyzeText } from './analyze';
import { scoreSentiment } from './sentiment';
import { indexTextBatch } from './indexer';
import { compileTagRules, defaultTagRules, tagMask } from './tags';

// The text scorer's thread as `npm run build` bundles it (scripts/bundle-lib.js), into a temporary folder inside
// the project so its bare imports resolve from node_modules as the built server's do.
let dir: string;
let url: URL;

beforeAll(async () => {
	const cache = path.resolve('node_modules/.cache');
	mkdirSync(cache, { recursive: true });
	dir = mkdtempSync(path.join(cache, 'resonance-text-scorer-'));
	const { bundleLib } = (await import(pathToFileURL(path.resolve('scripts/bundle-lib.js')).href)) as {
		bundleLib: (entry: string, outDir: string, fileName: string) => Promise<string>;
	};
	url = pathToFileURL(await bundleLib('src/lib/server/text/scorer-thread.ts', dir, 'text-scorer.js'));
}, 60_000);

afterAll(() => {
	useTextScorer(null);
	rmSync(dir, { recursive: true, force: true });
});

/** Long texts that cost the most to segment and score per character, and ordinary comments. */
const LONG = ['1@'.repeat(14_000), '坐席：好\n客户：差，但是很慢！\n'.repeat(500), '，'.repeat(10_000)];
const SHORT = ['等了四十分钟没人接，太差了', '客服很耐心，问题一次解决', 'ok'];

describe('the text scorer thread', () => {
	it('gives the scores the main thread gives, long texts and short', async () => {
		const scorer = new TextScorer(url);
		try {
			const texts = [...LONG, ...SHORT];
			expect(await scorer.score(texts)).toEqual(texts.map((t) => scoreSentiment(t)));
			expect(scorer.scored).toBe(texts.length);
		} finally {
			await scorer.close();
		}
	});

	it('redacts, scores and analyses as the main thread does', async () => {
		const scorer = new TextScorer(url);
		try {
			const withData = `${'a'.repeat(29_000)}@ 客户：我的手机13800138000，邮箱 li.wei@example.cn，太差了`;
			const texts = [...LONG, withData, ...SHORT];
			expect(await scorer.redact(texts, true)).toEqual(
				texts.map((t) => {
					const r = redactText(t);
					return { ...r, sentiment: scoreSentiment(r.text) };
				})
			);
			const redacted = await scorer.redact([withData], false);
			expect(redacted).toEqual([redactText(withData)]);
			expect(redacted[0]!.text).not.toContain('13800138000');
			expect(redacted[0]!.counts).toEqual({ email: 1, mobile: 1 });
			const rules = compileTagRules(defaultTagRules());
			expect(await scorer.analyze(texts, rules)).toEqual(
				texts.map((t) => {
					const a = analyzeText(t, rules);
					return { sentiment: a.sentiment, terms: a.terms, tags: a.tags };
				})
			);
		} finally {
			await scorer.close();
		}
	});

	it('ends after a quiet spell and starts again for the next texts', async () => {
		const scorer = new TextScorer(url, 200);
		try {
			await scorer.score([SHORT[0]]);
			expect(scorer.running).toBe(true);
			await expect.poll(() => scorer.running, { timeout: 5_000 }).toBe(false);
			expect(await scorer.score([SHORT[1]])).toEqual([scoreSentiment(SHORT[1])]);
			expect(scorer.running).toBe(true);
		} finally {
			await scorer.close();
		}
		expect(scorer.running).toBe(false);
	});

	it('rejects the texts in flight when it is closed', async () => {
		const scorer = new TextScorer(url);
		const rejected = expect(scorer.score([LONG[0]])).rejects.toThrow('closed');
		await scorer.close();
		await rejected;
	});
});

describe('ingestion with the text scorer', () => {
	let db: Db;
	let ctx: IngestContext;
	let key: string;
	let scorer: TextScorer;

	beforeAll(async () => {
		db = openDatabase(path.join(dir, 'scorer.db'));
		key = (await createWriteKey(db, { name: 'scorer test' })).key;
		ctx = createIngestContext(db, { ...ingestConfig({}), groupCommitMs: 5 }, { writerThreadUrl: null });
		scorer = new TextScorer(url);
		useTextScorer(scorer);
	});
	afterAll(async () => {
		useTextScorer(null);
		await scorer.close();
		await ctx.close();
		db.$client.close();
	});

	it('scores the long texts in the thread and the short ones here, storing the same sentiment either way', async () => {
		const texts = [...LONG, ...SHORT];
		const ts = new Date(Date.now() - 60_000).toISOString();
		const events = texts.map((text, i) => ({
			id: `s-${i}`,
			type: 'feedback',
			ts,
			customerId: `c-${i}`,
			channel: 'app',
			metric: 'csat',
			score: 2,
			text
		}));
		const response = await routeIngestion(
			post('/api/v1/events', JSON.stringify({ events }), bearer(key)),
			ctx
		);
		expect(await response.json()).toMatchObject({ accepted: texts.length, rejected: [] });
		expect(scorer.scored).toBe(texts.filter((t) => t.length > LONG_TEXT_CHARS).length);
		expect(scorer.scored).toBe(LONG.length);
		const stored = db.$client.prepare(`SELECT id, sentiment FROM events ORDER BY id`).all() as {
			id: string;
			sentiment: number | null;
		}[];
		expect(stored).toEqual(
			texts
				.map((text, i) => ({ id: `s-${i}`, sentiment: scoreSentiment(text) }))
				.sort((a, b) => a.id.localeCompare(b.id))
		);
	});

	it('redacts long texts and long property values in the thread, keeping the short ones here', async () => {
		const before = scorer.scored;
		const longText = `${'a'.repeat(20_000)}@ 客户：手机 13800138000，太差了`;
		const longValue = `${'b'.repeat(3_000)} 联系 li.wei@example.cn`;
		const response = await routeIngestion(
			post(
				'/api/v1/events',
				JSON.stringify({
					events: [
						{
							id: 'r-1',
							type: 'feedback',
							ts: new Date(Date.now() - 60_000).toISOString(),
							customerId: 'c-r',
							channel: 'app',
							metric: 'csat',
							score: 1,
							text: longText,
							properties: { note: longValue, short: '手机 13912345678', nested: [{ long: longValue }] }
						}
					]
				}),
				bearer(key)
			),
			ctx
		);
		const body = await response.json();
		expect(body).toMatchObject({ accepted: 1, rejected: [] });
		// The text and the two long values went to the thread; the short value was redacted here.
		expect(scorer.scored - before).toBe(3);
		const row = db.$client
			.prepare(`SELECT text, properties, sentiment FROM events WHERE id = 'r-1'`)
			.get() as {
			text: string;
			properties: string;
			sentiment: number;
		};
		expect(row.text).toBe(redactText(longText).text);
		expect(row.text).not.toContain('13800138000');
		expect(row.sentiment).toBe(scoreSentiment(redactText(longText).text));
		const properties = JSON.parse(row.properties);
		expect(properties.note).toBe(redactText(longValue).text);
		expect(properties.nested[0].long).toBe(redactText(longValue).text);
		expect(properties.short).toBe('手机 [手机号]');
		expect(properties.note).toContain('[邮箱]');
	});

	it('indexes long texts in the thread, giving the same terms, tags and sentiment as here', async () => {
		const before = scorer.scored;
		const stored = db.$client
			.prepare(`SELECT text FROM events WHERE text IS NOT NULL ORDER BY seq`)
			.all() as {
			text: string;
		}[];
		const long = stored.filter((r) => r.text.length > LONG_TEXT_CHARS).length;
		expect(long).toBeGreaterThanOrEqual(4);
		expect(await indexTextBatch(db)).toBe(stored.length);
		expect(scorer.scored - before).toBe(long);
		const docs = db.$client
			.prepare(`SELECT terms, tag_mask AS mask, sentiment FROM text_docs ORDER BY seq`)
			.all();
		expect(docs).toEqual(
			stored.map((r) => {
				const a = analyzeText(r.text);
				return { terms: a.terms.join(' '), mask: tagMask(a.tags), sentiment: a.sentiment };
			})
		);
	});
});
