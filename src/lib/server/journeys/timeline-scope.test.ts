/**
 * A manager's view of one customer: the timeline shows exactly the records the drill-down shows them, so other
 * teams' complaints and the survey answers linked to other teams' contacts are hidden too (issue 16).
 */
import { describe, expect, it } from 'vitest';
import { scopeOf } from '$lib/server/auth/scope';
import { listEvents } from '$lib/server/dashboards/events';
import { writeEvents } from '$lib/server/ingest/writer';
import { customerTimeline } from './timeline';
import { contact, event, fixtureDb, HOUR, step, survey, T0 } from './testing';

describe('team scope on the customer timeline', () => {
	it('hides other teams’ complaints and linked feedback from a manager, as the drill-down does', async () => {
		const db = fixtureDb();
		const theirs = contact('C1', T0, 'phone', { id: 'their-call', teamId: 't-other' });
		const ours = contact('C1', T0 + 2 * HOUR, 'phone', { id: 'our-call', teamId: 't-mine' });
		writeEvents(
			db,
			[
				step('C1', 'a', T0 - HOUR),
				theirs,
				// Linked to the other team's call, with no team of its own: it inherits that team.
				survey('C1', T0 + HOUR, 'csat', 1, { id: 'their-answer', contactId: 'their-call' }),
				event({
					customerId: 'C1',
					ts: T0 + HOUR + 1,
					id: 'their-complaint',
					type: 'complaint',
					category: 'fees',
					severity: 'high',
					regulator: false,
					channel: 'phone',
					teamId: 't-other'
				}),
				ours,
				survey('C1', T0 + 3 * HOUR, 'csat', 5, { id: 'our-answer', contactId: 'our-call' })
			],
			{ sourceId: null, derive: true }
		);
		const teams = ['t-mine'];
		const timeline = await customerTimeline(db, 'C1', { teams, now: T0 + 4 * HOUR });
		const shown = timeline?.events.filter((e) => e.type !== 'journey').map((e) => `${e.type}:${e.teamId}`);
		expect(shown).toEqual(['contact:t-mine', 'feedback:t-mine']);
		expect(timeline?.hidden).toBe(3);

		const manager = scopeOf({ role: 'manager', teams });
		const drill = (
			await listEvents(
				db,
				{
					customerId: 'C1',
					types: [],
					kpi: null,
					from: null,
					to: null,
					filters: {},
					detractor: false,
					hasText: false,
					cursor: null,
					limit: 100
				} as never,
				manager
			)
		).events.map((e) => `${e.type}:${e.teamId}`);
		expect([...drill].sort()).toEqual([...(shown ?? [])].sort());

		// Everyone else still sees all of it.
		expect((await customerTimeline(db, 'C1', { now: T0 + 4 * HOUR }))?.hidden).toBe(0);
	});
});
