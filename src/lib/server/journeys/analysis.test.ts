import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';
import { postgresStorage, type Storage } from '$lib/server/db/storage';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import type { JourneyDefinition } from './definitions';
import { breakpoints, parseSelector, type Selector } from './breakpoints';
import { affectedJourneys } from './drill';
import { touchpointGap } from './gap';
import { pathMap } from './paths';
import { parseJourneyQuery } from './query';
import { DEFAULT_JOURNEYS } from './definitions';
import { journeyDetail } from './detail';
import { funnel } from './funnel';
import { eventNameVolumes, getJourney, listJourneys, listMappings } from './registry';
import { journeySummaries, summarizeJourney } from './summary';
import { customerTimeline } from './timeline';
import { contact, DAY, fixtureDb, HOUR, ingest, MIN, step, survey, T0 } from './testing';

const NOW = T0 + 2 * DAY;
const S = T0 - 15 * DAY;
const q = { from: T0 - 30 * DAY, to: T0 + DAY, segment: null, channel: null };

/**
 * 135 customers through the fixture journey, 15 days ago:
 *   60 go straight through (a → b → c_ok → d), touchpoint CSAT 5, journey NPS 10;
 *   40 call on the phone after b (failure demand), then finish; CSAT 5, journey NPS 2, journey CSAT 3;
 *   35 stop after b and are abandoned; touchpoint CSAT 2 (team t1).
 */
function population(): CxEvent[] {
	const events: CxEvent[] = [];
	for (let i = 0; i < 135; i++) {
		const id = `K${String(i).padStart(3, '0')}`;
		const t = S + i * MIN;
		events.push(step(id, 'a', t), step(id, 'b', t + 10 * MIN));
		if (i < 100) {
			if (i >= 60) events.push(contact(id, t + 2 * HOUR, 'phone', { teamId: 't1' }));
			events.push(step(id, 'c_ok', t + 5 * HOUR), step(id, 'd', t + 6 * HOUR));
			events.push(survey(id, t + 5 * HOUR + MIN, 'csat', 5, { teamId: 't2' }));
			events.push(survey(id, t + 7 * HOUR, 'nps', i < 60 ? 10 : 2, { journey: 'fixture' }));
			if (i >= 60) events.push(survey(id, t + 7 * HOUR, 'csat', 3, { journey: 'fixture' }));
		} else events.push(survey(id, t + 20 * MIN, 'csat', 2, { teamId: 't1' }));
	}
	return events;
}

/**
 * The population is written once on SQLite (the writer and the stitcher), then mirrored to PostgreSQL: every analysis
 * below runs on both engines with the same hand-computed expectations, and the last block asks both engines every
 * question and expects equal answers.
 */
let sqlite: Db;
let pg: TestPostgres;
let fixture: JourneyDefinition;

beforeAll(async () => {
	sqlite = fixtureDb();
	ingest(sqlite, population(), NOW);
	pg = await mirrorToPostgres(sqlite);
	fixture = (await getJourney(sqlite, 'fixture'))!.definition;
});

afterAll(async () => {
	await pg?.close();
});

const engines: { engine: string; target: () => Db | Storage }[] = [
	{ engine: 'sqlite', target: () => sqlite },
	{ engine: 'postgres', target: () => postgresStorage(pg.db) }
];

