/**
 * A small seeded pseudo-random generator for the demo: the same seed gives the same center, event for event.
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator) passes PractRand and is fast in plain JS numbers.
 */

/** Mixes numbers and strings into one 32-bit seed (FNV-1a over the parts, then a murmur3 finalizer). */
export function hashSeed(...parts: readonly (number | string)[]): number {
	let h = 0x811c9dc5;
	for (const part of parts) {
		const text = typeof part === 'number' ? part.toString(36) : part;
		for (let i = 0; i < text.length; i++) {
			h ^= text.charCodeAt(i);
			h = Math.imul(h, 0x01000193);
		}
		h ^= 0x2c;
		h = Math.imul(h, 0x01000193);
	}
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}

/** A deterministic value in [0, 1) for a key, without a generator: used for per-hour noise that any caller can recompute. */
export function hashUnit(...parts: readonly (number | string)[]): number {
	return hashSeed(...parts) / 4294967296;
}

/** Cumulative weights, prepared once, for repeated weighted picks on a hot path. */
export interface WeightedTable<T> {
	readonly items: readonly T[];
	readonly cumulative: Float64Array;
	readonly total: number;
}

export function weightedTable<T>(items: readonly T[], weights: readonly number[]): WeightedTable<T> {
	if (items.length === 0 || items.length !== weights.length)
		throw new Error('weightedTable: items and weights differ');
	const cumulative = new Float64Array(items.length);
	let total = 0;
	for (let i = 0; i < items.length; i++) {
		total += Math.max(0, weights[i]);
		cumulative[i] = total;
	}
	if (!(total > 0)) throw new Error('weightedTable: weights sum to zero');
	return { items, cumulative, total };
}

export class Random {
	private a: number;
	private b: number;
	private c: number;
	private d: number;
	private spareNormal: number | undefined;

	constructor(seed: number) {
		this.a = 0x9e3779b9;
		this.b = 0x243f6a88;
		this.c = 0xb7e15162;
		this.d = seed >>> 0;
		// Discard the first outputs: sfc32 needs a few rounds to spread a small seed over its state.
		for (let i = 0; i < 15; i++) this.next();
	}

	/** A float in [0, 1). */
	next(): number {
		const t = (((this.a + this.b) | 0) + this.d) | 0;
		this.d = (this.d + 1) | 0;
		this.a = this.b ^ (this.b >>> 9);
		this.b = (this.c + (this.c << 3)) | 0;
		this.c = (this.c << 21) | (this.c >>> 11);
		this.c = (this.c + t) | 0;
		return (t >>> 0) / 4294967296;
	}

	uniform(min: number, max: number): number {
		return min + (max - min) * this.next();
	}

	/** An integer in [min, max], both inclusive. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}

	weighted<T>(items: readonly T[], weights: readonly number[]): T {
		let total = 0;
		for (const w of weights) total += Math.max(0, w);
		let r = this.next() * total;
		for (let i = 0; i < items.length; i++) {
			r -= Math.max(0, weights[i]);
			if (r < 0) return items[i];
		}
		return items[items.length - 1];
	}

	/** A weighted pick from a prepared table (binary search over the cumulative weights). */
	fromTable<T>(table: WeightedTable<T>): T {
		const r = this.next() * table.total;
		const c = table.cumulative;
		let lo = 0;
		let hi = c.length - 1;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (c[mid] > r) hi = mid;
			else lo = mid + 1;
		}
		return table.items[lo];
	}

	/** Normal by Box–Muller, keeping the second value for the next call. */
	normal(mean = 0, sd = 1): number {
		if (this.spareNormal !== undefined) {
			const z = this.spareNormal;
			this.spareNormal = undefined;
			return mean + sd * z;
		}
		let u = this.next();
		while (u <= Number.EPSILON) u = this.next();
		const v = this.next();
		const r = Math.sqrt(-2 * Math.log(u));
		this.spareNormal = r * Math.sin(2 * Math.PI * v);
		return mean + sd * r * Math.cos(2 * Math.PI * v);
	}

	/** Log-normal given its median (not its mean): times are easier to state as "typically N seconds". */
	lognormal(median: number, sigma: number): number {
		return median * Math.exp(sigma * this.normal());
	}

	exponential(mean: number): number {
		return -mean * Math.log(1 - this.next());
	}

	/** Poisson count: Knuth's product method for small means, a rounded normal for large ones. */
	poisson(mean: number): number {
		if (mean <= 0) return 0;
		if (mean > 40) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
		const limit = Math.exp(-mean);
		let k = 0;
		let p = this.next();
		while (p > limit) {
			k++;
			p *= this.next();
		}
		return k;
	}

	bernoulli(p: number): boolean {
		return this.next() < p;
	}

	/** Fisher–Yates, in place; returns the same array. */
	shuffle<T>(items: T[]): T[] {
		for (let i = items.length - 1; i > 0; i--) {
			const j = Math.floor(this.next() * (i + 1));
			const t = items[i];
			items[i] = items[j];
			items[j] = t;
		}
		return items;
	}
}

export function createRandom(seed: number): Random {
	return new Random(seed);
}
