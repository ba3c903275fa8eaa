import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { ensureDefaultJourneys, mapEventName, saveJourney, unmapEventName } from './registry';
import { FIXTURE_JOURNEY } from './testing';

const context = { actor: { id: 'u-admin', email: 'admin@bank.example' }, ip: '10.0.0.7' };

function entries(db: ReturnType<typeof openDatabase>) {
	return (
		db.$client
			.prepare('SELECT action, target, actor_email AS actor, ip, details FROM audit_log ORDER BY id')
			.all() as { action: string; target: string; actor: string; ip: string; details: string }[]
	).map((e) => ({ ...e, details: JSON.parse(e.details) as Record<string, unknown> }));
}

describe('journey audit entries', () => {
	it('records who created, changed and mapped a journey, with the changed fields before and after', () => {
		const db = openDatabase(':memory:');
		ensureDefaultJourneys(db);
		saveJourney(db, FIXTURE_JOURNEY, context.actor.email, { create: true, audit: context });
		saveJourney(db, { ...FIXTURE_JOURNEY, windowHours: 72 }, context.actor.email, {
			create: false,
			audit: context
		});
		// Saving it unchanged writes nothing.
		saveJourney(db, { ...FIXTURE_JOURNEY, windowHours: 72 }, context.actor.email, {
			create: false,
			audit: context
		});
		mapEventName(
			db,
			{ eventName: 'card_frozen', journeyKey: 'fixture', stepEvent: 'b' },
			context.actor.email,
			Date.now(),
			context
		);
		expect(unmapEventName(db, 'card_frozen', 'fixture', context)).toBe(true);
		expect(unmapEventName(db, 'card_frozen', 'fixture', context)).toBe(false);
		// Without a context (the seed, tests) nothing is written.
		saveJourney(db, { ...FIXTURE_JOURNEY, windowHours: 24 }, null);

		const log = entries(db);
		expect(log.map((e) => e.action)).toEqual([
			'journey.created',
			'journey.updated',
			'journey.mapping_added',
			'journey.mapping_removed'
		]);
		expect(
			log.every((e) => e.target === 'fixture' && e.actor === 'admin@bank.example' && e.ip === '10.0.0.7')
		).toBe(true);
		expect(log[1].details).toMatchObject({
			version: 2,
			changes: { windowHours: { from: FIXTURE_JOURNEY.windowHours ?? expect.anything(), to: 72 } }
		});
		expect(Object.keys(log[1].details.changes as object)).toEqual(['windowHours']);
		expect(log[2].details).toMatchObject({ eventName: 'card_frozen', stepEvent: 'b' });
	});
});
