import type { SparseVector } from './tfidf';

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same clustering. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function dot(v: SparseVector, dense: Float64Array): number {
	let s = 0;
	for (let k = 0; k < v.indices.length; k++) s += v.values[k] * dense[v.indices[k]];
	return s;
}

export interface KMeansOptions {
	k: number;
	seed?: number;
	maxIterations?: number;
	/** Independent k-means++ starts (seeds derived from `seed`); the most cohesive result is kept. */
	restarts?: number;
}

export interface KMeansResult {
	/** Cluster of each vector, −1 for empty vectors (nothing to compare). */
	assignments: Int32Array;
	/** Unit-length dense centroids, one per cluster. */
	centroids: Float64Array[];
	sizes: number[];
	iterations: number;
	/** Mean cosine similarity of each vector to its centroid (higher is tighter). */
	cohesion: number;
}

/**
 * Spherical k-means (cosine similarity) over unit-length sparse TF-IDF vectors, seeded by k-means++ with a seeded
 * PRNG, so the same input and seed give the same clusters. Cost per iteration ≈ nnz × k multiply-adds
 * (100,000 comments × ~8 terms × 16 clusters ≈ 13M), plus the centroid rebuild.
 */
export function sphericalKMeans(
	vectors: readonly SparseVector[],
	dimension: number,
	options: KMeansOptions
): KMeansResult {
	let best: KMeansResult | undefined;
	const restarts = Math.max(1, options.restarts ?? 1);
	for (let r = 0; r < restarts; r++) {
		const run = kMeansOnce(vectors, dimension, { ...options, seed: (options.seed ?? 1) + r * 7919 });
		if (!best || run.cohesion > best.cohesion + 1e-12) best = run;
	}
	return best as KMeansResult;
}

function kMeansOnce(
	vectors: readonly SparseVector[],
	dimension: number,
	options: KMeansOptions
): KMeansResult {
	const random = seededRandom(options.seed ?? 1);
	const maxIterations = options.maxIterations ?? 50;
	const live: number[] = [];
	for (let i = 0; i < vectors.length; i++) if (vectors[i].indices.length > 0) live.push(i);
	const k = Math.max(1, Math.min(options.k, live.length));
	const assignments = new Int32Array(vectors.length).fill(-1);
	if (live.length === 0) return { assignments, centroids: [], sizes: [], iterations: 0, cohesion: 0 };

	// k-means++: each next seed drawn with probability ∝ (1 − best cosine so far)².
	const centroids: Float64Array[] = [];
	const best = new Float64Array(vectors.length).fill(-Infinity);
	const addSeed = (i: number) => {
		const c = new Float64Array(dimension);
		const v = vectors[i];
		for (let j = 0; j < v.indices.length; j++) c[v.indices[j]] = v.values[j];
		centroids.push(c);
		for (const x of live) {
			const s = dot(vectors[x], c);
			if (s > best[x]) best[x] = s;
		}
	};
	addSeed(live[Math.floor(random() * live.length)]);
	while (centroids.length < k) {
		let total = 0;
		for (const x of live) total += (1 - best[x]) ** 2;
		if (total <= 1e-12) break; // every vector already sits on a seed: fewer distinct points than k
		let r = random() * total;
		let chosen = live[live.length - 1];
		for (const x of live) {
			r -= (1 - best[x]) ** 2;
			if (r <= 0) {
				chosen = x;
				break;
			}
		}
		addSeed(chosen);
	}

	const similarity = new Float64Array(vectors.length);
	let iterations = 0;
	for (; iterations < maxIterations; iterations++) {
		let changed = 0;
		for (const x of live) {
			let bestC = 0;
			let bestS = -Infinity;
			for (let c = 0; c < centroids.length; c++) {
				const s = dot(vectors[x], centroids[c]);
				if (s > bestS) {
					bestS = s;
					bestC = c;
				}
			}
			similarity[x] = bestS;
			if (assignments[x] !== bestC) {
				assignments[x] = bestC;
				changed++;
			}
		}
		if (changed === 0 && iterations > 0) break;
		const sums = centroids.map(() => new Float64Array(dimension));
		const counts = new Array<number>(centroids.length).fill(0);
		for (const x of live) {
			const c = assignments[x];
			counts[c]++;
			const v = vectors[x];
			const sum = sums[c];
			for (let j = 0; j < v.indices.length; j++) sum[v.indices[j]] += v.values[j];
		}
		for (let c = 0; c < centroids.length; c++) {
			if (counts[c] === 0) {
				// An empty cluster takes the vector farthest from its centroid (deterministic: lowest similarity).
				let far = live[0];
				for (const x of live) if (similarity[x] < similarity[far]) far = x;
				similarity[far] = Infinity;
				const v = vectors[far];
				for (let j = 0; j < v.indices.length; j++) sums[c][v.indices[j]] = v.values[j];
			}
			let norm = 0;
			for (let d = 0; d < dimension; d++) norm += sums[c][d] * sums[c][d];
			norm = Math.sqrt(norm) || 1;
			for (let d = 0; d < dimension; d++) sums[c][d] /= norm;
			centroids[c] = sums[c];
		}
	}

	const sizes = new Array<number>(centroids.length).fill(0);
	let cohesion = 0;
	for (const x of live) {
		sizes[assignments[x]]++;
		cohesion += dot(vectors[x], centroids[assignments[x]]);
	}
	return { assignments, centroids, sizes, iterations, cohesion: cohesion / live.length };
}

