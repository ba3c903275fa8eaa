import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase } from '$lib/server/db';
import { keepRecentFacts, rebuildRollups } from '$lib/server/metrics/rollups';
import { GroupCommit, type CommitReport } from './batcher';
import { pruneEventIds } from './prune';
import { storedEvents } from './testing';
import {
	eventIdHash,
	forgetCustomers,
	prepareEvents,
	writeBatches,
	writeEvents,
	type WriteBatch
} from './writer';

const ev = (id: string, extra: Partial<CxEvent> = {}): CxEvent => ({
	id,
	type: 'journey',
	name: 'step',
	ts: Date.now(),
	customerId: 'c',
	properties: {},
	...extra
});

/** A resolved agent contact of team `teamId` (and its agent), by a customer of its own. */
const teamContact = (id: string, teamId: string, ts: number) =>
	ev(id, {
		type: 'contact',
		name: undefined,
		customerId: `k-${id}`,
		ts,
		channel: 'phone',
		handledBy: 'agent',
		teamId,
		agentId: `A-${teamId}`,
		waitS: 10,
		handleS: 100,
		outcome: 'resolved',
		reason: 'card_lost'
	});

describe('writer', () => {
	it('stores an id once per source, across calls and within one', () => {
		const db = openDatabase(':memory:');
		expect(writeEvents(db, [ev('a'), ev('b'), ev('a')], { sourceId: 1 })).toEqual({
			accepted: 2,
			duplicates: 1,
			duplicateIndexes: [2]
		});
		expect(writeEvents(db, [ev('b')], { sourceId: 1 }).duplicates).toBe(1);
		expect(writeEvents(db, [ev('b')], { sourceId: 2 }).accepted).toBe(1);
		expect(storedEvents(db)).toHaveLength(3);
	});

	it('isolates a failing request inside a group commit', () => {
		const db = openDatabase(':memory:');
		const poison = {
			...ev('p', { teamId: 'T9' }),
			properties: { big: 1n } as unknown as Record<string, unknown>
		};
		const batches: WriteBatch[] = [
			{ sourceId: 1, events: [ev('x', { teamId: 'T1' })] },
			{ sourceId: 1, events: [ev('y', { teamId: 'T9' }), poison] },
			{ sourceId: 1, events: [ev('z')] }
		];
		const results = writeBatches(db, batches);
		expect(results[0]).toMatchObject({ accepted: 1 });
		expect(results[1]).toBeInstanceOf(Error);
		expect(results[2]).toMatchObject({ accepted: 1 });
		expect(storedEvents(db).map((e) => e.id)).toEqual(['x', 'z']);
		// The failed request's id claims and registrations were rolled back, so its retry is stored.
		expect(writeEvents(db, [ev('y', { teamId: 'T9' })], { sourceId: 1 }).accepted).toBe(1);
		expect(db.$client.prepare('SELECT id FROM teams ORDER BY id').pluck().all()).toEqual(['T1', 'T9']);
	});

	it('writes a group again, a savepoint a request, when one fails after the others were written', () => {
		const db = openDatabase(':memory:');
		const poison = {
			...ev('p', { customerId: 'k3' }),
			properties: { big: 1n } as unknown as Record<string, unknown>
		};
		const identify = ev('i1', {
			type: 'identify',
			name: undefined,
			customerId: 'k1',
			traits: { segment: 'private' }
		});
		const results = writeBatches(db, [
			{ sourceId: 1, events: [ev('a', { customerId: 'k1', teamId: 'T1' }), identify] },
			// 'a' again: a duplicate of the first request's event, in the same group.
			{ sourceId: 1, events: [ev('b', { customerId: 'k2' }), ev('a', { customerId: 'k1' })] },
			// The failing request comes last: the others were already written when it threw.
			{ sourceId: 1, events: [ev('q', { customerId: 'k3', teamId: 'T3' }), poison] }
		]);
		expect(results.slice(0, 2)).toEqual([
			{ accepted: 2, duplicates: 0, duplicateIndexes: [] },
			{ accepted: 1, duplicates: 1, duplicateIndexes: [1] }
		]);
		expect(results[2]).toBeInstanceOf(Error);
		expect(storedEvents(db).map((e) => e.id)).toEqual(['a', 'i1', 'b']);
		const ids = (sql: string) => db.$client.prepare(sql).pluck().all();
		expect(ids('SELECT id FROM teams ORDER BY id')).toEqual(['T1']);
		expect(ids('SELECT id FROM customers ORDER BY id')).toEqual(['k1', 'k2']);
		// Nothing of the failed request was remembered as written: its retry creates its customer and team.
		expect(writeEvents(db, [ev('q', { customerId: 'k3', teamId: 'T3' })], { sourceId: 1 }).accepted).toBe(1);
		expect(ids('SELECT id FROM teams ORDER BY id')).toEqual(['T1', 'T3']);
		expect(ids('SELECT id FROM customers ORDER BY id')).toEqual(['k1', 'k2', 'k3']);
		// The identify of the first pass was written once, and later events carry its segment.
		writeEvents(db, [ev('c', { customerId: 'k1' })], { sourceId: 1 });
		expect(storedEvents(db).find((e) => e.id === 'c')?.segment).toBe('private');
	});

	it('answers a lone failing request with its error and writes nothing of it', () => {
		const db = openDatabase(':memory:');
		const poison = { ...ev('p'), properties: { big: 1n } as unknown as Record<string, unknown> };
		const results = writeBatches(db, [{ sourceId: 1, events: [ev('x', { teamId: 'T1' }), poison] }]);
		expect(results).toHaveLength(1);
		expect(results[0]).toBeInstanceOf(Error);
		expect(storedEvents(db)).toEqual([]);
		expect(db.$client.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(0);
		expect(writeBatches(db, [{ sourceId: 1, events: [ev('x', { teamId: 'T1' })] }])).toEqual([
			{ accepted: 1, duplicates: 0, duplicateIndexes: [] }
		]);
	});

	it('upserts the rollup cells of a group once, leaving out a failed request, as a rebuild would', async () => {
		const db = openDatabase(':memory:');
		const t = Date.now() - 2 * 3_600_000;
		const contact = (id: string, customerId: string, extra: Partial<CxEvent> = {}) =>
			ev(id, {
				type: 'contact',
				name: undefined,
				customerId,
				ts: t,
				channel: 'phone',
				handledBy: 'agent',
				teamId: 'T1',
				agentId: 'A1',
				waitS: 10,
				handleS: 100,
				outcome: 'resolved',
				reason: 'card_lost',
				...extra
			});
		const poison = { ...contact('p', 'k2'), properties: { big: 1n } as unknown as Record<string, unknown> };
		const results = writeBatches(db, [
			{ sourceId: 1, events: [contact('c1', 'k1'), contact('c2', 'k1', { ts: t + 3_600_000 })] },
			{ sourceId: 1, events: [contact('c3', 'k2', { teamId: 'T2' }), poison] },
			{
				sourceId: 1,
				events: [
					contact('c4', 'k3'),
					ev('f1', {
						type: 'feedback',
						name: undefined,
						customerId: 'k1',
						ts: t + 60_000,
						metric: 'csat',
						score: 5,
						contactId: 'c1'
					})
				]
			}
		]);
		expect(results.map((r) => (r instanceof Error ? 'error' : r.accepted))).toEqual([2, 'error', 2]);
		const dump = () =>
			db.$client
				.prepare('SELECT * FROM metric_cells ORDER BY key')
				.raw()
				.all()
				.concat(db.$client.prepare('SELECT * FROM metric_day_cells ORDER BY key').raw().all());
		const maintained = dump();
		expect(maintained.length).toBeGreaterThan(10);
		await rebuildRollups(db);
		expect(dump()).toEqual(maintained);
	});

	it('stores the same rows whether hashes, sentiments and properties were prepared beforehand or not', () => {
		const events = [
			ev('s1', { type: 'feedback', name: undefined, metric: 'csat', score: 1, text: '等了很久，非常失望' }),
			ev('s2', { properties: { device: 'iPhone', n: 3 } }),
			ev('s1')
		];
		const rows = (prepared: boolean) => {
			const db = openDatabase(':memory:');
			const options = { sourceId: 1, receivedAt: 1_700_000_000_000 };
			const result = writeEvents(
				db,
				events,
				prepared ? { ...options, prepared: prepareEvents(1, events) } : options
			);
			expect(result).toMatchObject({ accepted: 2, duplicateIndexes: [2] });
			expect(writeEvents(db, [events[1]], options).duplicates).toBe(1);
			return storedEvents(db);
		};
		const plain = rows(false);
		expect(plain[0].sentiment).toBeLessThan(0);
		expect(rows(true)).toEqual(plain);
	});

	it('stores a large batch with repeated ids as its events one by one, answers linked to the rows of their contacts', async () => {
		const t = Date.now() - 3 * 86_400_000;
		// 130 events: contacts, answers naming contacts up to 28 events earlier, repeated ids inside the batch and in
		// a later one.
		const events: CxEvent[] = [];
		for (let i = 0; i < 130; i++) {
			const customerId = `k${i % 7}`;
			const ts = t + i * 600_000;
			if (i % 3 === 2)
				events.push(
					ev(`f${i}`, {
						type: 'feedback',
						name: undefined,
						customerId,
						ts,
						metric: 'csat',
						score: 1 + (i % 5),
						contactId: `c${i - 7 * (1 + (i % 4))}`
					})
				);
			else if (i % 10 === 9) events.push(ev(`c${i - 47}`, { customerId: 'k0', ts }));
			else
				events.push(
					ev(`c${i}`, {
						type: 'contact',
						name: undefined,
						customerId,
						ts,
						channel: i % 2 ? 'phone' : 'chat',
						handledBy: i % 4 ? 'agent' : 'bot',
						teamId: `T${i % 3}`,
						agentId: `A${i % 5}`,
						waitS: 10 + i,
						handleS: 100,
						outcome: i % 6 ? 'resolved' : 'transferred',
						reason: i % 2 ? 'card_lost' : 'fees',
						properties: i % 8 === 0 ? { conversationId: `v${i % 16}` } : {}
					})
				);
		}
		const later = [events[3], ev('z1', { customerId: 'k1', ts: t }), events[100]];
		const receivedAt = t + 200 * 600_000;
		const dump = (db: ReturnType<typeof openDatabase>) => ({
			events: db.$client.prepare('SELECT * FROM events ORDER BY seq').raw().all(),
			hours: db.$client.prepare('SELECT * FROM metric_cells ORDER BY key').raw().all(),
			days: db.$client.prepare('SELECT * FROM metric_day_cells ORDER BY key').raw().all()
		});

		const batched = openDatabase(':memory:');
		const first = writeEvents(batched, events, { sourceId: 1, receivedAt });
		// Ids repeated inside the batch: c${i - 47} at i = 69, 99, 129 repeat the contacts stored at 22, 52, 82
		// (those at 9, 19, …, 49, 79, 109 name no contact: new ids; 59, 89, 119 are answers).
		expect(first).toEqual({ accepted: 127, duplicates: 3, duplicateIndexes: [69, 99, 129] });
		const second = writeEvents(batched, later, { sourceId: 1, receivedAt });
		expect(second).toEqual({ accepted: 1, duplicates: 2, duplicateIndexes: [0, 2] });

		const single = openDatabase(':memory:');
		const one = events.map((e) => writeEvents(single, [e], { sourceId: 1, receivedAt }).duplicates);
		expect(one.reduce((a, b) => a + b, 0)).toBe(first.duplicates);
		expect(first.duplicateIndexes).toEqual(one.flatMap((d, i) => (d ? [i] : [])));
		for (const e of later) writeEvents(single, [e], { sourceId: 1, receivedAt });

		// The same rows (cells are compared with a rebuild below: combo ids are numbered in order of first use).
		const rows = dump(batched);
		expect(rows.events).toEqual(dump(single).events);
		// Seqs follow the input, and each answer is linked to the row of the contact it names.
		const stored = storedEvents(batched);
		expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
		const seqOf = new Map(stored.map((e) => [e.id, e.seq]));
		const links = batched.$client
			.prepare(`SELECT contact_id, linked_contact_seq FROM events WHERE type = 'feedback'`)
			.raw()
			.all() as [string, number | null][];
		expect(links.filter(([, link]) => link !== null).length).toBeGreaterThan(10);
		for (const [contactId, link] of links) if (link !== null) expect(link).toBe(seqOf.get(contactId));
		await rebuildRollups(batched);
		expect(dump(batched)).toEqual(rows);
	});

	it('stores rows a later event of the same write changes with their final flags and links, as a rebuild would', async () => {
		const t = Date.now() - 86_400_000;
		const contact = (id: string, ts: number, extra: Partial<CxEvent> = {}) =>
			ev(id, {
				type: 'contact',
				name: undefined,
				customerId: 'k',
				ts,
				channel: 'phone',
				handledBy: 'agent',
				teamId: 'T1',
				agentId: 'A1',
				waitS: 10,
				handleS: 100,
				outcome: 'resolved',
				reason: 'card_lost',
				...extra
			});
		// One write: a transfer, its second leg (same chain), a repeat an hour later, an answer naming the first leg and
		// a complaint naming none: each changes the flags or link of a row given before it in the same write.
		const events = [
			contact('x1', t, { outcome: 'transferred' }),
			ev('f1', {
				type: 'feedback',
				name: undefined,
				customerId: 'k',
				ts: t + 120_000,
				metric: 'csat',
				score: 2,
				contactId: 'x1'
			}),
			ev('p1', { type: 'complaint', name: undefined, customerId: 'k', ts: t + 7_200_000, category: 'fee' }),
			contact('x2', t + 60_000, { agentId: 'A2' }),
			contact('x3', t + 3_600_000)
		];
		// The customer's rows read back, and kept from an earlier write (as the writer thread writes).
		for (const keep of [false, true]) {
			const db = openDatabase(':memory:');
			if (keep) keepRecentFacts(db);
			// A stored contact two days before: the customer exists before the write.
			writeEvents(db, [contact('x0', t - 2 * 86_400_000 + 60_000)], { sourceId: 1, receivedAt: t });
			writeEvents(db, events, { sourceId: 1, receivedAt: t });
			const flagsOf = () =>
				Object.fromEntries(
					(
						db.$client
							.prepare(
								`SELECT e.id, e.first_contact, e.repeat_same_reason_7d, e.repeat_48h, e.chain_last,
								   e.chain_self_service, e.transferred_to_agent, l.id AS linked
								 FROM events e LEFT JOIN events l ON l.seq = e.linked_contact_seq`
							)
							.all() as { id: string; linked: string | null }[]
					).map(({ id, ...rest }) => [id, rest])
				);
			const cells = () => db.$client.prepare('SELECT * FROM metric_day_cells ORDER BY key').raw().all();
			const stored = flagsOf();
			// x1 is no longer a chain's last leg; x2 ends its chain and is repeated by x3 within 48 hours; the answer is
			// linked to x1, the complaint attributed to the last chain before it.
			expect(stored.x1).toMatchObject({ chain_last: 0, first_contact: null, transferred_to_agent: 1 });
			expect(stored.x2).toMatchObject({ chain_last: 1, repeat_48h: 1, repeat_same_reason_7d: 1 });
			expect(stored.f1.linked).toBe('x1');
			expect(stored.p1.linked).toBe('x3');
			const maintained = cells();
			expect(maintained.length).toBeGreaterThan(10);
			await rebuildRollups(db);
			expect(flagsOf()).toEqual(stored);
			expect(cells()).toEqual(maintained);
		}
	});

	it('keeps customers current while skipping redundant upserts', () => {
		const db = openDatabase(':memory:');
		const t = Date.now() - 3_600_000;
		const seen = () => db.$client.prepare('SELECT first_seen f, last_seen l, segment s FROM customers').get();
		writeEvents(db, [ev('1', { ts: t })], { sourceId: 1 });
		writeEvents(db, [ev('2', { ts: t + 30_000 })], { sourceId: 1 });
		expect(seen()).toEqual({ f: t, l: t, s: null });
		writeEvents(db, [ev('3', { ts: t + 120_000 }), ev('4', { ts: t - 5000 })], { sourceId: 1 });
		expect(seen()).toEqual({ f: t - 5000, l: t + 120_000, s: null });
		writeEvents(db, [ev('5', { type: 'identify', traits: { segment: 'private' } }), ev('6', { ts: t })], {
			sourceId: 1
		});
		expect(seen()).toMatchObject({ s: 'private' });
		expect(storedEvents(db).find((e) => e.id === '6')?.segment).toBe('private');
	});

	it('never takes a stored customer missing from the cache for a new one, even at the same time', () => {
		const t = Date.now() - 3_600_000;
		const contact = (id: string, ts: number): CxEvent =>
			ev(id, {
				type: 'contact',
				channel: 'phone',
				outcome: 'resolved',
				reason: 'fraud',
				ts,
				name: undefined
			});
		for (const later of [0, 7_200_000, -7_200_000]) {
			const db = openDatabase(':memory:');
			writeEvents(db, [contact('a', t)], { sourceId: 1 });
			// As after a restart: the writer knows nothing of the customer, the database does.
			forgetCustomers(db);
			writeEvents(db, [contact('b', t + later)], { sourceId: 1 });
			const flags = db.$client
				.prepare('SELECT id, first_contact f, repeat_same_reason_7d r FROM events ORDER BY ts, seq')
				.all();
			// The stored contact was read back: the earlier of the two is the first, and it was repeated.
			expect(flags, `b ${later} ms after a`).toEqual(
				later < 0
					? [
							{ id: 'b', f: 1, r: 1 },
							{ id: 'a', f: 0, r: 0 }
						]
					: [
							{ id: 'a', f: 1, r: 1 },
							{ id: 'b', f: 0, r: 0 }
						]
			);
			expect(db.$client.prepare('SELECT first_seen f, last_seen l FROM customers').get()).toEqual({
				f: Math.min(t, t + later),
				l: Math.max(t, t + later)
			});
		}
	});

	it('prunes ids older than the window, a few rows at a time, and then accepts them again', async () => {
		const db = openDatabase(':memory:');
		const old = Date.now() - 8 * 86_400_000;
		writeEvents(db, [ev('old1'), ev('old2'), ev('old3')], { sourceId: 1, receivedAt: old });
		writeEvents(db, [ev('new')], { sourceId: 1 });
		const before = Date.now() - 7 * 86_400_000;
		expect(await pruneEventIds(db, before, 2)).toBe(2);
		expect(await pruneEventIds(db, before, 2)).toBe(1);
		expect(await pruneEventIds(db, before, 2)).toBe(0);
		expect(db.$client.prepare('SELECT count(*) FROM event_ids').pluck().get()).toBe(1);
		expect(writeEvents(db, [ev('old1'), ev('new')], { sourceId: 1 })).toMatchObject({
			accepted: 1,
			duplicateIndexes: [1]
		});
		expect(eventIdHash(1, 'x') >= 0n).toBe(true);
	});

	it('remembers ids across a restart (the log is reloaded) and forgets those of a rolled-back group', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'resonance-dedupe-'));
		try {
			const file = path.join(dir, 'd.db');
			const first = openDatabase(file);
			writeEvents(first, [ev('a'), ev('b')], { sourceId: 1 });
			// The outer commit fails after both savepoints succeeded: nothing of it may count as seen.
			const inner = first.$client.transaction(() => {
				writeBatches(first, [{ sourceId: 1, events: [ev('c')] }]);
				throw new Error('outer failure');
			});
			expect(() => inner()).toThrow('outer failure');
			// Its claim of 'c' was rolled back with it: 'c' is new, and now claimed for real.
			expect(writeEvents(first, [ev('c')], { sourceId: 1 }).accepted).toBe(1);
			first.$client.close();
			const second = openDatabase(file);
			expect(writeEvents(second, [ev('a'), ev('c'), ev('b'), ev('d')], { sourceId: 1 })).toMatchObject({
				accepted: 1,
				duplicates: 3,
				duplicateIndexes: [0, 1, 2]
			});
			// Another source may reuse the same client ids.
			expect(writeEvents(second, [ev('a')], { sourceId: 2 }).accepted).toBe(1);
			second.$client.close();
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('keeps combo ids through a rebuild (a writer thread has them cached)', async () => {
		const db = openDatabase(':memory:');
		const day = 86_400_000;
		const t = Date.now() - 3 * day;
		// Combos created in another order than a rebuild scans the events in (by time).
		writeEvents(db, [teamContact('x', 'T2', t + day)], { sourceId: 1 });
		writeEvents(db, [teamContact('y', 'T1', t)], { sourceId: 1 });
		const combos = () =>
			db.$client.prepare('SELECT id, cuboid, v1, v2 FROM metric_combos ORDER BY id').raw().all();
		const before = combos();
		expect(before.length).toBeGreaterThan(4);
		await rebuildRollups(db);
		expect(combos()).toEqual(before);
	});

	it('forgets combo ids a rolled-back write took back, even when another connection reuses them', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'resonance-combos-'));
		try {
			const file = path.join(dir, 'c.db');
			const writer = openDatabase(file);
			const other = openDatabase(file);
			const contact = (id: string, teamId: string) => teamContact(id, teamId, Date.now() - 2 * 3_600_000);
			writeEvents(writer, [contact('a', 'T1')], { sourceId: 1 });
			// The write of team T9's first contact fails once its combos were created: they are rolled back.
			writer.$client.exec(
				"CREATE TEMP TRIGGER no_cells BEFORE INSERT ON metric_cells BEGIN SELECT RAISE(ABORT, 'injected'); END"
			);
			expect(() => writeEvents(writer, [contact('b', 'T9')], { sourceId: 1 })).toThrow(/injected/);
			writer.$client.exec('DROP TRIGGER no_cells');
			// Another connection's new combos (team T7) take the freed ids.
			writeEvents(other, [contact('c', 'T7')], { sourceId: 1 });
			writeEvents(writer, [contact('b', 'T9')], { sourceId: 1 });
			const cells = () =>
				writer.$client
					.prepare('SELECT * FROM metric_cells ORDER BY key')
					.raw()
					.all()
					.concat(writer.$client.prepare('SELECT * FROM metric_day_cells ORDER BY key').raw().all());
			const maintained = cells();
			await rebuildRollups(writer);
			expect(cells()).toEqual(maintained);
			writer.$client.close();
			other.$client.close();
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('GroupCommit', () => {
	it('writes concurrent requests together and answers each with its own result', async () => {
		const calls: number[] = [];
		const commit = new GroupCommit(
			(batches) => {
				calls.push(batches.length);
				return batches.map((b) =>
					b.sourceId === 666
						? new Error('boom')
						: { accepted: b.events.length, duplicates: 0, duplicateIndexes: [] }
				);
			},
			{ maxDelayMs: 5, maxEvents: 1000 }
		);
		const [a, b, c] = await Promise.allSettled([
			commit.submit({ sourceId: 1, events: [ev('1'), ev('2')] }),
			commit.submit({ sourceId: 666, events: [ev('3')] }),
			commit.submit({ sourceId: 1, events: [ev('4')] })
		]);
		expect(calls).toEqual([3]);
		expect(a).toMatchObject({ status: 'fulfilled', value: { accepted: 2 } });
		expect(b).toMatchObject({ status: 'rejected' });
		expect(c).toMatchObject({ status: 'fulfilled', value: { accepted: 1 } });
	});

	it('hands an asynchronous writer the next transaction while one is written, and no more', async () => {
		const handed: { size: number; answer: () => void }[] = [];
		const commit = new GroupCommit(
			(batches) =>
				new Promise((resolve) =>
					handed.push({
						size: batches.length,
						answer: () =>
							resolve(
								batches.map((b) => ({ accepted: b.events.length, duplicates: 0, duplicateIndexes: [] }))
							)
					})
				),
			{ maxDelayMs: 1, maxEvents: 1000, maxInFlight: 2 }
		);
		const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
		const a = commit.submit({ sourceId: 1, events: [ev('a')] });
		await settle();
		const b = commit.submit({ sourceId: 1, events: [ev('b')] });
		await settle();
		const c = commit.submit({ sourceId: 1, events: [ev('c')] });
		const d = commit.submit({ sourceId: 1, events: [ev('d')] });
		await settle();
		// Two transactions handed over; c and d wait for one of them to be answered, then go together.
		expect(handed.map((h) => h.size)).toEqual([1, 1]);
		handed[0].answer();
		expect(await a).toMatchObject({ accepted: 1 });
		await settle();
		expect(handed.map((h) => h.size)).toEqual([1, 1, 2]);
		handed[1].answer();
		handed[2].answer();
		expect(await Promise.all([b, c, d])).toMatchObject([{ accepted: 1 }, { accepted: 1 }, { accepted: 1 }]);
	});

	it('splits a backlog into transactions of about maxEvents', async () => {
		const sizes: number[] = [];
		const commit = new GroupCommit(
			(batches) => {
				sizes.push(batches.reduce((n, b) => n + b.events.length, 0));
				return batches.map((b) => ({ accepted: b.events.length, duplicates: 0, duplicateIndexes: [] }));
			},
			{ maxDelayMs: 50, maxEvents: 4 }
		);
		const three = [ev('a'), ev('b'), ev('c')];
		await Promise.all([1, 2, 3].map(() => commit.submit({ sourceId: 1, events: three })));
		expect(sizes).toEqual([6, 3]);
	});

	it('reports each transaction to onCommit once it is settled, failed ones as failed', async () => {
		const reports: CommitReport[] = [];
		let fail = false;
		const commit = new GroupCommit(
			async (batches) => {
				if (fail) throw new Error('disk');
				return batches.map((b) => ({ accepted: b.events.length, duplicates: 0, duplicateIndexes: [] }));
			},
			{ maxDelayMs: 1, maxEvents: 1000, onCommit: (r) => reports.push(r) }
		);
		await Promise.all([
			commit.submit({ sourceId: 1, events: [ev('a'), ev('b')] }),
			commit.submit({ sourceId: 2, events: [ev('c')] })
		]);
		expect(reports).toMatchObject([{ batches: 2, events: 3, failed: false }]);
		expect(reports[0].durationMs).toBeGreaterThanOrEqual(0);
		fail = true;
		await expect(commit.submit({ sourceId: 1, events: [ev('d')] })).rejects.toThrow('disk');
		await commit.drain();
		expect(reports[1]).toMatchObject({ batches: 1, events: 1, failed: true });
	});
});
