/**
 * Audiences on both engines: built on SQLite with the ingestion writer, mirrored to PostgreSQL, asked the same
 * questions; answers compared to each other and to the hand-derived expectation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '$lib/server/db';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { ALL_TEAMS, scopeOf } from '$lib/server/auth/scope';
import { listAudit } from '$lib/server/auth/audit';
import { openCases, sourceOf } from '$lib/server/cases';
import { parseCsv } from '$lib/components/dashboards/csv';
import { mirrorToPostgres } from '$lib/server/testing/postgres';
import { contact, DAY, event, fixtureDb, HOUR, ingest, step, survey, T0 } from '$lib/server/journeys/testing';
import type { CxEvent } from '$lib/model';
import {
	AudienceError,
	audienceResults,
	createAudience,
	exportMembers,
	getAudience,
	listAudiences,
	treatmentCsv,
	type AudienceActor
} from './audiences';
import { groupOf } from './split';
import { pushAudience } from './push';
import { deleteCustomer } from '$lib/server/privacy';

const admin: AudienceActor = { id: 'u-admin', email: 'admin@bank.example', scope: ALL_TEAMS };
const manager: AudienceActor = {
	id: 'u-mgr',
	email: 'mgr@bank.example',
	scope: scopeOf({ role: 'manager', teams: ['t-mine'] })
};

const STALLED = ['S1', 'S2', 'S3', 'S4', 'S5'];

/** Five customers stuck after step b for 3 days, one for 1 day, one further on; contacts by two teams; detractors. */
async function history(): Promise<{ db: Db; events: CxEvent[] }> {
	const db = fixtureDb();
	const events: CxEvent[] = [];
	for (const c of STALLED) events.push(step(c, 'a', T0 - 3 * DAY - HOUR), step(c, 'b', T0 - 3 * DAY));
	events.push(step('S6', 'a', T0 - DAY - HOUR), step('S6', 'b', T0 - DAY));
	events.push(
		step('S7', 'a', T0 - 3 * DAY - HOUR),
		step('S7', 'b', T0 - 3 * DAY),
		step('S7', 'c_ok', T0 - 3 * DAY + HOUR)
	);
	events.push(contact('S1', T0 - 5 * DAY, 'phone', { teamId: 't-mine' }));
	events.push(contact('S2', T0 - 4 * DAY, 'phone', { teamId: 't-mine' }));
	events.push(contact('S3', T0 - 4 * DAY, 'phone', { teamId: 't-other' }));
	// Detractor answers: D1 with my team, D2 with the other, D3 too long ago, D4 a promoter.
	const d1 = survey('D1', T0 - 2 * DAY, 'nps', 3, { teamId: 't-mine' });
	const d2 = survey('D2', T0 - 2 * DAY, 'nps', 2, { teamId: 't-other' });
	const d3 = survey('D3', T0 - 20 * DAY, 'nps', 1, { teamId: 't-mine' });
	const d4 = survey('D4', T0 - 2 * DAY, 'nps', 10, { teamId: 't-mine' });
	events.push(d1, d2, d3, d4);
	ingest(db, events, T0);
	await openCases(db, [d1, d2, d3, d4].map(sourceOf), T0);
	return { db, events };
}

const breakpointRule = { kind: 'breakpoint', journey: 'fixture', step: 'b', minDays: 2 };

async function membersOf(s: Storage, id: number, actor = admin) {
	return (await exportMembers(s, id, 'treatment', actor, { format: 'json' })).customerIds;
}

