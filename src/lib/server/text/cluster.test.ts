import { describe, expect, it } from 'vitest';
import { seededRandom, sphericalKMeans } from './cluster';
import { sampleComments, type SampleTheme } from './sample-corpus';
import { termsOf, tokenize } from './segment';
import { buildVocabulary, DocumentFrequencies, keywordsOf, tfidfVector } from './tfidf';
import { fitTopics, inheritTopicIds, samplePositions } from './topic-model';

const PLANTED: SampleTheme[] = ['fraud', 'app_login', 'wealth', 'branch_queue'];

function plantedCorpus(n: number, seed: number) {
	const sample = sampleComments(n, seed, { themes: PLANTED, english: 0 });
	return { sample, documents: sample.map((c) => termsOf(tokenize(c.text))) };
}

/** Purity: share of documents whose cluster's majority theme is their own theme. */
function purity(themes: readonly string[], clusters: readonly number[][]): number {
	let agree = 0;
	let total = 0;
	for (const members of clusters) {
		const counts = new Map<string, number>();
		for (const m of members) counts.set(themes[m], (counts.get(themes[m]) ?? 0) + 1);
		agree += Math.max(0, ...counts.values());
		total += members.length;
	}
	return total ? agree / total : 0;
}

describe('TF-IDF', () => {
	it('keeps document frequencies incrementally and ranks rare terms higher', () => {
		const df = new DocumentFrequencies();
		df.add(['信用卡', '盗刷']);
		df.add(['信用卡', '年费', '年费']);
		df.add(['信用卡', '挂失']);
		expect(df.docs).toBe(3);
		expect(df.df.get('信用卡')).toBe(3);
		expect(df.df.get('年费')).toBe(1);
		expect(df.idf('年费')).toBeGreaterThan(df.idf('信用卡'));
		expect(keywordsOf(['信用卡', '年费', '年费'], df, 1)[0].term).toBe('年费');
	});

	it('builds unit-length vectors over a pruned vocabulary', () => {
		const docs = [['a', 'b'], ['a', 'c'], ['a', 'b', 'b'], ['d']];
		const v = buildVocabulary(docs, { minDf: 2, maxDfShare: 1 });
		expect(v.terms).toEqual(['a', 'b']);
		const vec = tfidfVector(['a', 'b', 'b', 'zz'], v.index, v.idf);
		expect([...vec.values].reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 10);
		expect(tfidfVector(['zz'], v.index, v.idf).indices.length).toBe(0);
	});
});

