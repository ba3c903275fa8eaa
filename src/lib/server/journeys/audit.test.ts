import { describe, expect, it } from 'vitest';
import { listAudit } from '$lib/server/auth/audit';
import type { Storage } from '$lib/server/db/storage';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import { ensureDefaultJourneys, mapEventName, saveJourney, unmapEventName } from './registry';
import { FIXTURE_JOURNEY } from './testing';

const context = { actor: { id: 'u-admin', email: 'admin@bank.example' }, ip: '10.0.0.7' };

async function entries(storage: Storage) {
	const { rows } = await listAudit(storage, { pageSize: 200 });
	return rows.reverse().map((e) => ({
		action: e.action,
		target: e.target,
		actor: e.actorEmail,
		ip: e.ip,
		details: e.details as Record<string, unknown>
	}));
}

describe.each(testEngines)('journey audit entries on $engine', ({ open }) => {
	const fresh = freshStorage(open);

	it('records who created, changed and mapped a journey, with the changed fields before and after', async () => {
		const db = await fresh();
		await ensureDefaultJourneys(db);
		await saveJourney(db, FIXTURE_JOURNEY, context.actor.email, { create: true, audit: context });
		await saveJourney(db, { ...FIXTURE_JOURNEY, windowHours: 72 }, context.actor.email, {
			create: false,
			audit: context
		});
		await saveJourney(db, { ...FIXTURE_JOURNEY, windowHours: 72 }, context.actor.email, {
			create: false,
			audit: context
		});
		await mapEventName(
			db,
			{ eventName: 'card_frozen', journeyKey: 'fixture', stepEvent: 'b' },
			context.actor.email,
			Date.now(),
			context
		);
		expect(await unmapEventName(db, 'card_frozen', 'fixture', context)).toBe(true);
		expect(await unmapEventName(db, 'card_frozen', 'fixture', context)).toBe(false);
		await saveJourney(db, { ...FIXTURE_JOURNEY, windowHours: 24 }, null);

		const log = await entries(db);
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
