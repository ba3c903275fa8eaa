import { describe, expect, it } from 'vitest';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import {
	compileJourney,
	DEFAULT_JOURNEYS,
	definitionForm,
	journeyDefinitionSchema,
	parseEndConditions,
	parseLabelLines,
	parseStepLines
} from './definitions';
import {
	ensureDefaultJourneys,
	eventNameVolumes,
	getJourney,
	JourneyValidationError,
	listJourneys,
	listMappings,
	loadJourneyCatalog,
	mapEventName,
	saveJourney,
	unmapEventName
} from './registry';
import { FIXTURE_JOURNEY, T0 } from './testing';

describe.each(testEngines)('the journey registry on $engine', ({ open }) => {
	const fresh = freshStorage(open);

	it('preloads the eight journeys of DOMAIN.md once, keeping an admin’s edits', async () => {
		const db = await fresh();
		expect((await listJourneys(db)).map((r) => r.definition.key)).toEqual(DEFAULT_JOURNEYS.map((d) => d.key));
		const loan = (await getJourney(db, 'personal_loan'))!;
		expect(loan).toMatchObject({ builtIn: true, version: 1, updatedBy: null });
		expect(loan.definition.steps[4]).toEqual({ events: ['approved', 'declined'] });
		await saveJourney(db, { ...loan.definition, windowHours: 48 }, 'admin@x', { now: T0 });
		expect(await ensureDefaultJourneys(db, T0)).toBe(0);
		expect(await getJourney(db, 'personal_loan')).toMatchObject({
			version: 2,
			builtIn: true,
			updatedBy: 'admin@x',
			updatedAt: T0,
			definition: { windowHours: 48 }
		});
	});

	it('creates, disables and lists journeys, built-in first', async () => {
		const db = await fresh();
		const created = await saveJourney(db, FIXTURE_JOURNEY, 'admin@x', { create: true, now: T0 });
		expect(created).toMatchObject({ builtIn: false, version: 1, updatedAt: T0, updatedBy: 'admin@x' });
		await saveJourney(db, { ...FIXTURE_JOURNEY, key: 'second', enabled: false }, null, { create: true });
		expect((await listJourneys(db)).map((r) => r.definition.key)).toEqual([
			...DEFAULT_JOURNEYS.map((d) => d.key),
			'fixture'
		]);
		const all = await listJourneys(db, { includeDisabled: true });
		expect(all.slice(-2).map((r) => [r.definition.key, r.definition.enabled])).toEqual([
			['fixture', true],
			['second', false]
		]);
		const updated = await saveJourney(db, { ...FIXTURE_JOURNEY, windowHours: 12 }, 'b@x', { create: false });
		expect(updated).toMatchObject({ version: 2, updatedBy: 'b@x', definition: { windowHours: 12 } });
		await expect(
			saveJourney(db, { ...FIXTURE_JOURNEY, key: 'absent' }, null, { create: false })
		).rejects.toThrow(JourneyValidationError);
		expect(await getJourney(db, 'absent')).toBeNull();
	});

	it('maps event names to steps and lists what they stand for', async () => {
		const db = await fresh();
		await saveJourney(db, FIXTURE_JOURNEY, null);
		await mapEventName(db, { eventName: 'B_DONE', journeyKey: 'fixture', stepEvent: 'b' }, 'admin@x', T0);
		await mapEventName(db, { eventName: 'A_START', journeyKey: 'fixture', stepEvent: 'a' }, null, T0);
		// A second mapping of the same name replaces the first.
		await mapEventName(db, { eventName: 'B_DONE', journeyKey: 'fixture', stepEvent: 'd' }, 'c@x', T0 + 1);
		expect(await listMappings(db)).toEqual([
			{ eventName: 'A_START', journeyKey: 'fixture', stepEvent: 'a', createdAt: T0, createdBy: null },
			{ eventName: 'B_DONE', journeyKey: 'fixture', stepEvent: 'd', createdAt: T0 + 1, createdBy: 'c@x' }
		]);
		const catalog = await loadJourneyCatalog(db);
		expect(catalog.byKey.get('fixture')?.byName.get('B_DONE')).toMatchObject({ step: 3, canonical: 'd' });
		for (const bad of [
			{ eventName: 'x', journeyKey: 'nope', stepEvent: 'a' },
			{ eventName: 'x', journeyKey: 'fixture', stepEvent: 'zz' },
			{ eventName: 'a', journeyKey: 'fixture', stepEvent: 'b' }
		])
			await expect(mapEventName(db, bad, null)).rejects.toThrow(JourneyValidationError);
		expect(await unmapEventName(db, 'B_DONE', 'fixture')).toBe(true);
		expect(await unmapEventName(db, 'B_DONE', 'fixture')).toBe(false);
		expect((await listMappings(db)).map((m) => m.eventName)).toEqual(['A_START']);
		expect((await loadJourneyCatalog(db)).byName.has('B_DONE')).toBe(false);
		expect(await eventNameVolumes(db)).toEqual([]);
	});

	it('validates definitions and names the field at fault', async () => {
		const db = await fresh();
		const bad = {
			key: 'Bad Key',
			name: { zh: '甲', en: 'A' },
			steps: [{ events: ['a'] }],
			success: [{ event: 'z' }],
			windowHours: 1
		};
		try {
			await saveJourney(db, bad, null);
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(JourneyValidationError);
			const paths = (error as JourneyValidationError).issues.map((i) => i.path);
			expect(paths).toEqual(expect.arrayContaining(['key', 'steps', 'success.0.event']));
		}
		await expect(saveJourney(db, { ...DEFAULT_JOURNEYS[0] }, null, { create: true })).rejects.toThrow(
			JourneyValidationError
		);
		expect(journeyDefinitionSchema.safeParse({ ...DEFAULT_JOURNEYS[0], key: 'admin' }).success).toBe(false);
		expect(
			journeyDefinitionSchema.safeParse({
				...DEFAULT_JOURNEYS[0],
				steps: [{ events: ['a|b'] }, { events: ['c'] }]
			}).success
		).toBe(false);
	});
});

