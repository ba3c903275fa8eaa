import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { caseKpis, openCases, sourceOf } from '$lib/server/cases';
import { fixtureDb, contact, step, survey, T0, HOUR, MIN, DAY } from '$lib/server/journeys/testing';
import { closeMirror, onBothEngines, writeWithRollups } from '$lib/server/metrics/testing';
import { newcombe } from '$lib/server/stats';
import { cxQuery, type CxQuery } from '$lib/server/metrics/query';
import { DEFAULT_RATES } from './rates';
import { putValueSettings } from './settings';
import { monthsOf, valueLedger, type Ledger } from './ledger';

/**
 * Hand-computed ledger (both engines, onBothEngines compares them): T0 = 2025-01-06 10:00 China time.
 *
 * Jan 6 (rates A: phone ¥3/min, chat ¥2, video ¥4, IVR session ¥0.3, bot session ¥0.1, retained customer ¥1,200):
 * - reason card: 30 phone chains of 120 s; customer R twice on the phone (240 s each, 1 h apart: the first repeated
 *   within 48 h); 4 bot sessions resolved (contained).
 * - reason balance: one IVR session resolved (contained); one chat of 600 s.
 * - journey `fixture`: customer S does step a in the app, then calls (video, 180 s, reason loan) 10 min later: a
 *   channel switch at step a.
 * - 60 NPS detractors (score 3) open cases; 30 are followed up (18 answer 9 later, 12 answer 2), 30 are not (6 answer
 *   9 later, 24 answer 2).
 * Jan 7 (rates B from 2025-01-07: phone ¥4/min, retained customer ¥1,000): customer Z on the phone, 60 s, reason other.
 */

const day = (s: string) => Date.parse(`${s}T00:00:00+08:00`);
const FROM = day('2025-01-06');
const TO = day('2025-01-08');
const NOW = T0 + 10 * DAY;
const ADMIN = { id: 'admin', email: 'admin@example.com', ip: null };
const ratesA = {
	agentMinute: { phone: 3, chat: 2, video: 4 },
	ivrSession: 0.3,
	botSession: 0.1,
	outboundCall: 5,
	valuePerConversion: 300,
	valuePerRetainedCustomer: 1200
};

const db = fixtureDb();
const events: CxEvent[] = [];
for (let i = 0; i < 30; i++)
	events.push(contact(`C${i}`, T0 + i * MIN, 'phone', { handleS: 120, reason: 'card' }));
for (let i = 0; i < 4; i++)
	events.push(
		contact(`B${i}`, T0 + HOUR + i * MIN, 'bot', { handledBy: 'bot', handleS: 60, reason: 'card' })
	);
events.push(contact('R', T0 + 2 * HOUR, 'phone', { handleS: 240, reason: 'card' }));
events.push(contact('R', T0 + 3 * HOUR, 'phone', { handleS: 240, reason: 'card' }));
events.push(contact('D', T0 + 4 * HOUR, 'ivr', { handledBy: 'ivr', handleS: 90, reason: 'balance' }));
events.push(contact('E', T0 + 5 * HOUR, 'chat', { handleS: 600, reason: 'balance' }));
events.push(step('S', 'a', T0 + 6 * HOUR, 'app'));
events.push(contact('S', T0 + 6 * HOUR + 10 * MIN, 'video', { handleS: 180, reason: 'loan' }));
events.push(contact('Z', T0 + DAY, 'phone', { handleS: 60, reason: 'other' }));
const detractors: CxEvent[] = [];
for (let i = 0; i < 60; i++) detractors.push(survey(`F${i}`, T0 + 7 * HOUR + i * MIN, 'nps', 3));
// Later answers: followed up F0–F29 (18 better), not followed up F30–F59 (6 better).
const later: CxEvent[] = [];
for (let i = 0; i < 60; i++) {
	const better = i < 30 ? i < 18 : i < 36;
	later.push(survey(`F${i}`, T0 + 20 * HOUR + i * MIN, 'nps', better ? 9 : 2));
}

