import { describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import { byEngine, type Storage } from '$lib/server/db/storage';
import { postgresOutreachStore } from '$lib/server/outreach/postgres';
import { sqliteOutreachStore } from '$lib/server/outreach/sqlite';
import { groupOf, splitMembers } from '$lib/server/outreach/split';
import { generateHistory, type OutreachPlan } from './generator';
import { DEMO_AUDIENCE_NAME, reserveDemoAudienceId, storeDemoAudience } from './outreach';

const T = Date.UTC(2026, 4, 1);
const CUSTOMERS = Array.from({ length: 40 }, (_, i) => `c-${String(i).padStart(2, '0')}`);

function outreachStore(db: Storage) {
	return byEngine(db, { sqlite: sqliteOutreachStore, postgres: postgresOutreachStore });
}

/** Someone else's audience, created before the demo's. */
async function otherAudience(db: Storage) {
	return outreachStore(db).insertAudience(
		{
			name: 'Earlier audience',
			rule: { kind: 'detractors', days: 7 },
			outcome: { kind: 'not_detractor', days: 14 },
			holdoutPercent: 10,
			teams: null,
			createdAt: T - 86_400_000,
			createdBy: 'admin@bank.example'
		},
		(id) => splitMembers(id, ['x-1', 'x-2'], 10)
	);
}

function plan(audienceId: number): OutreachPlan {
	const treatment = CUSTOMERS.filter((c) => groupOf(audienceId, c, 20) === 'treatment').length;
	return { audienceId, createdAt: T, holdoutPercent: 20, customerIds: CUSTOMERS, treatment };
}

describe.each(testEngines)('the demo audience on $engine', ({ open }) => {
	const fresh = freshStorage(open);

	it('is stored under the id the history split for, also when it is not the first audience', async () => {
		const db = await fresh();
		const earlier = await otherAudience(db);
		expect(earlier.id).toBe(1);
		const id = await reserveDemoAudienceId(db);
		expect(id).toBe(2);
		const p = plan(id);
		const row = await storeDemoAudience(db, p);
		expect(row).toMatchObject({ id: 2, name: DEMO_AUDIENCE_NAME, members: 40, treatment: p.treatment });
		// The stored treatment is the one the history called back: split for id 2, not for 1.
		const store = outreachStore(db);
		expect(await store.members(2, 'treatment')).toEqual(
			CUSTOMERS.filter((c) => groupOf(2, c, 20) === 'treatment')
		);
		expect(await store.members(2, 'holdout')).toEqual(
			CUSTOMERS.filter((c) => groupOf(2, c, 20) === 'holdout')
		);
		// The splits for ids 1 and 2 differ somewhere (else this test could not tell them apart).
		expect(CUSTOMERS.some((c) => groupOf(1, c, 20) !== groupOf(2, c, 20))).toBe(true);
		// The earlier audience is untouched, and the next audience gets a new id.
		expect(await store.members(1, 'treatment')).toEqual(
			['x-1', 'x-2'].filter((c) => groupOf(1, c, 10) === 'treatment')
		);
		expect((await otherAudience(db)).id).toBe(3);
	});

	it('takes a new id when the reserved one was taken meanwhile', async () => {
		const db = await fresh();
		const id = await reserveDemoAudienceId(db);
		expect(id).toBe(1);
		if (db.engine === 'sqlite') {
			// On SQLite the reservation is the next free id: an audience created while seeding takes it.
			expect((await otherAudience(db)).id).toBe(1);
			const row = await storeDemoAudience(db, plan(id));
			expect(row).toMatchObject({ id: 2, name: DEMO_AUDIENCE_NAME, members: 40 });
		} else {
			// On PostgreSQL the reserved value came from the sequence: nobody else gets it.
			expect((await otherAudience(db)).id).toBe(2);
			expect(await storeDemoAudience(db, plan(id))).toMatchObject({ id: 1, name: DEMO_AUDIENCE_NAME });
		}
	});
});

describe('the demo history', () => {
	it('splits and tags its call-backs with the audience id it is given', () => {
		let drawn: OutreachPlan | undefined;
		const tagged: CxEvent[] = [];
		for (const day of generateHistory({
			seed: 3,
			days: 36,
			end: T,
			scale: 0.05,
			audienceId: 7,
			onOutreach: (p) => (drawn = p)
		}))
			for (const e of day) if (e.properties?.audience !== undefined) tagged.push(e);
		expect(drawn?.audienceId).toBe(7);
		expect(drawn!.customerIds.length).toBeGreaterThan(5);
		expect(tagged.every((e) => e.properties.audience === '7')).toBe(true);
		// Each treatment member (by the split for 7) is called once; nobody in the holdout.
		const called = new Set(tagged.map((e) => e.customerId));
		const treatment = drawn!.customerIds.filter((c) => groupOf(7, c, drawn!.holdoutPercent) === 'treatment');
		expect(drawn!.treatment).toBe(treatment.length);
		expect([...called].sort()).toEqual([...treatment].sort());
	});
});