describe.each(engines)('journey analyses on $engine', ({ target }) => {
	const setup = () => ({ db: target(), def: fixture });

	describe('breakpoints', () => {
		it('ranks steps and detours by journeys lost × score gap, with their evidence', async () => {
			const { db, def } = setup();
			const list = await breakpoints(db, def, q, { now: NOW });
			expect(list.total).toBe(135);
			expect(list.breakpoints.map((b) => b.id)).toEqual([
				'drop:1',
				'switch:b@app>phone',
				'transition:app:b>phone:contact'
			]);
			const [drop, sw, tr] = list.breakpoints;
			// Nobody lost here answered NPS, so the gap falls back to CSAT (an instance's journey-level answer first):
			// 0% of 35 vs 60% of the 100 who went on (60 × 5, 40 × a journey CSAT of 3) → 35 × 60 / 100 = 21.
			expect(drop).toMatchObject({ kind: 'drop', step: 'b', affected: 35, lost: 35, impact: 21 });
			expect(drop.gap).toEqual({ metric: 'csat', value: 60, with: 0, without: 60, withN: 35, withoutN: 100 });
			// The callers: NPS −100 (40 detractors) against +100 for the rest; nobody lost, so no impact yet.
			expect(sw).toMatchObject({
				kind: 'switch',
				step: 'b',
				fromChannel: 'app',
				toChannel: 'phone',
				affected: 40,
				lost: 0,
				impact: 0
			});
			expect(sw.gap).toMatchObject({ metric: 'nps', value: 200, withN: 40, withoutN: 60 });
			expect(tr).toMatchObject({ kind: 'contact', from: 'app:b', to: 'phone:contact', affected: 40 });
			expect(list.breakpoints.every((b) => b.affected >= 30)).toBe(true);
		});

		it('drills down from a breakpoint to the journeys behind it', async () => {
			const { db, def } = setup();
			for (const [id, total] of [
				['drop:1', 35],
				['lost:1', 35],
				['switch:b@app>phone', 40],
				['transition:app:b>phone:contact', 40]
			] as const) {
				const selector = parseSelector(id, def);
				expect(selector, id).not.toBeNull();
				const page = await affectedJourneys(db, 'fixture', q, selector!, { now: NOW, limit: 10 });
				expect(page.total, id).toBe(total);
				expect(page.rows).toHaveLength(10);
			}
			const lost = await affectedJourneys(
				db,
				'fixture',
				q,
				{ kind: 'lost', step: 1 },
				{ now: NOW, limit: 5, offset: 30 }
			);
			expect(lost.rows).toHaveLength(5);
			expect(lost.rows[0]).toMatchObject({ status: 'abandoned', lastStep: 'b', depth: 2, channels: ['app'] });
			expect(parseSelector('drop:9', def)).toBeNull();
			expect(parseSelector('nonsense', def)).toBeNull();
		});

		it("limits a manager's list to the customers their teams served", async () => {
			const db = target();
			const total = async (selector: Selector, teams: string[] | null) =>
				(await affectedJourneys(db, 'fixture', q, selector, { now: NOW, limit: 200, teams })).total;
			// The 35 abandoned customers (K100–K134) answered team t1 only; the 40 phone callers (K060–K099) were
			// served by t1 and answered t2.
			const lost: Selector = { kind: 'lost', step: 1 };
			expect(await total(lost, null)).toBe(35);
			expect(await total(lost, ['t1'])).toBe(35);
			expect(await total(lost, ['t2'])).toBe(0);
			expect(await total(lost, [])).toBe(0);
			const callers = parseSelector('transition:app:b>phone:contact', fixture)!;
			expect(await total(callers, null)).toBe(40);
			expect(await total(callers, ['t2'])).toBe(40);
			expect(await total(callers, ['t-other'])).toBe(0);
			const page = await affectedJourneys(db, 'fixture', q, lost, {
				now: NOW,
				limit: 200,
				teams: ['t1', 't9']
			});
			expect(page.rows.map((r) => r.customerId).sort()).toEqual(
				Array.from({ length: 35 }, (_, i) => `K${100 + i}`)
			);
		});
	});

	describe('touchpoint vs journey gap', () => {
		it('puts the touchpoint CSAT beside the journey-level scores', async () => {
			const { db } = setup();
			const gap = await touchpointGap(db, 'fixture', q);
			expect(gap.touchpoints.csat.n).toBe(135);
			expect(gap.touchpoints.csat.value).toBeCloseTo((100 / 135) * 100, 6);
			expect(gap.journeyLevel.nps).toMatchObject({ value: 20, n: 100 });
			expect(gap.journeyLevel.csat).toMatchObject({ value: 0, n: 40 });
			expect(gap.csatGap).toBeCloseTo((100 / 135) * 100, 6);
			expect(gap.npsGap).toBeNull();
			expect(gap.touchpoints.byChannel).toEqual([{ channel: 'app', csat: gap.touchpoints.csat }]);
		});

		it('limits a manager to the answers about their teams', async () => {
			const { db } = setup();
			const gap = await touchpointGap(db, 'fixture', q, { teams: ['t2'] });
			expect(gap.touchpoints.csat).toMatchObject({ value: 100, n: 100 });
			expect(gap.journeyLevel.nps.n).toBe(100);
		});
	});

	describe('journey summary and path map', () => {
		it('summarizes volume, completion, NPS and the top breakpoint', async () => {
			const { db, def } = setup();
			const s = await summarizeJourney(db, def, q, { now: NOW });
			expect(s).toMatchObject({ started: 135, completed: 100, abandoned: 35, failed: 0, inProgress: 0 });
			expect(s.completion.value).toBeCloseTo((100 / 135) * 100, 6);
			expect(s.nps).toMatchObject({ value: 20, n: 100 });
			expect(s.topBreakpoint?.id).toBe('drop:1');
		});

		it('maps the paths with the drop-off and the phone detour', async () => {
			const { db, def } = setup();
			const map = await pathMap(db, def, q, { now: NOW });
			expect(map.total).toBe(135);
			expect(map.paths.map((p) => [p.tokens.join(' '), p.status, p.value])).toEqual([
				['app:a app:b app:c_ok app:d', 'completed', 60],
				['app:a app:b phone:contact app:c_ok app:d', 'completed', 40],
				['app:a app:b', 'abandoned', 35]
			]);
			expect(map.links).toContainEqual(
				expect.objectContaining({ source: '1:app:b', target: '2:end:abandoned', value: 35 })
			);
		});
	});

	describe('customer timeline', () => {
		it('lists every event in time order with the journey as a lane, hiding other teams from a manager', async () => {
			const { db } = setup();
			const t = (await customerTimeline(db, 'K070', { now: NOW }))!;
			expect(t.customer.id).toBe('K070');
			expect(t.events.map((e) => e.type)).toEqual([
				'journey',
				'journey',
				'contact',
				'journey',
				'feedback',
				'journey',
				'feedback',
				'feedback'
			]);
			expect(t.lanes).toHaveLength(1);
			expect(t.lanes[0]).toMatchObject({
				journeyKey: 'fixture',
				status: 'completed',
				contacts: 1,
				name: { en: 'Fixture journey' }
			});
			const lane = t.lanes[0].instanceId;
			expect(t.events.filter((e) => e.lanes.includes(lane))).toHaveLength(8);
			const scoped = (await customerTimeline(db, 'K070', { now: NOW, teams: ['t2'] }))!;
			expect(scoped.hidden).toBe(1);
			expect(scoped.events.some((e) => e.type === 'contact')).toBe(false);
			expect(scoped.lanes).toHaveLength(1);
			// A customer the manager's teams never served: nothing but the count, journey steps and lanes included.
			const unserved = (await customerTimeline(db, 'K070', { now: NOW, teams: ['t-other'] }))!;
			expect(unserved.events).toEqual([]);
			expect(unserved.lanes).toEqual([]);
			expect(unserved.hidden).toBe(8);
			expect(await customerTimeline(db, 'nobody')).toBeNull();
		});
	});
});