beforeAll(async () => {
	writeWithRollups(db, [...events, ...detractors, ...later], { sourceId: null, receivedAt: NOW });
	await openCases(db, detractors.map(sourceOf), NOW);
	db.$client
		.prepare(
			`UPDATE follow_up_cases SET status = 'contacted', contacted_at = opened_at + 3600000
			 WHERE customer_id IN (${Array.from({ length: 30 }, (_, i) => `'F${i}'`).join(',')})`
		)
		.run();
	await putValueSettings(db, { ...ratesA, effectiveFrom: '2025-01-01' }, ADMIN, NOW);
	await putValueSettings(
		db,
		{
			...ratesA,
			agentMinute: { ...ratesA.agentMinute, phone: 4 },
			valuePerRetainedCustomer: 1000,
			effectiveFrom: '2025-01-07'
		},
		ADMIN,
		NOW
	);
});
afterAll(closeMirror);

const query = (over: Partial<CxQuery> = {}): CxQuery => cxQuery({ from: FROM, to: TO, ...over });
const ledger = (q: CxQuery = query()) => onBothEngines(db, (s) => valueLedger(s, q, NOW));
const channel = (l: Ledger, c: string) => l.costs.byChannel.find((r) => r.channel === c);

describe('value ledger (hand-computed, both engines)', () => {
	let l: Ledger;
	beforeAll(async () => {
		l = await ledger();
	});

	it('prices each channel: agent minutes × rate + self-service sessions × rate, per contact and per resolved chain', () => {
		// Phone: Jan 6 30×120 + 2×240 = 4,080 s = 68 min × ¥3 = ¥204; Jan 7 1 min × ¥4 = ¥4.
		expect(channel(l, 'phone')).toMatchObject({
			contacts: 33,
			agentMinutes: 69,
			selfServiceSessions: 0,
			cost: 208
		});
		expect(channel(l, 'phone')?.costPerContact).toBeCloseTo(208 / 33, 10);
		// Resolved chains: Jan 6 32 × 31/32 = 31, Jan 7 1 → 32; ¥208 / 32.
		expect(channel(l, 'phone')?.resolvedChains).toBe(32);
		expect(channel(l, 'phone')?.costPerResolved).toBeCloseTo(6.5, 10);
		expect(channel(l, 'chat')).toMatchObject({ contacts: 1, agentMinutes: 10, cost: 20, costPerContact: 20 });
		expect(channel(l, 'video')).toMatchObject({ contacts: 1, agentMinutes: 3, cost: 12 });
		expect(channel(l, 'bot')).toMatchObject({
			contacts: 4,
			selfServiceSessions: 4,
			agentMinutes: 0,
			cost: 0.4
		});
		expect(channel(l, 'ivr')).toMatchObject({ contacts: 1, selfServiceSessions: 1, cost: 0.3 });
		expect(l.costs.outbound.value).toBe(0);
		expect(l.costs.total.value).toBeCloseTo(240.7, 10);
		expect(l.costs.total.formula).toMatch(/agent minutes/);
	});

	it('counts self-service savings per reason above the minimum n of assisted chains', () => {
		// Jan 6 blended agent minute: (204 + 20 + 12) / (68 + 10 + 3) = 236/81; a session: (0.4 + 0.3) / 5 = 0.14.
		// card: 36 chains, 4 contained, 32 assisted; 68 min × 236/81 / 32 per chain; savings 4 × (that − 0.14).
		const perChain = (68 * 236) / 81 / 32;
		const card = l.savings.byReason.find((r) => r.reason === 'card');
		expect(card).toMatchObject({ contained: 4, assistedChains: 32 });
		expect(card?.agentCostPerChain).toBeCloseTo(perChain, 10);
		expect(card?.savings).toBeCloseTo(4 * (perChain - 0.14), 2);
		// balance: 1 contained, 1 assisted (< 30): not estimable.
		expect(l.savings.byReason.find((r) => r.reason === 'balance')).toMatchObject({
			contained: 1,
			savings: null
		});
		expect(l.savings.value).toBeCloseTo(4 * (perChain - 0.14), 2);
		expect(l.savings.pending).toBe(0);
	});

	it('counts failure demand: repeat chains at their cost per chain, switches at breakpoints by journey and step', () => {
		// Phone repeat: 1 chain × ¥204/32 on Jan 6.
		expect(l.failureDemand.repeats.byChannel).toEqual([
			{ channel: 'phone', repeatChains: 1, costPerChain: 208 / 33, cost: 6.38 }
		]);
		// One switch at step a (app → video) × a video contact's agent cost (3 min × ¥4).
		expect(l.failureDemand.switches.byStep).toEqual([
			expect.objectContaining({
				journey: 'fixture',
				step: 'a',
				fromChannel: 'app',
				toChannel: 'video',
				switches: 1,
				costPerContact: 12,
				cost: 12,
				breakpoint: 'switch:a@app>video'
			})
		]);
		expect(l.failureDemand.value).toBeCloseTo(18.38, 2);
	});

	it('values recovered detractors beyond the not-followed-up baseline, with the interval carried through', () => {
		const r = l.valueCreated.recovered;
		expect(r.followed).toMatchObject({ n: 30, recovered: 18 });
		expect(r.baseline).toMatchObject({ n: 30, recovered: 6 });
		// 30 × (18/30 − 6/30) = 12 customers × ¥1,200 (the cases opened on Jan 6, rates A).
		expect(r.recoveredBeyond).toBeCloseTo(12, 10);
		expect(r.value).toBeCloseTo(14_400, 6);
		const ci = newcombe(18, 30, 6, 30) as [number, number];
		expect(r.ci95?.[0]).toBeCloseTo(ci[0] * 30 * 1200, 1);
		expect(r.ci95?.[1]).toBeCloseTo(ci[1] * 30 * 1200, 1);
		expect(l.valueCreated.value).toBeCloseTo(14_400, 6);
		expect(l.valueCreated.outreach.audiences).toEqual([]);
	});

	it('counts recoveries as the follow-up KPIs do (/cases and /value show the same counts)', async () => {
		const kpis = await caseKpis(db, query(), NOW);
		const r = l.valueCreated.recovered;
		expect(r.followed).toMatchObject({
			n: kpis.recovery.followedUp.n,
			recovered: kpis.recovery.followedUp.x
		});
		expect(r.baseline).toMatchObject({
			n: kpis.recovery.notFollowedUp.n,
			recovered: kpis.recovery.notFollowedUp.x
		});
	});

	it('adds up to the net value in the waterfall', () => {
		const savings = 4 * ((68 * 236) / 81 / 32 - 0.14);
		expect(l.net.value).toBeCloseTo(-240.7 + savings + 14_400, 2);
		expect(l.waterfall.map((w) => w.key)).toEqual([
			'cost',
			'failureDemand',
			'savings',
			'outreach',
			'recovered',
			'net'
		]);
		const last = l.waterfall[l.waterfall.length - 2];
		expect(last.end).toBeCloseTo(l.net.value as number, 1);
		expect(l.trend).toHaveLength(1);
		expect(l.trend[0]).toMatchObject({ month: '2025-01', cost: l.costs.total.value, net: l.net.value });
	});

	it('prices each month by the rates in force then: a later change does not rewrite it', async () => {
		expect(l.inputs.rates.map((p) => p.effectiveFrom)).toEqual(['2025-01-01', '2025-01-07']);
		const jan6 = await ledger(query({ to: day('2025-01-07') }));
		expect(channel(jan6, 'phone')?.cost).toBe(204);
		const jan7 = await ledger(query({ from: day('2025-01-07') }));
		expect(channel(jan7, 'phone')?.cost).toBe(4);
		// Before any version: the defaults.
		const before = await ledger(query({ from: day('2024-12-01'), to: day('2024-12-02') }));
		expect(before.inputs.rates[0].rates).toEqual(DEFAULT_RATES);
	});

	it('scopes a manager to their teams (no contacts of theirs here) and leaves switches out', async () => {
		const scoped = await ledger(query({ scope: { teams: ['t9'] } }));
		expect(scoped.costs.byChannel).toEqual([]);
		expect(scoped.failureDemand.switches).toMatchObject({ available: false, value: null });
		expect(scoped.valueCreated.recovered.followed.n).toBe(0);
	});
});

describe('months of a range', () => {
	it('cuts at China month starts', () => {
		expect(monthsOf(day('2025-01-20'), day('2025-03-05')).map((m) => [m.month, m.from, m.to])).toEqual([
			['2025-01', day('2025-01-20'), day('2025-02-01')],
			['2025-02', day('2025-02-01'), day('2025-03-01')],
			['2025-03', day('2025-03-01'), day('2025-03-05')]
		]);
	});
});
