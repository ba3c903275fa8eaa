import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { byEngine, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { kpis } from './kpis';
import type { CxQuery } from './query';
import { metricsStores } from './read-store';
import { closeMirror, onBothEngines, writeWithRollups } from './testing';

afterAll(closeMirror);

// The raw path under a team filter (a manager's drill-down no cuboid holds) reads only those teams' rows, by
// the events_team_ts and events_linked_ts indexes (read-store.ts RAW_TEAM_SQL). It must visit exactly the rows the
// whole range's scan visits with one of those teams as effective team, in the same order, on both engines: answers
// and complaints take their team from the contact they are linked to, which may lie up to 7 days outside the range.

const T0 = Date.parse('2025-03-03T00:00:00+08:00');
const HOUR = 3_600_000;
const DAY = 86_400_000;

let counter = 0;
function event(e: Partial<CxEvent> & Pick<CxEvent, 'type' | 'customerId' | 'ts'>): CxEvent {
	return { id: `e${++counter}`, properties: {}, ...e };
}

/**
 * Three teams over 20 days. Each customer has an agent contact, a survey answer naming it 0–4 days later, and a
 * complaint: named, attributed to the customer's last chain, or with a team of its own. Some contacts have no team
 * (the IVR) and some answers name no contact. The query range (days 8–12) cuts between contacts and their answers.
 */
function fixture(): CxEvent[] {
	const events: CxEvent[] = [];
	const teams = ['A', 'B', 'C'];
	for (let i = 0; i < 120; i++) {
		const customerId = `c${i}`;
		const ts = T0 + Math.floor(i / 6) * DAY + (i % 6) * 3 * HOUR + i * 1000;
		const team = teams[i % 3];
		const ivr = i % 10 === 9;
		const contact = event({
			type: 'contact',
			customerId,
			ts,
			channel: i % 4 === 0 ? 'chat' : 'phone',
			handledBy: ivr ? 'ivr' : 'agent',
			outcome: i % 5 === 0 ? 'transferred' : 'resolved',
			waitS: 10 + (i % 7) * 5,
			handleS: 100 + (i % 11) * 20,
			reason: `r${i % 4}`,
			...(ivr ? {} : { teamId: team, agentId: `${team}-a${i % 5}` })
		});
		events.push(contact);
		events.push(
			event({
				type: 'feedback',
				customerId,
				ts: ts + (i % 5) * DAY + HOUR,
				channel: 'phone',
				metric: i % 2 === 0 ? 'csat' : 'nps',
				score: i % 2 === 0 ? 1 + (i % 5) : i % 11,
				...(i % 8 === 7 ? {} : { contactId: contact.id })
			})
		);
		if (i % 3 === 0)
			events.push(
				event({
					type: 'complaint',
					customerId,
					ts: ts + (i % 6) * DAY + 2 * HOUR,
					channel: 'phone',
					category: 'fee',
					...(i % 9 === 0 ? { contactId: contact.id } : {}),
					...(i % 12 === 3 ? { teamId: team } : {})
				})
			);
	}
	return events.sort((a, b) => a.ts - b.ts);
}

type Visited = [number, string, string | null, string | null, string | null, number | null, number | null];

/** The rows a scan visits, in order: time, type, team, agent, reason, handle time, score. */
async function visited(target: Storage, from: number, to: number, teams?: string[]): Promise<Visited[]> {
	return byEngine(target, metricsStores).read(async (r) => {
		const out: Visited[] = [];
		await r.scanRaw(
			from,
			to,
			(dims, ts, row) => out.push([ts, row.type, dims.team, dims.agent, dims.reason, row.handleS, row.score]),
			teams
		);
		return out;
	});
}

describe('raw rows by team (events_team_ts, events_linked_ts)', () => {
	let db: Db;
	const setup = () => {
		db = openDatabase(':memory:');
		writeWithRollups(db, fixture());
	};

	it("visits exactly the whole scan's rows of those teams, in its order, on both engines", async () => {
		setup();
		const ranges: [number, number][] = [
			[T0 + 8 * DAY, T0 + 13 * DAY],
			[T0 + 8 * DAY + 5 * HOUR + 17_000, T0 + 8 * DAY + 5 * HOUR + 3_000_000],
			[T0, T0 + 30 * DAY]
		];
		for (const [from, to] of ranges)
			for (const teams of [['A'], ['B', 'C'], ['A', 'B', 'C'], ['Z'], []]) {
				const whole = await onBothEngines(db, (t) => visited(t, from, to));
				const byTeam = await onBothEngines(db, (t) => visited(t, from, to, teams));
				expect(byTeam).toStrictEqual(whole.filter((v) => v[2] !== null && teams.includes(v[2])));
			}
		// The fixture exercises both parts: answers and complaints whose team is their contact's, some of those
		// contacts before the range.
		const from = T0 + 8 * DAY;
		const a = await visited(sqliteStorage(db), from, T0 + 13 * DAY, ['A']);
		const linked = a.filter((v) => v[1] !== 'contact');
		expect(linked.length).toBeGreaterThan(5);
		const contacts = db.$client
			.prepare(
				`SELECT count(*) FROM events e JOIN events c ON c.seq = e.linked_contact_seq
				 WHERE e.team_id IS NULL AND c.team_id = 'A' AND e.ts >= ? AND e.ts < ? AND c.ts < ?`
			)
			.pluck()
			.get(from, T0 + 13 * DAY, from) as number;
		expect(contacts).toBeGreaterThan(3);
	});

	it('a manager drill-down, reason-standardised, gives the numbers of the whole scan', async () => {
		setup();
		const q: CxQuery = {
			from: T0 + 8 * DAY + 30 * 60_000,
			to: T0 + 13 * DAY,
			by: 'agent',
			grain: null,
			filters: {},
			compare: { from: T0 + 3 * DAY, to: T0 + 8 * DAY },
			standardise: true,
			scope: { teams: ['A'] }
		};
		const now = T0 + 40 * DAY;
		const scoped = await onBothEngines(db, (t) => kpis(t, q, { now, raw: true }));
		expect(scoped.path).toBe('raw');
		expect(scoped.rows.map((r) => r.group)).toStrictEqual(['A-a0', 'A-a1', 'A-a2', 'A-a3', 'A-a4']);
		// The old path: the same team as an agent filter (no team filter: the whole range is scanned).
		const agents = scoped.rows.map((r) => r.group as string);
		const whole = await onBothEngines(db, (t) =>
			kpis(t, { ...q, filters: { agent: agents }, scope: { teams: null } }, { now, raw: true })
		);
		expect(scoped.rows).toStrictEqual(whole.rows);
		// And the cells of team × agent × reason (the half hour at the start from raw rows) give the same numbers.
		const cells = await onBothEngines(db, (t) => kpis(t, q, { now }));
		expect(cells.path).toBe('rollup+raw');
		expect(cells.rows).toStrictEqual(scoped.rows);
		// The strata hold answers linked to contacts (some before the range) and the agents' own contacts.
		expect(scoped.rows.reduce((n, r) => n + (r.kpis.csat_std?.n ?? 0), 0)).toBeGreaterThan(3);
		expect(scoped.rows.reduce((n, r) => n + (r.kpis.aht_s_std?.n ?? 0), 0)).toBeGreaterThan(5);
	});
});