describe('journey definitions', () => {
	it('reads and writes the admin text form', () => {
		expect(parseStepLines('a\n b | c \n?x|y\n\n')).toEqual([
			{ events: ['a'] },
			{ events: ['b', 'c'] },
			{ events: ['x', 'y'], optional: true }
		]);
		expect(parseEndConditions('done, credit_decided[decision=declined]')).toEqual([
			{ event: 'done' },
			{ event: 'credit_decided', property: { key: 'decision', value: 'declined' } }
		]);
		expect(parseLabelLines('a = 开始 / Start\nbroken line')).toEqual({ a: { zh: '开始', en: 'Start' } });
		for (const d of DEFAULT_JOURNEYS) {
			const f = definitionForm(d);
			expect(parseStepLines(f.steps)).toEqual(d.steps);
			expect(parseEndConditions(f.success)).toEqual(d.success);
			expect(parseEndConditions(f.failure)).toEqual(d.failure);
			expect(parseLabelLines(f.labels)).toEqual(d.labels);
		}
	});

	it('compiles mappings and property ends for the hot path', () => {
		const card = compileJourney(DEFAULT_JOURNEYS[0], [
			{ eventName: 'CardActivated', stepEvent: 'card_activated' }
		]);
		expect(card.byName.get('CardActivated')).toEqual({ step: 5, alt: 0, canonical: 'card_activated' });
		expect(card.endOf('credit_decided', () => ({ decision: 'declined' }))).toBe(-1);
		expect(card.endOf('credit_decided', () => ({ decision: 'approved' }))).toBe(0);
		expect(card.endOf('first_txn', () => ({}))).toBe(1);
	});
});