describe('both engines give equal answers', () => {
	const pgTarget = () => postgresStorage(pg.db);
	const both = async <T>(ask: (target: Db | Storage) => Promise<T>): Promise<T> => {
		const [a, b] = [await ask(sqlite), await ask(pgTarget())];
		expect(b).toEqual(a);
		return a;
	};

	it('funnels, path maps, breakpoints, gaps and summaries', async () => {
		for (const minN of [1, 30]) {
			const f = await both((t) => funnel(t, fixture, q, { now: NOW, minN }));
			expect(f.customers).toBe(135);
			for (const by of ['segment', 'channel'] as const)
				await both((t) => funnel(t, fixture, q, { now: NOW, minN, by }));
			const map = await both((t) => pathMap(t, fixture, q, { now: NOW, minN, top: 2, maxDepth: 3 }));
			expect(map.otherValue).toBe(35);
			await both((t) => pathMap(t, fixture, q, { now: NOW, minN }));
			await both((t) => breakpoints(t, fixture, q, { now: NOW, minN, limit: 100 }));
			await both((t) => touchpointGap(t, 'fixture', q, { minN }));
			await both((t) => touchpointGap(t, 'fixture', q, { minN, teams: ['t1'] }));
			await both((t) => summarizeJourney(t, fixture, q, { now: NOW, minN }));
		}
		const summaries = await both((t) => journeySummaries(t, q, { now: NOW }));
		expect(summaries.map((x) => x.key)).toContain('fixture');
		// A filtered and a shifted range, and `now` before the windows end (in-progress instances).
		const app = { ...q, channel: 'app' as const };
		await both((t) => journeyDetail(t, fixture, app, { now: NOW, minN: 1, by: 'channel' }));
		await both((t) => journeyDetail(t, fixture, q, { now: S + 3 * HOUR, minN: 1 }));
		const empty = await both((t) => funnel(t, fixture, { ...q, segment: 'private' }, { now: NOW }));
		expect(empty.customers).toBe(0);
	});

	it('drill-downs, page by page', async () => {
		const list = await breakpoints(sqlite, fixture, q, { now: NOW, minN: 1, limit: 100 });
		const ids = [...list.breakpoints.map((b) => b.id), 'lost:0', 'lost:3'];
		expect(ids.length).toBeGreaterThan(4);
		for (const id of ids) {
			const selector = parseSelector(id, fixture)!;
			for (const offset of [0, 20, 40]) {
				const page = await both((t) =>
					affectedJourneys(t, 'fixture', q, selector, { now: NOW, limit: 20, offset })
				);
				if (offset === 0 && id === 'drop:1') expect(page.total).toBe(35);
			}
		}
	});

	it('customer timelines', async () => {
		for (const id of ['K000', 'K070', 'K120', 'nobody']) {
			await both((t) => customerTimeline(t, id, { now: NOW }));
			await both((t) => customerTimeline(t, id, { now: NOW, teams: ['t2'], limit: 3 }));
		}
		const t = await both((t) => customerTimeline(t, 'K120', { now: NOW }));
		expect(t!.lanes[0]).toMatchObject({ status: 'abandoned', depth: 2, lastStep: 'b' });
		expect(t!.events.map((e) => e.lanes)).toEqual([
			[t!.lanes[0].instanceId],
			[t!.lanes[0].instanceId],
			[t!.lanes[0].instanceId]
		]);
	});

	it('the registry: definitions, mappings and event names', async () => {
		const all = await both((t) => listJourneys(t, { includeDisabled: true }));
		expect(all.map((r) => r.definition.key)).toEqual([...DEFAULT_JOURNEYS.map((d) => d.key), 'fixture']);
		await both((t) => getJourney(t, 'fixture'));
		await both((t) => getJourney(t, 'missing'));
		await both((t) => listMappings(t));
		const names = await both((t) => eventNameVolumes(t));
		expect(names.find((n) => n.name === 'a')).toMatchObject({
			events: 135,
			steps: [{ journeyKey: 'fixture', stepEvent: 'a' }]
		});
		await both((t) => eventNameVolumes(t, { unmappedOnly: true, limit: 3 }));
	});
});

describe('query parameters', () => {
	it('parses ranges and filters and names the parameter at fault', () => {
		const ok = parseJourneyQuery(
			new URLSearchParams('from=2025-01-01&to=2025-01-31T00:00:00Z&segment=mass'),
			NOW
		);
		expect(ok).toEqual({
			ok: true,
			value: { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 31), segment: 'mass', channel: null }
		});
		const defaults = parseJourneyQuery(new URLSearchParams(''), NOW);
		expect(defaults).toMatchObject({ ok: true, value: { to: NOW, from: NOW - 30 * DAY } });
		const bad = parseJourneyQuery(new URLSearchParams('channel=fax'), NOW);
		expect(bad).toMatchObject({ ok: false, error: { param: 'channel' } });
		const reversed = parseJourneyQuery(new URLSearchParams('from=2025-02-01&to=2025-01-01'), NOW);
		expect(reversed).toMatchObject({ ok: false, error: { param: 'from' } });
	});
});
