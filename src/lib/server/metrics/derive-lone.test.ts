import { describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { writeBatches } from '$lib/server/ingest/writer';
import { keepRecentFacts, rebuildRollups } from './rollups';
import { cellsOf, DAY, flagsOf, HOUR, MIN, T0 } from './derive-testing';

/**
 * The writer adds a new contact or survey answer that is alone in its customer's reconcile window straight to the
 * rollups, as stored (rollups.ts `loneNewEvent`), and reconciles every other customer. Each case below puts one
 * other row of the customer just inside or just outside what links it to the new event (a chain's 24 h of shared
 * ids, a survey link's 7 days, the 16 days a reconcile reads): taking the new event for alone when it is not leaves
 * the stored row's flags or link, or a cell, different from a rebuild and from the expected values.
 */

const NOW = T0 + 40 * DAY;
const contact = (id: string, ts: number, extra: Partial<CxEvent> = {}): CxEvent => ({
	id,
	type: 'contact',
	ts,
	customerId: 'c1',
	channel: 'phone',
	handledBy: 'agent',
	teamId: 'T1',
	agentId: 'A1',
	reason: 'card_lost',
	waitS: 10,
	handleS: 120,
	outcome: 'resolved',
	properties: {},
	...extra
});
const answer = (id: string, ts: number, contactId: string): CxEvent => ({
	id,
	type: 'feedback',
	ts,
	customerId: 'c1',
	channel: 'app',
	metric: 'csat',
	score: 5,
	contactId,
	properties: {}
});

type Row = { id: string; chain_last: number | null; repeat_48h: number | null; link: string | null };

function rowsOf(db: Db): Map<string, Row> {
	const rows = db.$client
		.prepare(
			`SELECT e.id, e.chain_last, e.repeat_48h, l.id AS link FROM events e
			 LEFT JOIN events l ON l.seq = e.linked_contact_seq`
		)
		.all() as Row[];
	return new Map(rows.map((r) => [r.id, r]));
}

/** The events written as `groups` of requests (one transaction each), by a writer reading rows back or keeping them. */
async function written(groups: CxEvent[][], keep: boolean) {
	const db = openDatabase(':memory:');
	if (keep) keepRecentFacts(db);
	for (const events of groups) writeBatches(db, [{ events, sourceId: 1, receivedAt: NOW }]);
	const maintained = { cells: await cellsOf(db), flags: await flagsOf(db), rows: rowsOf(db) };
	await rebuildRollups(db);
	expect(maintained.cells).toEqual(await cellsOf(db));
	expect(maintained.flags).toEqual(await flagsOf(db));
	return maintained.rows;
}

const parentOf = (id: string) => ({ properties: { parentContactId: id } });

describe('a new event alone in its customer’s window', () => {
	// In one transaction (the customer created by it), in two (read back, or kept by the writer thread).
	const ways = [
		['one transaction', (a: CxEvent[], b: CxEvent[]) => [[...a, ...b]], false],
		['two, read back', (a: CxEvent[], b: CxEvent[]) => [a, b], false],
		['two, kept', (a: CxEvent[], b: CxEvent[]) => [a, b], true]
	] as const;

	describe.each(ways)('written in %s', (_, split, keep) => {
		it('joins the chain of a leg it names 23 h 59 min before, not one 24 h 01 min before', async () => {
			const inside = await written(
				split([contact('a', T0)], [contact('b', T0 + 23 * HOUR + 59 * MIN, parentOf('a'))]),
				keep
			);
			// One chain: its last leg is the new one; the stored leg is no longer last.
			expect(inside.get('a')).toMatchObject({ chain_last: 0 });
			expect(inside.get('b')).toMatchObject({ chain_last: 1 });
			const outside = await written(
				split([contact('a', T0)], [contact('b', T0 + 24 * HOUR + MIN, parentOf('a'))]),
				keep
			);
			// Two chains, the second a repeat of the first within 48 h.
			expect(outside.get('a')).toMatchObject({ chain_last: 1, repeat_48h: 1 });
			expect(outside.get('b')).toMatchObject({ chain_last: 1, repeat_48h: 0 });
		});

		it('is a repeat 47 h after a stored contact, not 15 days after', async () => {
			const near = await written(split([contact('a', T0)], [contact('b', T0 + 47 * HOUR)]), keep);
			expect(near.get('a')).toMatchObject({ chain_last: 1, repeat_48h: 1 });
			const far = await written(split([contact('a', T0)], [contact('b', T0 + 15 * DAY)]), keep);
			expect(far.get('a')).toMatchObject({ chain_last: 1, repeat_48h: 0 });
			expect(far.get('b')).toMatchObject({ chain_last: 1, repeat_48h: 0 });
		});

		it('links a survey answer to the contact it names 6 days before, not 8 days before', async () => {
			const near = await written(split([contact('a', T0)], [answer('s', T0 + 6 * DAY, 'a')]), keep);
			expect(near.get('s')?.link).toBe('a');
			const far = await written(split([contact('a', T0)], [answer('s', T0 + 8 * DAY, 'a')]), keep);
			expect(far.get('s')?.link).toBeNull();
		});

		it('is alone 17 days after the customer’s last contact: stored and counted as alone', async () => {
			const rows = await written(split([contact('a', T0)], [contact('b', T0 + 17 * DAY)]), keep);
			expect(rows.get('a')).toMatchObject({ chain_last: 1, repeat_48h: 0 });
			expect(rows.get('b')).toMatchObject({ chain_last: 1, repeat_48h: 0 });
		});
	});
});
