import { describe, expect, it } from 'vitest';
import { createRandom, hashSeed, hashUnit, weightedTable } from './random';

function draws(seed: number, n = 20): number[] {
	const rng = createRandom(seed);
	return Array.from({ length: n }, () => rng.next());
}

function mean(values: number[]): number {
	return values.reduce((a, b) => a + b, 0) / values.length;
}

describe('random', () => {
	it('is deterministic for a seed and differs between seeds', () => {
		expect(draws(42)).toEqual(draws(42));
		expect(draws(42)).not.toEqual(draws(43));
		for (const x of draws(7, 1000)) {
			expect(x).toBeGreaterThanOrEqual(0);
			expect(x).toBeLessThan(1);
		}
	});

	it('hashes parts to stable seeds', () => {
		expect(hashSeed(1, 'customer', 5)).toBe(hashSeed(1, 'customer', 5));
		expect(hashSeed(1, 'customer', 5)).not.toBe(hashSeed(1, 'customer', 6));
		expect(hashUnit('a')).toBeGreaterThanOrEqual(0);
		expect(hashUnit('a')).toBeLessThan(1);
	});

	it('draws integers, picks and shuffles within bounds', () => {
		const rng = createRandom(1);
		const ints = Array.from({ length: 5000 }, () => rng.int(3, 6));
		expect(new Set(ints)).toEqual(new Set([3, 4, 5, 6]));
		expect(['a', 'b', 'c']).toContain(rng.pick(['a', 'b', 'c']));
		const shuffled = rng.shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
		expect([...shuffled].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
		const u = Array.from({ length: 5000 }, () => rng.uniform(10, 20));
		expect(Math.min(...u)).toBeGreaterThanOrEqual(10);
		expect(Math.max(...u)).toBeLessThan(20);
	});

	it('follows the requested distributions', () => {
		const rng = createRandom(2);
		const n = 40_000;
		const normals = Array.from({ length: n }, () => rng.normal(5, 2));
		expect(mean(normals)).toBeCloseTo(5, 1);
		const sd = Math.sqrt(mean(normals.map((x) => (x - 5) ** 2)));
		expect(sd).toBeGreaterThan(1.9);
		expect(sd).toBeLessThan(2.1);
		const lognormals = Array.from({ length: n }, () => rng.lognormal(100, 0.5)).sort((a, b) => a - b);
		expect(lognormals[n / 2]).toBeGreaterThan(95);
		expect(lognormals[n / 2]).toBeLessThan(105);
		expect(mean(Array.from({ length: n }, () => rng.poisson(3.5)))).toBeCloseTo(3.5, 1);
		expect(mean(Array.from({ length: n }, () => rng.poisson(120)))).toBeGreaterThan(119);
		expect(mean(Array.from({ length: n }, () => rng.exponential(10)))).toBeGreaterThan(9.6);
		expect(mean(Array.from({ length: n }, () => (rng.bernoulli(0.3) ? 1 : 0)))).toBeCloseTo(0.3, 1);
	});

	it('picks by weight, directly and from a prepared table', () => {
		const rng = createRandom(3);
		const items = ['x', 'y', 'z'];
		const weights = [1, 3, 0];
		const table = weightedTable(items, weights);
		const counts: Record<string, number> = { x: 0, y: 0, z: 0 };
		for (let i = 0; i < 20_000; i++) {
			counts[rng.weighted(items, weights)]++;
			counts[rng.fromTable(table)]++;
		}
		expect(counts.z).toBe(0);
		expect(counts.y / (counts.x + counts.y)).toBeCloseTo(0.75, 1);
		expect(() => weightedTable(['a'], [0])).toThrow();
	});
});
