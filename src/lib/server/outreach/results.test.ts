import { describe, expect, it } from 'vitest';
import { converted, DAY, lift, liftOverTime, outcomeCounts, type MemberFacts } from './results';

describe('lift of treatment over holdout', () => {
	it('matches Newcombe (1998) example: 56/70 vs 48/80 → 0.2000, 95% CI 0.0524 to 0.3339 (method 10)', () => {
		const r = lift({ n: 70, converted: 56 }, { n: 80, converted: 48 });
		expect(r.treatment.rate).toBeCloseTo(80, 10);
		expect(r.holdout.rate).toBeCloseTo(60, 10);
		expect(r.lift).toBeCloseTo(20, 10);
		expect(r.lift95?.[0]).toBeCloseTo(5.24, 2);
		expect(r.lift95?.[1]).toBeCloseTo(33.39, 2);
		// Two-proportion z: pooled p = 104/150; z = 0.2 / √(p(1−p)(1/70 + 1/80)) = 2.6502; two-sided p = erfc(z/√2) = 0.00805.
		const pooled = 104 / 150;
		const z = 0.2 / Math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80));
		expect(z).toBeCloseTo(2.6502, 4);
		expect(r.p).toBeCloseTo(0.008045, 4);
	});

	it('answers nulls for an empty group', () => {
		const r = lift({ n: 5, converted: 2 }, { n: 0, converted: 0 });
		expect(r).toMatchObject({ lift: null, lift95: null, p: null, holdout: { rate: null } });
		expect(r.treatment.rate).toBeCloseTo(40, 10);
	});
});

const T = Date.UTC(2026, 0, 1);
const facts = (over: Partial<MemberFacts>): MemberFacts => ({
	customerId: 'x',
	group: 'treatment',
	complaintAt: null,
	completedAt: null,
	answerAt: null,
	answerDetractor: null,
	...over
});

describe('outcomes per member', () => {
	it('counts each outcome kind as of a moment', () => {
		const m = facts({
			completedAt: T + 2 * DAY,
			complaintAt: T + DAY,
			answerAt: T + 3 * DAY,
			answerDetractor: false
		});
		expect(converted('journey_completed', m, T + DAY)).toBe(false);
		expect(converted('journey_completed', m, T + 2 * DAY)).toBe(true);
		expect(converted('no_complaint', m, T + DAY / 2)).toBe(true);
		expect(converted('no_complaint', m, T + DAY)).toBe(false);
		// Not answered yet: not counted at all.
		expect(converted('not_detractor', m, T + 2 * DAY)).toBeNull();
		expect(converted('not_detractor', m, T + 3 * DAY)).toBe(true);
		expect(converted('not_detractor', { ...m, answerDetractor: true }, T + 3 * DAY)).toBe(false);
	});

	it('draws the lift day by day up to now', () => {
		const members = [
			facts({ customerId: 'a', completedAt: T + DAY / 2 }),
			facts({ customerId: 'b', completedAt: T + 1.5 * DAY }),
			facts({ customerId: 'c', group: 'holdout' }),
			facts({ customerId: 'd', group: 'holdout', completedAt: T + 1.5 * DAY })
		];
		expect(outcomeCounts('journey_completed', members, T + DAY)).toEqual({
			treatment: { n: 2, converted: 1 },
			holdout: { n: 2, converted: 0 }
		});
		const points = liftOverTime('journey_completed', members, T, 14, T + 2.5 * DAY);
		expect(points.map((p) => [p.day, p.lift])).toEqual([
			[1, 50],
			[2, 50]
		]);
	});
});
