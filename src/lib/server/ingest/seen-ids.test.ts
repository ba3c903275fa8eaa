import { describe, expect, it } from 'vitest';
import { SeenIds } from './seen-ids';

/** Deterministic 63-bit values spread like hashes. */
function* hashes(n: number, seed = 1n): Generator<bigint> {
	let x = seed;
	for (let i = 0; i < n; i++) {
		x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
		yield x >> 1n;
	}
}

describe('SeenIds', () => {
	it('finds every claimed hash with its seq after growing, and nothing else', () => {
		const seen = new SeenIds(16);
		const all = [...hashes(50_000)];
		all.forEach((h, i) => seen.set(h, 1000 + i, i + 1));
		expect(seen.size).toBe(50_000);
		expect(all.filter((h, i) => seen.get(h) !== i + 1)).toEqual([]);
		expect([...hashes(1000, 99n)].filter((h) => seen.get(h) !== -1)).toEqual([]);
	});

	it('keeps hashes whose low or high half is zero apart from empty slots', () => {
		const seen = new SeenIds();
		seen.set(0n, 1, 1);
		seen.set(1n << 32n, 1, 2);
		seen.set(5n, 1, 3);
		expect([seen.get(0n), seen.get(1n << 32n), seen.get(5n), seen.get(7n)]).toEqual([1, 2, 3, -1]);
	});

	it('lets a later claim replace an earlier one, also after the earlier one is forgotten', () => {
		const seen = new SeenIds();
		seen.set(42n, 100, 1);
		seen.set(42n, 300, 7);
		expect(seen.get(42n)).toBe(7);
		expect(seen.forgetBefore(200)).toBe(1);
		expect(seen.get(42n)).toBe(7);
		expect(seen.size).toBe(1);
	});

	it('forgets the oldest first and shrinks', () => {
		const seen = new SeenIds();
		const all = [...hashes(10_000)];
		all.forEach((h, i) => seen.set(h, i, i));
		expect(seen.forgetBefore(9_000)).toBe(9_000);
		expect(seen.size).toBe(1_000);
		expect(seen.oldest()).toBe(9_000);
		expect(seen.get(all[8_999])).toBe(-1);
		expect(seen.get(all[9_000])).toBe(9_000);
		// Still usable after compaction.
		seen.set(all[0], 20_000, 20_000);
		expect(seen.get(all[0])).toBe(20_000);
		expect(seen.forgetBefore(Infinity)).toBe(1_001);
		expect(seen.size).toBe(0);
		expect(seen.oldest()).toBeNull();
	});
});
