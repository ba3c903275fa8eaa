import { describe, expect, it } from 'vitest';
import { groupOf, splitMembers, splitPoint } from './split';

describe('the treatment/holdout split', () => {
	it('is stable: the same audience and customer always land in the same group', () => {
		const ids = Array.from({ length: 500 }, (_, i) => `C${i}`);
		const first = splitMembers(7, ids, 10);
		const again = splitMembers(7, [...ids].reverse(), 10);
		expect(again).toEqual(first);
		for (const m of first) expect(groupOf(7, m.customerId, 10)).toBe(m.group);
	});

	it('is disjoint and complete: every member in exactly one group, duplicates merged', () => {
		const members = splitMembers(3, ['b', 'a', 'b', 'c'], 50);
		expect(members.map((m) => m.customerId)).toEqual(['a', 'b', 'c']);
		const treatment = new Set(members.filter((m) => m.group === 'treatment').map((m) => m.customerId));
		const holdout = new Set(members.filter((m) => m.group === 'holdout').map((m) => m.customerId));
		expect(treatment.size + holdout.size).toBe(3);
		expect([...treatment].some((c) => holdout.has(c))).toBe(false);
	});

	it('holds out about the asked share of 10,000 customers (10% ± 3 standard errors)', () => {
		const ids = Array.from({ length: 10_000 }, (_, i) => `customer-${i}`);
		const holdout = splitMembers(42, ids, 10).filter((m) => m.group === 'holdout').length;
		// Binomial(10000, 0.1): sd = 30.
		expect(holdout).toBeGreaterThan(1000 - 90);
		expect(holdout).toBeLessThan(1000 + 90);
		const quarter = splitMembers(42, ids, 25).filter((m) => m.group === 'holdout').length;
		expect(Math.abs(quarter - 2500)).toBeLessThan(3 * Math.sqrt(10_000 * 0.25 * 0.75));
	});

	it('hashes audience id and customer id together (SHA-256, first 32 bits over 2^32)', () => {
		// sha256("1:C1") starts with ba4975cb — computed independently with `printf 1:C1 | sha256sum`.
		expect(splitPoint(1, 'C1')).toBeCloseTo(SHA_1_C1 / 2 ** 32, 12);
		// Another audience draws another split: the holdouts of two audiences are not the same people.
		const ids = Array.from({ length: 2000 }, (_, i) => `C${i}`);
		const a = new Set(
			splitMembers(1, ids, 10)
				.filter((m) => m.group === 'holdout')
				.map((m) => m.customerId)
		);
		const b = splitMembers(2, ids, 10).filter((m) => m.group === 'holdout');
		const shared = b.filter((m) => a.has(m.customerId)).length;
		expect(shared).toBeLessThan(b.length / 3);
	});
});

const SHA_1_C1 = 0xba4975cb;
