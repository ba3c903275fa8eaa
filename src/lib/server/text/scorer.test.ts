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
import { scoreSentiment } from './sentiment';

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
});
