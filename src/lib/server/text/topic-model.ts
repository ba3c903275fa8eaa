import { bisectingKMeans, cosine, defaultTopicCount, seededRandom, sphericalKMeans } from './cluster';
import { GENERIC_EVALUATION_WORDS } from './lexicon';
import { buildVocabulary, termCounts, tfidfVector } from './tfidf';

/** One topic as stored: its heaviest centroid terms and a label made of the top keywords. */
export interface TopicDefinition {
	id: string;
	label: string;
	keywords: string[];
	centroid: Record<string, number>;
	size: number;
}

/** What assigning a text needs: the topics' centroids and the idf of every centroid term. */
export interface TopicModel {
	version: number;
	fittedAt: number;
	windowFrom: number;
	windowTo: number;
	docs: number;
	idf: Record<string, number>;
	topics: TopicDefinition[];
	/** A text whose best cosine is below this stays without a topic. */
	minSimilarity: number;
}

export interface FitOptions {
	/** Number of clusters before merging; default √(n / 5) between 2 and 24. */
	k?: number;
	seed?: number;
	/** Clusters whose centroids are this similar (cosine) are merged. */
	mergeSimilarity?: number;
	/** Clusters smaller than this share of the documents (and at least 3) are dissolved into the others. */
	minTopicShare?: number;
	maxIterations?: number;
	/** k-means++ restarts (flat) or 2-means trials per split (bisecting), the most cohesive kept (default 3). */
	restarts?: number;
	/** 'bisecting' (default: no catch-all cluster on short texts) or 'flat' spherical k-means. */
	method?: 'bisecting' | 'flat';
}

const NOT_FOR_CLUSTERING = new Set(GENERIC_EVALUATION_WORDS);

export interface FittedTopic {
	keywords: string[];
	centroid: Record<string, number>;
	/** Positions (in the input) of the documents in this topic. */
	members: number[];
}

export interface FitResult {
	topics: FittedTopic[];
	idf: Record<string, number>;
	iterations: number;
	cohesion: number;
}

const KEYWORDS_PER_TOPIC = 8;
const CENTROID_TERMS = 40;

/**
 * Clusters tokenized documents into topics: TF-IDF over a pruned vocabulary (generic evaluation words left out),
 * bisecting spherical k-means (k-means++-seeded 2-means splits, same seed → same topics), then near-duplicate
 * clusters merged and tiny ones dissolved into their nearest neighbour. Topics come back largest first, each with
 * its top keywords.
 */
export function fitTopics(allTerms: readonly (readonly string[])[], options: FitOptions = {}): FitResult {
	const documents = allTerms.map((d) => d.filter((t) => !NOT_FOR_CLUSTERING.has(t)));
	const n = documents.length;
	const vocabulary = buildVocabulary(documents, {
		minDf: Math.max(2, Math.ceil(n * 0.0005)),
		maxDfShare: 0.4,
		maxTerms: 4000
	});
	const vectors = documents.map((d) => tfidfVector(d, vocabulary.index, vocabulary.idf));
	const dimension = vocabulary.terms.length;
	const k = options.k ?? defaultTopicCount(n);
	const kmOptions = {
		k,
		seed: options.seed ?? 42,
		maxIterations: options.maxIterations ?? 50,
		restarts: options.restarts ?? 3,
		trials: options.restarts ?? 3
	};
	const km =
		options.method === 'flat'
			? sphericalKMeans(vectors, dimension, kmOptions)
			: bisectingKMeans(vectors, dimension, kmOptions);

	// Merge clusters whose centroids are near duplicates (k-means splits a big topic rather than leave it whole).
	let groups = km.centroids.map((centroid, c) => ({ centroid, size: km.sizes[c], from: [c] }));
	const mergeAt = options.mergeSimilarity ?? 0.5;
	for (;;) {
		let bestA = -1;
		let bestB = -1;
		let bestS = mergeAt;
		for (let a = 0; a < groups.length; a++)
			for (let b = a + 1; b < groups.length; b++) {
				const s = cosine(groups[a].centroid, groups[b].centroid);
				if (s > bestS) [bestA, bestB, bestS] = [a, b, s];
			}
		if (bestA < 0) break;
		const a = groups[bestA];
		const b = groups[bestB];
		const merged = new Float64Array(dimension);
		let norm = 0;
		for (let d = 0; d < dimension; d++) {
			merged[d] = a.centroid[d] * a.size + b.centroid[d] * b.size;
			norm += merged[d] * merged[d];
		}
		norm = Math.sqrt(norm) || 1;
		for (let d = 0; d < dimension; d++) merged[d] /= norm;
		groups = groups.filter((_, i) => i !== bestA && i !== bestB);
		groups.push({ centroid: merged, size: a.size + b.size, from: [...a.from, ...b.from] });
	}

	// Dissolve tiny groups: their documents go to the most similar remaining group.
	const minSize = Math.max(3, Math.ceil(n * (options.minTopicShare ?? 0.005)));
	const kept = groups.filter((g) => g.size >= minSize);
	const finalGroups = kept.length > 0 ? kept : groups;
	const groupOfCluster = new Map<number, number>();
	finalGroups.forEach((g, i) => g.from.forEach((c) => groupOfCluster.set(c, i)));
	const members: number[][] = finalGroups.map(() => []);
	for (let x = 0; x < n; x++) {
		const c = km.assignments[x];
		if (c < 0) continue;
		let g = groupOfCluster.get(c);
		if (g === undefined) {
			let best = -Infinity;
			const v = vectors[x];
			finalGroups.forEach((group, i) => {
				let s = 0;
				for (let j = 0; j < v.indices.length; j++) s += v.values[j] * group.centroid[v.indices[j]];
				if (s > best) [best, g] = [s, i];
			});
		}
		if (g !== undefined) members[g].push(x);
	}

	const idf: Record<string, number> = {};
	const topics: FittedTopic[] = finalGroups.map((g, i) => {
		const order = [...g.centroid.keys()]
			.filter((d) => g.centroid[d] > 0)
			.sort((a, b) => g.centroid[b] - g.centroid[a] || a - b);
		const centroid: Record<string, number> = {};
		for (const d of order.slice(0, CENTROID_TERMS)) {
			const term = vocabulary.terms[d];
			centroid[term] = Math.round(g.centroid[d] * 1e5) / 1e5;
			idf[term] = Math.round(vocabulary.idf[d] * 1e5) / 1e5;
		}
		return {
			keywords: order.slice(0, KEYWORDS_PER_TOPIC).map((d) => vocabulary.terms[d]),
			centroid,
			members: members[i]
		};
	});
	topics.sort(
		(a, b) => b.members.length - a.members.length || (a.keywords[0] ?? '').localeCompare(b.keywords[0] ?? '')
	);
	return { topics, idf, iterations: km.iterations, cohesion: km.cohesion };
}

