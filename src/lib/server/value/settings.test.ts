import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '$lib/server/auth/audit';
import type { Storage } from '$lib/server/db/storage';
import { testEngines } from '$lib/server/testing/postgres';
import { DEFAULT_RATES, parseSettings, ValueSettingsError } from './rates';
import { getValueSettings, putValueSettings, ratePeriods, rateVersions, versionAt } from './settings';

const day = (s: string) => Date.parse(`${s}T00:00:00+08:00`);
const ACTOR = { id: 'admin', email: 'admin@example.com', ip: '10.0.0.1' };
const body = (over: Record<string, unknown> = {}) => ({
	agentMinute: { phone: 3.5, chat: 2 },
	ivrSession: 0.4,
	botSession: 0.1,
	outboundCall: 6,
	valuePerConversion: 250,
	valuePerRetainedCustomer: 1000,
	...over
});

describe('value settings body', () => {
	it('names the field at fault', () => {
		const fieldOf = (b: unknown) => {
			try {
				parseSettings(b);
				return null;
			} catch (error) {
				return error instanceof ValueSettingsError ? error.field : 'other';
			}
		};
		expect(fieldOf(body({ ivrSession: -1 }))).toBe('ivrSession');
		expect(fieldOf(body({ agentMinute: { phone: 'x' } }))).toBe('agentMinute.phone');
		expect(fieldOf(body({ agentMinute: { fax: 1 } }))).toBe('agentMinute.fax');
		expect(fieldOf(body({ effectiveFrom: '2026-13-45' }))).toBe('effectiveFrom');
		expect(fieldOf(body({ extra: 1 }))).toBe('extra');
		const { valuePerConversion: _v, ...missing } = body();
		expect(fieldOf(missing)).toBe('valuePerConversion');
		expect(fieldOf(body())).toBeNull();
	});

	it('fills channels left out from the defaults', () => {
		const { rates } = parseSettings(body());
		expect(rates.agentMinute).toMatchObject({ phone: 3.5, chat: 2, video: DEFAULT_RATES.agentMinute.video });
	});
});

describe('rate periods', () => {
	it('cuts a range where a version takes effect and prices each piece by its version', () => {
		const versions = [
			{ effectiveFrom: null, fromMs: -Infinity, rates: DEFAULT_RATES, updatedAt: null, updatedBy: null },
			{
				effectiveFrom: '2026-02-01',
				fromMs: day('2026-02-01'),
				rates: DEFAULT_RATES,
				updatedAt: null,
				updatedBy: null
			},
			{
				effectiveFrom: '2026-03-01',
				fromMs: day('2026-03-01'),
				rates: DEFAULT_RATES,
				updatedAt: null,
				updatedBy: null
			}
		];
		const pieces = ratePeriods(versions, day('2026-01-15'), day('2026-03-10'));
		expect(pieces.map((p) => [p.from, p.to, p.version.effectiveFrom])).toEqual([
			[day('2026-01-15'), day('2026-02-01'), null],
			[day('2026-02-01'), day('2026-03-01'), '2026-02-01'],
			[day('2026-03-01'), day('2026-03-10'), '2026-03-01']
		]);
		expect(versionAt(versions, day('2026-02-01') - 1).effectiveFrom).toBeNull();
	});
});

describe.each(testEngines)('value settings on $engine', ({ open }) => {
	let s: Storage;
	let close: () => Promise<void>;
	beforeEach(async () => ({ storage: s, close } = await open()));
	afterEach(async () => close());

	it('answers the defaults before any version', async () => {
		const got = await getValueSettings(s, day('2026-01-01'));
		expect(got.current.effectiveFrom).toBeNull();
		expect(got.current.rates).toEqual(DEFAULT_RATES);
		expect(got.history).toEqual([]);
	});

	it('keeps versions by effective day: a change applies from its day, past months keep their rates', async () => {
		const now = day('2026-03-15') + 3_600_000;
		await putValueSettings(s, body({ effectiveFrom: '2026-02-01' }), ACTOR, now);
		// Today (China time) when no day is given.
		await putValueSettings(s, body({ ivrSession: 0.5 }), ACTOR, now);
		const got = await getValueSettings(s, now);
		expect(got.history.map((v) => v.effectiveFrom)).toEqual(['2026-03-15', '2026-02-01']);
		expect(got.current.rates.ivrSession).toBe(0.5);
		const versions = await rateVersions(s);
		expect(versionAt(versions, day('2026-01-31')).rates.ivrSession).toBe(DEFAULT_RATES.ivrSession);
		expect(versionAt(versions, day('2026-02-20')).rates.ivrSession).toBe(0.4);
		expect(versionAt(versions, day('2026-03-15')).rates.ivrSession).toBe(0.5);
		// The same day again replaces that day's version, not the others.
		await putValueSettings(s, body({ effectiveFrom: '2026-02-01', ivrSession: 0.35 }), ACTOR, now + 1);
		const after = await rateVersions(s);
		expect(after).toHaveLength(3);
		expect(versionAt(after, day('2026-02-20')).rates.ivrSession).toBe(0.35);
		expect(versionAt(after, day('2026-03-20')).rates.ivrSession).toBe(0.5);
	});

	it('audits each change with what it replaced', async () => {
		const now = day('2026-03-15');
		await putValueSettings(s, body({ effectiveFrom: '2026-03-01' }), ACTOR, now);
		const rows = (await listAudit(s, { action: 'settings.changed' })).rows;
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ target: 'value_settings', actorEmail: ACTOR.email, ip: ACTOR.ip });
		const details = rows[0].details as {
			effectiveFrom: string;
			before: { ivrSession: number };
			after: { ivrSession: number };
		};
		expect(details.effectiveFrom).toBe('2026-03-01');
		expect(details.before.ivrSession).toBe(DEFAULT_RATES.ivrSession);
		expect(details.after.ivrSession).toBe(0.4);
	});

	it('stores nothing when the body is refused', async () => {
		await expect(putValueSettings(s, body({ botSession: 'cheap' }), ACTOR)).rejects.toThrow(
			ValueSettingsError
		);
		expect((await getValueSettings(s)).history).toEqual([]);
		expect((await listAudit(s, { action: 'settings.changed' })).rows).toHaveLength(0);
	});
});