describe('audiences on both engines', () => {
	const closers: (() => Promise<void>)[] = [];
	afterEach(async () => {
		for (const close of closers.splice(0)) await close();
	});

	async function bothEngines(db: Db): Promise<Storage[]> {
		const pg = await mirrorToPostgres(db);
		closers.push(pg.close);
		return [sqliteStorage(db), postgresStorage(pg.db)];
	}

	it('evaluates the rules once, limits a manager to their teams, and splits the same way on both', async () => {
		const { db } = await history();
		// The risk model's current scores (risk/): S1 and S2 at or above 0.5, S3 below.
		const score = db.$client.prepare(
			`INSERT INTO risk_scores (customer_id, model_id, scored_at, score, regulator_score, team_id, reasons)
			 VALUES (?, 1, ?, ?, 0.01, ?, '[]')`
		);
		score.run('S1', T0, 0.8, 't-mine');
		score.run('S2', T0, 0.5, 't-mine');
		score.run('S3', T0, 0.3, 't-other');
		const answers = [];
		for (const s of await bothEngines(db)) {
			const all = await createAudience(
				s,
				{
					name: 'Stuck at b',
					rule: breakpointRule,
					holdoutPercent: 50,
					outcome: { kind: 'journey_completed' }
				},
				admin,
				{ now: T0 }
			);
			expect(all).toMatchObject({
				id: 1,
				members: 5,
				teams: null,
				holdoutPercent: 50,
				outcome: { kind: 'journey_completed', days: 14 }
			});
			expect(all.treatment + all.holdout).toBe(5);
			const treatment = await membersOf(s, all.id);
			expect(treatment).toEqual(STALLED.filter((c) => groupOf(all.id, c, 50) === 'treatment'));

			const mine = await createAudience(
				s,
				{ name: 'Mine', rule: breakpointRule, outcome: { kind: 'no_complaint', days: 7 } },
				manager,
				{ now: T0 }
			);
			expect(mine).toMatchObject({ members: 2, teams: ['t-mine'], holdoutPercent: 10 });
			const detractors = await createAudience(
				s,
				{ name: 'Detractors', rule: { kind: 'detractors', days: 7 }, outcome: { kind: 'not_detractor' } },
				manager,
				{ now: T0 }
			);
			expect(detractors.members).toBe(1);
			const allDetractors = await createAudience(
				s,
				{
					name: 'All detractors',
					rule: { kind: 'detractors', days: 7 },
					holdoutPercent: 1,
					outcome: { kind: 'no_complaint' }
				},
				admin,
				{ now: T0 }
			);
			expect(allDetractors.members).toBe(2);
			const ids = [
				...(await membersOf(s, detractors.id, manager)),
				...(await membersOf(s, allDetractors.id))
			];
			// The risk rule reads the risk model's scores: S1 (0.8) and S2 (exactly 0.5), not S3 (0.3).
			const risky = await createAudience(
				s,
				{
					name: 'Risky',
					rule: { kind: 'risk', minScore: 0.5 },
					holdoutPercent: 1,
					outcome: { kind: 'no_complaint' }
				},
				admin,
				{ now: T0 }
			);
			expect(risky.members).toBe(2);
			expect((await membersOf(s, risky.id)).sort()).toEqual(
				['S1', 'S2'].filter((c) => groupOf(risky.id, c, 1) === 'treatment')
			);

			// The manager sees only the audiences drawn from their teams; someone else's reads as missing.
			expect((await listAudiences(s, manager.scope)).map((a) => a.name)).toEqual(['Detractors', 'Mine']);
			await expect(getAudience(s, all.id, manager.scope)).rejects.toMatchObject({ status: 404 });
			await expect(
				createAudience(
					s,
					{ name: 'x', rule: breakpointRule, outcome: { kind: 'no_complaint' }, teams: ['t-other'] },
					manager
				)
			).rejects.toMatchObject({ status: 403 });

			const created = (await listAudit(s, { action: 'audience.created' })).rows;
			expect(created).toHaveLength(5);
			answers.push({ treatment, ids, mine: await membersOf(s, mine.id, manager) });
		}
		expect(answers[1]).toEqual(answers[0]);
		// Audience 3 (the manager's, 10% held out) is D1 alone; audience 4 (everyone's, 1%) is D1 and D2.
		expect(answers[0].ids).toEqual([
			...['D1'].filter((c) => groupOf(3, c, 10) === 'treatment'),
			...['D1', 'D2'].filter((c) => groupOf(4, c, 1) === 'treatment')
		]);
		expect(STALLED.slice(0, 2)).toEqual(expect.arrayContaining(answers[0].mine));
	});

	it('names the bad field with 400', async () => {
		const { db } = await history();
		for (const s of await bothEngines(db)) {
			const bad = async (body: unknown) =>
				createAudience(s, body, admin, { now: T0 }).catch((e: Error) => e.message);
			expect(await bad({ rule: breakpointRule, outcome: { kind: 'no_complaint' } })).toMatch(/^name:/);
			expect(
				await bad({
					name: 'x',
					rule: { kind: 'breakpoint', journey: 'fixture', step: 'b' },
					outcome: { kind: 'no_complaint' }
				})
			).toMatch(/^rule.minDays:/);
			expect(
				await bad({ name: 'x', rule: breakpointRule, holdoutPercent: 80, outcome: { kind: 'no_complaint' } })
			).toMatch(/^holdoutPercent:/);
			expect(
				await bad({
					name: 'x',
					rule: { kind: 'detractors', days: 7 },
					outcome: { kind: 'journey_completed' }
				})
			).toMatch(/^outcome.kind:/);
		}
	});

	it('keeps the membership frozen as new customers stall, and never exports the holdout', async () => {
		const { db } = await history();
		const a = await createAudience(
			sqliteStorage(db),
			{ name: 'Stuck', rule: breakpointRule, holdoutPercent: 50, outcome: { kind: 'journey_completed' } },
			admin,
			{ now: T0 }
		);
		// A new customer stalls at b after the audience was made; S1 moves on.
		ingest(
			db,
			[step('S8', 'a', T0 - 3 * DAY - HOUR), step('S8', 'b', T0 - 3 * DAY), step('S1', 'c_ok', T0 + HOUR)],
			T0 + 2 * HOUR
		);
		for (const s of await bothEngines(db)) {
			const again = await getAudience(s, a.id, ALL_TEAMS);
			expect(again.members).toBe(5);
			const treatment = await membersOf(s, a.id);
			expect(treatment).toEqual(STALLED.filter((c) => groupOf(a.id, c, 50) === 'treatment'));
			const later = await createAudience(
				s,
				{ name: 'Later', rule: breakpointRule, outcome: { kind: 'no_complaint' } },
				admin,
				{ now: T0 + 3 * HOUR }
			);
			expect(later.members).toBe(5); // S8 in, S1 out
			// The holdout is refused for every role and format; the CSV holds only treatment ids.
			const holdout = STALLED.filter((c) => groupOf(a.id, c, 50) === 'holdout');
			expect(holdout.length).toBeGreaterThan(0);
			await expect(exportMembers(s, a.id, 'holdout', admin, { format: 'json' })).rejects.toBeInstanceOf(
				AudienceError
			);
			await expect(exportMembers(s, a.id, 'holdout', admin, { format: 'csv' })).rejects.toMatchObject({
				status: 403,
				code: 'holdout_not_exported'
			});
			const csv = parseCsv(treatmentCsv(await exportMembers(s, a.id, 'treatment', admin, { format: 'csv' })));
			expect(csv[0]).toEqual(['customerId', 'audienceId', 'audienceName']);
			expect(csv.slice(1).map((r) => r[0])).toEqual(treatment);
			for (const c of holdout) expect(csv.flat()).not.toContain(c);
			// The push carries the treatment only, signed.
			let sent: { body: string; signature: string } | null = null;
			const result = await pushAudience(
				s,
				a.id,
				{ url: 'https://outbound.bank.example/hook', secret: 'a-long-enough-secret' },
				admin,
				{
					fetch: async (_url, init) => {
						sent = {
							body: String(init?.body),
							signature: new Headers(init?.headers).get('x-resonance-signature') ?? ''
						};
						return new Response(null, { status: 202 });
					}
				}
			);
			expect(result).toMatchObject({ delivered: true, status: 202, customers: treatment.length });
			const pushed = JSON.parse(sent!.body) as { customers: string[] };
			expect(pushed.customers).toEqual(treatment);
			const { createHmac } = await import('node:crypto');
			expect(sent!.signature).toBe(
				`sha256=${createHmac('sha256', 'a-long-enough-secret').update(sent!.body).digest('hex')}`
			);
			await expect(
				pushAudience(s, a.id, { url: 'http://127.0.0.1/hook', secret: 'a-long-enough-secret' }, admin)
			).rejects.toMatchObject({ status: 400 });
			const exports = (await listAudit(s, { action: 'data.exported' })).rows;
			expect(exports.map((r) => r.details)).toContainEqual({
				group: 'treatment',
				format: 'csv',
				rows: treatment.length
			});
		}
	});

	it('measures outcomes in both groups, the reach of tagged contacts, interim then final', async () => {
		const { db } = await history();
		const s0 = sqliteStorage(db);
		const a = await createAudience(
			s0,
			{
				name: 'Stuck',
				rule: breakpointRule,
				holdoutPercent: 50,
				outcome: { kind: 'journey_completed', days: 14 }
			},
			admin,
			{ now: T0 }
		);
		const group = (c: string) => groupOf(a.id, c, 50);
		// S1, S2 finish on day 2 and 5; S3 on day 20 (after the window); S4 complains; tagged outreach to S1, S2.
		const tag = { properties: { audience: a.id } };
		ingest(
			db,
			[
				step('S1', 'c_ok', T0 + DAY + HOUR),
				step('S1', 'd', T0 + DAY + 2 * HOUR),
				step('S2', 'c_ok', T0 + 4 * DAY),
				step('S2', 'd', T0 + 4 * DAY + HOUR),
				contact('S1', T0 + HOUR, 'phone', { teamId: 't-mine', ...tag }),
				contact('S2', T0 + HOUR, 'phone', { teamId: 't-mine', properties: { audience: String(a.id) } }),
				contact('S3', T0 + HOUR, 'phone', { teamId: 't-mine' }),
				event({
					customerId: 'S4',
					ts: T0 + 2 * DAY,
					type: 'complaint',
					category: 'fees',
					severity: 'high',
					regulator: false,
					channel: 'phone'
				})
			],
			T0 + 6 * DAY
		);
		// Hand computation: converted by day 14 = S1, S2.
		const expected = (asOfDay: number) => {
			const done = new Set(asOfDay >= 5 ? ['S1', 'S2'] : asOfDay >= 2 ? ['S1'] : []);
			const count = (g: string) => {
				const members = STALLED.filter((c) => group(c) === g);
				return { n: members.length, converted: members.filter((c) => done.has(c)).length };
			};
			return { treatment: count('treatment'), holdout: count('holdout') };
		};
		const answers = [];
		for (const s of await bothEngines(db)) {
			const interim = await audienceResults(s, a.id, ALL_TEAMS, T0 + 6 * DAY);
			expect(interim.final).toBe(false);
			expect(interim.overTime).toHaveLength(6);
			expect(interim.treatment).toMatchObject(expected(6).treatment);
			expect(interim.holdout).toMatchObject(expected(6).holdout);
			expect(interim.overTime[0].treatment.converted + interim.overTime[0].holdout.converted).toBe(0);
			expect(interim.overTime[1].treatment.converted + interim.overTime[1].holdout.converted).toBe(1);
			const tagged = ['S1', 'S2'];
			expect(interim.reach.treatment).toBe(tagged.filter((c) => group(c) === 'treatment').length);
			expect(interim.reach.holdout).toBe(tagged.filter((c) => group(c) === 'holdout').length);
			const final = await audienceResults(s, a.id, ALL_TEAMS, T0 + 30 * DAY);
			expect(final.final).toBe(true);
			expect(final.overTime).toHaveLength(14);
			const e = expected(14);
			const rate = (g: { n: number; converted: number }) => (g.n ? (100 * g.converted) / g.n : null);
			expect(final.treatment).toMatchObject(e.treatment);
			expect(final.holdout).toMatchObject(e.holdout);
			expect(final.treatment.rate).toBeCloseTo(rate(e.treatment) ?? NaN, 10);
			expect(final.holdout.rate).toBeCloseTo(rate(e.holdout) ?? NaN, 10);
			expect(final.lift).toBeCloseTo((rate(e.treatment) ?? 0) - (rate(e.holdout) ?? 0), 10);
			// no_complaint on the same members: S4 is the only one who complained.
			const quiet = await createAudience(
				s,
				{
					name: 'Quiet',
					rule: breakpointRule,
					holdoutPercent: 50,
					outcome: { kind: 'no_complaint', days: 14 }
				},
				admin,
				{ now: T0 }
			);
			// Created at T0 on a database whose instances have moved on since: only S3, S4, S5 are still stuck.
			const quietResults = await audienceResults(s, quiet.id, ALL_TEAMS, T0 + 30 * DAY);
			const q = (g: string) => ['S3', 'S4', 'S5'].filter((c) => groupOf(quiet.id, c, 50) === g);
			expect(quietResults.treatment.n + quietResults.holdout.n).toBe(3);
			expect(quietResults.treatment.converted).toBe(q('treatment').filter((c) => c !== 'S4').length);
			expect(quietResults.holdout.converted).toBe(q('holdout').filter((c) => c !== 'S4').length);
			answers.push({ interim, final, quietResults });
		}
		expect(answers[1]).toEqual(answers[0]);
	});

	it('forgets a deleted customer’s memberships (PIPL)', async () => {
		const { db } = await history();
		const a = await createAudience(
			sqliteStorage(db),
			{ name: 'Stuck', rule: breakpointRule, holdoutPercent: 50, outcome: { kind: 'no_complaint' } },
			admin,
			{ now: T0 }
		);
		for (const s of await bothEngines(db)) {
			const wasTreatment = groupOf(a.id, 'S1', 50) === 'treatment';
			const deleted = await deleteCustomer(s, 'S1', null, { now: T0 + HOUR });
			expect(deleted.removed.audience_members).toBe(1);
			expect(await membersOf(s, a.id)).toEqual(
				STALLED.filter((c) => c !== 'S1' && groupOf(a.id, c, 50) === 'treatment')
			);
			const results = await audienceResults(s, a.id, ALL_TEAMS, T0 + 30 * DAY);
			expect(results.treatment.n + results.holdout.n).toBe(4);
			expect(wasTreatment ? results.treatment.n : results.holdout.n).toBe(
				STALLED.filter((c) => groupOf(a.id, c, 50) === groupOf(a.id, 'S1', 50)).length - 1
			);
		}
	});
});