/** A topic label: its three top keywords. */
export function topicLabel(keywords: readonly string[]): string {
	return keywords.slice(0, 3).join(' · ');
}

/** Cosine of two sparse term → weight maps. */
export function mapCosine(a: Record<string, number>, b: Record<string, number>): number {
	let s = 0;
	let na = 0;
	let nb = 0;
	for (const [t, w] of Object.entries(a)) {
		na += w * w;
		const o = b[t];
		if (o !== undefined) s += w * o;
	}
	for (const w of Object.values(b)) nb += w * w;
	return na > 0 && nb > 0 ? s / Math.sqrt(na * nb) : 0;
}

/**
 * Gives new topics the ids of the old topics they resemble most (greedy by similarity, at least `threshold`), so a
 * topic keeps its id — and links into it keep working — across refits. Others get fresh ids from `nextId`.
 */
export function inheritTopicIds(
	fresh: readonly { centroid: Record<string, number> }[],
	old: readonly { id: string; centroid: Record<string, number> }[],
	nextId: number,
	threshold = 0.5
): { ids: string[]; nextId: number } {
	const pairs: [number, number, number][] = [];
	fresh.forEach((f, i) =>
		old.forEach((o, j) => {
			const s = mapCosine(f.centroid, o.centroid);
			if (s >= threshold) pairs.push([s, i, j]);
		})
	);
	pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
	const ids = new Array<string | undefined>(fresh.length).fill(undefined);
	const usedOld = new Set<number>();
	for (const [, i, j] of pairs) {
		if (ids[i] !== undefined || usedOld.has(j)) continue;
		ids[i] = old[j].id;
		usedOld.add(j);
	}
	return { ids: ids.map((id) => id ?? `t${nextId++}`), nextId };
}

/** The topic of a text's terms under a model: the most similar centroid, or null below `minSimilarity`. */
export function assignTopic(terms: readonly string[], model: TopicModel): string | null {
	if (model.topics.length === 0 || terms.length === 0) return null;
	const weights: [string, number][] = [];
	let norm = 0;
	for (const [term, tf] of termCounts(terms)) {
		const idf = model.idf[term];
		if (idf === undefined) continue;
		const w = (1 + Math.log(tf)) * idf;
		weights.push([term, w]);
		norm += w * w;
	}
	if (weights.length === 0) return null;
	norm = Math.sqrt(norm);
	let best: string | null = null;
	let bestS = model.minSimilarity;
	for (const topic of model.topics) {
		let s = 0;
		for (const [term, w] of weights) {
			const c = topic.centroid[term];
			if (c !== undefined) s += w * c;
		}
		s /= norm;
		if (s > bestS) [best, bestS] = [topic.id, s];
	}
	return best;
}

/** A deterministic sample of `max` positions out of `n` (seeded partial Fisher–Yates), in ascending order. */
export function samplePositions(n: number, max: number, seed: number): number[] {
	if (n <= max) return Array.from({ length: n }, (_, i) => i);
	const random = seededRandom(seed);
	const positions = Array.from({ length: n }, (_, i) => i);
	for (let i = 0; i < max; i++) {
		const j = i + Math.floor(random() * (n - i));
		[positions[i], positions[j]] = [positions[j], positions[i]];
	}
	return positions.slice(0, max).sort((a, b) => a - b);
}
