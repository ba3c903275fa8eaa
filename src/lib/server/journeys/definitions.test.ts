import { describe, expect, it } from 'vitest';
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
	getJourney,
	JourneyValidationError,
	listJourneys,
	saveJourney
} from './registry';
import { fixtureDb, T0 } from './testing';

describe('journey definitions', () => {
	it('preloads the eight journeys of DOMAIN.md once, keeping an admin’s edits', () => {
		const db = fixtureDb([]);
		expect(listJourneys(db).map((r) => r.definition.key)).toEqual(DEFAULT_JOURNEYS.map((d) => d.key));
		const loan = getJourney(db, 'personal_loan')!;
		expect(loan.definition.steps[4]).toEqual({ events: ['approved', 'declined'] });
		saveJourney(db, { ...loan.definition, windowHours: 48 }, 'admin@x');
		expect(ensureDefaultJourneys(db, T0)).toBe(0);
		expect(getJourney(db, 'personal_loan')).toMatchObject({
			version: 2,
			updatedBy: 'admin@x',
			definition: { windowHours: 48 }
		});
	});

	it('validates definitions and names the field at fault', () => {
		const db = fixtureDb([]);
		const bad = {
			key: 'Bad Key',
			name: { zh: '甲', en: 'A' },
			steps: [{ events: ['a'] }],
			success: [{ event: 'z' }],
			windowHours: 1
		};
		try {
			saveJourney(db, bad, null);
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(JourneyValidationError);
			const paths = (error as JourneyValidationError).issues.map((i) => i.path);
			expect(paths).toEqual(expect.arrayContaining(['key', 'steps', 'success.0.event']));
		}
		expect(() => saveJourney(db, { ...DEFAULT_JOURNEYS[0] }, null, { create: true })).toThrow(
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