describe('clustering', () => {
	it('separates planted topics (theme words plus shared noise) at the right k', () => {
		const themes: Record<string, string[]> = {
			fraud: ['盗刷', '冻结', '退款', '争议', '短信', '报警', '调查', '借记卡'],
			queue: ['网点', '排队', '窗口', '大堂', '取号', '柜台', '营业厅', '叫号'],
			app: ['手机银行', '闪退', '验证码', '人脸识别', '登录', '升级', '卡顿', '界面'],
			wealth: ['理财', '基金', '收益', '大额存单', '理财经理', '定投', '风险', '赎回']
		};
		const noise = ['客服', '电话', '今天', '银行', '处理', '时间', '一下', '办理'];
		const random = seededRandom(2024);
		const pickFrom = (xs: string[]) => xs[Math.floor(random() * xs.length)];
		const names = Object.keys(themes);
		const truth: string[] = [];
		const documents: string[][] = [];
		for (let i = 0; i < 1000; i++) {
			const theme = names[i % names.length];
			const doc = [
				pickFrom(themes[theme]),
				pickFrom(themes[theme]),
				pickFrom(themes[theme]),
				pickFrom(noise)
			];
			if (random() < 0.5) doc.push(pickFrom(noise));
			truth.push(theme);
			documents.push(doc);
		}
		const fit = fitTopics(documents, { k: 4, seed: 42 });
		const p = purity(
			truth,
			fit.topics.map((t) => t.members)
		);
		console.log(
			`[topics] planted 4 themes in 1,000 documents, k = 4: ${fit.topics.length} topics, purity ${(p * 100).toFixed(1)}%`
		);
		for (const t of fit.topics)
			console.log(`[topics]   ${t.members.length} · ${t.keywords.slice(0, 5).join(' ')}`);
		expect(fit.topics).toHaveLength(4);
		expect(p).toBeGreaterThan(0.95);
		expect(fit.topics.map((t) => t.members.length).reduce((a, b) => a + b, 0)).toBe(1000);
	});

	it('finds the planted topics with the automatic k too (over-clusters, then merges near duplicates)', () => {
		const { sample, documents } = plantedCorpus(1200, 11);
		const fit = fitTopics(documents, { seed: 3 });
		const p = purity(
			sample.map((s) => s.theme),
			fit.topics.map((t) => t.members)
		);
		console.log(
			`[topics] generated comments of 4 themes (1,200), automatic k: ${fit.topics.length} topics, purity ${(p * 100).toFixed(1)}%`
		);
		expect(p).toBeGreaterThan(0.9);
		// every planted theme is the majority of at least one topic
		const majority = fit.topics.map((t) => {
			const counts = new Map<string, number>();
			for (const m of t.members) counts.set(sample[m].theme, (counts.get(sample[m].theme) ?? 0) + 1);
			return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
		});
		expect(new Set(majority)).toEqual(new Set(PLANTED));
	});

	it('is stable for a seed', () => {
		const { documents } = plantedCorpus(600, 5);
		const a = fitTopics(documents, { seed: 9 });
		const b = fitTopics(documents, { seed: 9 });
		expect(b.topics.map((t) => t.members)).toEqual(a.topics.map((t) => t.members));
		expect(b.topics.map((t) => t.keywords)).toEqual(a.topics.map((t) => t.keywords));
		const vocab = buildVocabulary(documents);
		const vectors = documents.map((d) => tfidfVector(d, vocab.index, vocab.idf));
		const x = sphericalKMeans(vectors, vocab.terms.length, { k: 5, seed: 1 });
		const y = sphericalKMeans(vectors, vocab.terms.length, { k: 5, seed: 1 });
		expect([...y.assignments]).toEqual([...x.assignments]);
	});

	it('copes with fewer distinct documents than k and with empty documents', () => {
		const vocab = buildVocabulary([['a'], ['a'], ['b'], ['b']], { minDf: 1, maxDfShare: 1 });
		const vectors = [['a'], ['a'], ['b'], []].map((d) => tfidfVector(d, vocab.index, vocab.idf));
		const r = sphericalKMeans(vectors, vocab.terms.length, { k: 10, seed: 1 });
		expect(r.assignments[0]).toBe(r.assignments[1]);
		expect(r.assignments[0]).not.toBe(r.assignments[2]);
		expect(r.assignments[3]).toBe(-1);
	});

	it('keeps topic ids across refits by similarity', () => {
		const old: { id: string; centroid: Record<string, number> }[] = [
			{ id: 't1', centroid: { 盗刷: 0.8, 信用卡: 0.5 } },
			{ id: 't2', centroid: { 排队: 0.9, 网点: 0.4 } }
		];
		const fresh: { centroid: Record<string, number> }[] = [
			{ centroid: { 排队: 0.85, 网点: 0.5 } },
			{ centroid: { 理财: 0.9 } },
			{ centroid: { 盗刷: 0.7, 冻结: 0.3 } }
		];
		expect(inheritTopicIds(fresh, old, 3)).toEqual({ ids: ['t2', 't3', 't1'], nextId: 4 });
	});

	it('samples deterministically', () => {
		expect(samplePositions(10, 20, 1)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		const s = samplePositions(1000, 50, 4);
		expect(s).toHaveLength(50);
		expect(new Set(s).size).toBe(50);
		expect(samplePositions(1000, 50, 4)).toEqual(s);
		const r = seededRandom(1);
		expect(r()).toBe(seededRandom(1)());
	});
});