/** Cosine of two unit-length dense vectors. */
export function cosine(a: Float64Array, b: Float64Array): number {
	let s = 0;
	for (let d = 0; d < a.length; d++) s += a[d] * b[d];
	return s;
}

/** A sensible number of topics for n documents: √(n / 5), between 2 and 24 (near duplicates merge afterwards). */
export function defaultTopicCount(n: number): number {
	return Math.max(2, Math.min(24, Math.round(Math.sqrt(n / 5))));
}

/**
 * Bisecting spherical k-means (Steinbach, Karypis & Kumar 2000): start from one cluster and repeatedly split the
 * cluster with the most total dissimilarity (size × (1 − cohesion)) in two with the best of `trials` seeded
 * 2-means runs, until there are k clusters. On short texts it avoids the diffuse "catch-all" cluster plain
 * k-means tends to grow, because that cluster is always the next to be split. Deterministic for a seed.
 */
export function bisectingKMeans(
	vectors: readonly SparseVector[],
	dimension: number,
	options: KMeansOptions & { trials?: number }
): KMeansResult {
	const live: number[] = [];
	for (let i = 0; i < vectors.length; i++) if (vectors[i].indices.length > 0) live.push(i);
	const assignments = new Int32Array(vectors.length).fill(-1);
	if (live.length === 0) return { assignments, centroids: [], sizes: [], iterations: 0, cohesion: 0 };
	const centroidOf = (members: readonly number[]) => {
		const c = new Float64Array(dimension);
		for (const x of members) {
			const v = vectors[x];
			for (let j = 0; j < v.indices.length; j++) c[v.indices[j]] += v.values[j];
		}
		let norm = 0;
		for (let d = 0; d < dimension; d++) norm += c[d] * c[d];
		norm = Math.sqrt(norm) || 1;
		for (let d = 0; d < dimension; d++) c[d] /= norm;
		return c;
	};
	const cohesionOf = (members: readonly number[], c: Float64Array) => {
		let s = 0;
		for (const x of members) s += dot(vectors[x], c);
		return members.length ? s / members.length : 1;
	};
	interface Cluster {
		members: number[];
		centroid: Float64Array;
		cohesion: number;
		splittable: boolean;
	}
	const make = (members: number[]): Cluster => {
		const centroid = centroidOf(members);
		return { members, centroid, cohesion: cohesionOf(members, centroid), splittable: members.length >= 2 };
	};
	const clusters: Cluster[] = [make(live)];
	const trials = Math.max(1, options.trials ?? 3);
	let iterations = 0;
	let round = 0;
	while (clusters.length < options.k) {
		let pick = -1;
		let worst = -Infinity;
		clusters.forEach((c, i) => {
			const dissimilarity = c.members.length * (1 - c.cohesion);
			if (c.splittable && dissimilarity > worst + 1e-12) [pick, worst] = [i, dissimilarity];
		});
		if (pick < 0) break;
		const target = clusters[pick];
		const subset = target.members.map((x) => vectors[x]);
		let best: KMeansResult | undefined;
		for (let t = 0; t < trials; t++) {
			const run = kMeansOnce(subset, dimension, {
				k: 2,
				seed: (options.seed ?? 1) + round * 104729 + t * 7919,
				maxIterations: options.maxIterations ?? 30
			});
			iterations += run.iterations;
			if (run.centroids.length === 2 && (!best || run.cohesion > best.cohesion + 1e-12)) best = run;
		}
		round++;
		const halves: number[][] = [[], []];
		if (best) target.members.forEach((x, i) => halves[best.assignments[i]]?.push(x));
		if (!best || halves[0].length === 0 || halves[1].length === 0) {
			target.splittable = false; // identical vectors: nothing to split
			continue;
		}
		clusters.splice(pick, 1, make(halves[0]), make(halves[1]));
	}
	const sizes: number[] = [];
	let total = 0;
	clusters.forEach((c, i) => {
		for (const x of c.members) assignments[x] = i;
		sizes.push(c.members.length);
		total += c.cohesion * c.members.length;
	});
	return {
		assignments,
		centroids: clusters.map((c) => c.centroid),
		sizes,
		iterations,
		cohesion: total / live.length
	};
}
