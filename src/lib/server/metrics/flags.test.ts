import { describe, expect, it } from 'vitest';
import { aloneFlags, computeContactFlags } from './flags';

describe('aloneFlags', () => {
	it.each([
		{ reason: 'card_lost', counted: true },
		{ reason: null, counted: true },
		{ reason: 'card_lost', counted: false },
		{ reason: null, counted: false }
	])('is what computeContactFlags gives a contact alone (%o)', (c) => {
		const alone = computeContactFlags([{ seq: 1, ts: 1_740_000_000_000, ...c }]).get(1);
		expect(aloneFlags(c)).toEqual(alone);
	});

	it('differs from the flags of a contact repeated within 48 hours', () => {
		const contacts = [
			{ seq: 1, ts: 0, reason: 'fraud', counted: true },
			{ seq: 2, ts: 3_600_000, reason: 'fraud', counted: true }
		];
		const flags = computeContactFlags(contacts);
		expect(flags.get(1)).not.toEqual(aloneFlags(contacts[0]));
		expect(flags.get(2)).not.toEqual(aloneFlags(contacts[1]));
	});
});
