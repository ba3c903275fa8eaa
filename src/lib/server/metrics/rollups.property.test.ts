import { describe, expect, it } from 'vitest';
import type { Channel, CxEvent, FeedbackMetric, Handler, Outcome, Segment } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { scoreSentiment } from '$lib/server/text';
import { kpiMeasures, kpis } from './kpis';
import { emptyMeasures, type Dimension, type Measures } from './measures';
import type { CxQuery } from './query';
import { KPIS, REGISTRY, evaluate, type KpiKey } from './registry';
import { applySentimentScores, CELL_KEY_SQL, rebuildRollups } from './rollups';
import { bucketOf, type Grain } from './time';
import { writeWithRollups } from './testing';

/**
 * Property test: for random data arriving in random order and batches, every query answered from rollups equals a
 * slow reference computed here from the raw events alone — flags, links and measures re-derived from the
 * definitions with plain loops (sharing no code with measures.ts or flags.ts), then the same registry formulas.
 */

const T0 = Date.parse('2025-03-03T00:00:00+08:00');
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function rng(seed: number) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
	const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
	const maybe = <T>(p: number, v: () => T): T | undefined => (next() < p ? v() : undefined);
	return { next, int, pick, maybe };
}

interface Generated {
	events: CxEvent[];
	batches: CxEvent[][];
	sentiment: Map<string, number>;
}

function generate(seed: number, count: number): Generated {
	const r = rng(seed);
	const customers = Array.from({ length: 25 }, (_, i) => `c${i}`);
	const teams = ['t1', 't2', 't3'];
	const events: CxEvent[] = [];
	const contactsOf = new Map<string, string[]>();
	const lastTs = new Map<string, number>();
	for (let i = 0; i < count; i++) {
		const customerId = r.pick(customers);
		// Minute resolution over 12 days, so equal timestamps happen.
		let ts = T0 - 2 * DAY + r.int(0, 12 * 24 * 60) * MIN + (r.next() < 0.1 ? r.int(1, 59_999) : 0);
		const u = r.next();
		// Boundaries: exactly 0, 48 h or 7 days after (or 1 ms more) the customer's last event.
		const last = lastTs.get(customerId);
		if (last !== undefined && r.next() < 0.25)
			ts = last + r.pick([0, 48 * HOUR, 48 * HOUR + 1, 7 * DAY, 7 * DAY + 1]);
		lastTs.set(customerId, ts);
		const id = `s${seed}-e${i}`;
		const team = r.pick(teams);
		if (u < 0.5) {
			const handledBy = r.pick<Handler | undefined>(['agent', 'agent', 'bot', 'ivr', undefined]);
			events.push({
				id,
				type: 'contact',
				ts,
				customerId,
				channel: r.pick<Channel>(['phone', 'ivr', 'chat', 'bot', 'app']),
				handledBy,
				outcome: r.pick<Outcome>(['resolved', 'resolved', 'unresolved', 'transferred', 'abandoned']),
				waitS: r.maybe(0.9, () => r.pick([0, 3, 4, 5, 6, 19, 20, 21, 45, 120])),
				handleS: r.maybe(0.85, () => r.int(30, 900)),
				reason: r.maybe(0.85, () => r.pick(['card', 'loan', 'fraud', 'pwd'])),
				teamId: handledBy === 'agent' ? team : undefined,
				agentId: handledBy === 'agent' ? `${team}-a${r.int(1, 4)}` : undefined,
				journey: r.maybe(0.4, () => r.pick(['j1', 'j2'])),
				properties: {}
			});
			contactsOf.set(customerId, [...(contactsOf.get(customerId) ?? []), id]);
		} else if (u < 0.8) {
			const metric = r.pick<FeedbackMetric>(['nps', 'csat', 'ces']);
			const [lo, hi] = metric === 'nps' ? [0, 10] : metric === 'csat' ? [1, 5] : [1, 7];
			const own = contactsOf.get(customerId) ?? [];
			events.push({
				id,
				type: 'feedback',
				ts,
				customerId,
				metric,
				score: r.int(lo, hi),
				channel: r.pick<Channel>(['phone', 'app', 'wechat']),
				contactId: r.maybe(0.6, () =>
					own.length && r.next() < 0.8 ? r.pick(own) : `s${seed}-e${r.int(0, count)}`
				),
				teamId: r.maybe(0.3, () => r.pick(teams)),
				reason: r.maybe(0.2, () => r.pick(['card', 'loan'])),
				// Texts are scored by the writer as they arrive (and some re-scored later, below).
				text: r.maybe(0.3, () => r.pick(['服务很好，非常满意', '排队太久了，很失望', '还行'])),
				properties: {}
			});
		} else if (u < 0.88) {
			events.push({
				id,
				type: 'complaint',
				ts,
				customerId,
				category: 'fee',
				channel: r.pick<Channel>(['phone', 'branch']),
				regulator: r.next() < 0.3,
				teamId: r.maybe(0.5, () => r.pick(teams)),
				properties: {}
			});
		} else if (u < 0.95) {
			events.push({
				id,
				type: 'identify',
				ts,
				customerId,
				traits: {
					segment: r.maybe(0.8, () => r.pick<Segment>(['mass', 'affluent', 'private'])),
					region: r.maybe(0.8, () => r.pick(['gd', 'js', 'sh']))
				},
				properties: {}
			});
		} else {
			events.push({
				id,
				type: 'journey',
				ts,
				customerId,
				name: 'card_app_started',
				channel: 'app',
				properties: {}
			});
		}
	}
	// Arrival: mostly by time, with events delayed by up to days and random swaps, in batches of 1–60.
	const arrival = events
		.map((e) => ({
			e,
			key: e.ts + (r.next() < 0.2 ? r.int(0, 4 * DAY) : 0) - (r.next() < 0.05 ? 3 * DAY : 0)
		}))
		.sort((a, b) => a.key - b.key)
		.map((x) => x.e);
	for (let i = 0; i < arrival.length / 10; i++) {
		const a = r.int(0, arrival.length - 1);
		const b = r.int(0, arrival.length - 1);
		[arrival[a], arrival[b]] = [arrival[b], arrival[a]];
	}
	// A few retries of already sent events (duplicates).
	for (let i = 0; i < 10; i++) arrival.splice(r.int(0, arrival.length), 0, r.pick(events));
	const batches: CxEvent[][] = [];
	for (let i = 0; i < arrival.length;) {
		const size = r.int(1, 60);
		batches.push(arrival.slice(i, i + size));
		i += size;
	}
	const sentiment = new Map<string, number>();
	for (const e of events)
		if (e.type !== 'journey' && e.type !== 'identify' && r.next() < 0.3)
			sentiment.set(e.id, r.pick([-0.8, -0.25, -0.2, 0, 0.2, 0.25, 0.3, 0.9]));
	return { events, batches, sentiment };
}

// ---------------------------------------------------------------------------------------------------------------
// The reference: from the events as they were sent, in arrival order, with nothing but the definitions.

interface Stored {
	e: CxEvent;
	seq: number;
	segment: string | null;
	region: string | null;
	sentiment: number | null;
}

function stored(g: Generated): Stored[] {
	const seen = new Set<string>();
	const traits = new Map<string, { segment: string | null; region: string | null }>();
	const rows: Stored[] = [];
	for (const batch of g.batches)
		for (const e of batch) {
			if (seen.has(e.id)) continue;
			seen.add(e.id);
			const t = traits.get(e.customerId) ?? { segment: null, region: null };
			if (e.type === 'identify')
				traits.set(e.customerId, {
					segment: e.traits?.segment ?? t.segment,
					region: e.traits?.region ?? t.region
				});
			const now = traits.get(e.customerId) ?? t;
			rows.push({
				e,
				seq: rows.length + 1,
				segment: now.segment,
				region: now.region,
				sentiment: g.sentiment.get(e.id) ?? (e.text ? scoreSentiment(e.text) : null)
			});
		}
	return rows;
}

const agentRequest = (e: CxEvent) =>
	e.handledBy === 'agent' || (e.handledBy === undefined && e.outcome === 'abandoned');
const shortAbandon = (e: CxEvent) => agentRequest(e) && e.outcome === 'abandoned' && (e.waitS ?? 0) < 5;
const counted = (s: Stored) => s.e.type === 'contact' && !shortAbandon(s.e);
const after = (a: Stored, b: Stored) => a.e.ts > b.e.ts || (a.e.ts === b.e.ts && a.seq > b.seq);

function referenceFacts(rows: Stored[]) {
	const byCustomer = new Map<string, Stored[]>();
	for (const s of rows) byCustomer.set(s.e.customerId, [...(byCustomer.get(s.e.customerId) ?? []), s]);
	const facts = rows.map((s) => {
		const mine = byCustomer.get(s.e.customerId) ?? [];
		const others = mine.filter((c) => counted(c) && c !== s);
		let repeat48 = false;
		let first = false;
		let resolved = false;
		if (counted(s)) {
			repeat48 = others.some((c) => after(c, s) && c.e.ts - s.e.ts <= 48 * HOUR);
			if (s.e.reason !== undefined) {
				const same = others.filter((c) => c.e.reason === s.e.reason);
				first = !same.some((c) => after(s, c) && s.e.ts - c.e.ts <= 7 * DAY);
				resolved = first && !same.some((c) => after(c, s) && c.e.ts - s.e.ts <= 7 * DAY);
			}
		}
		let linked: Stored | null = null;
		if (s.e.type === 'feedback' && s.e.contactId)
			for (const c of mine)
				if (
					c.e.type === 'contact' &&
					c.e.id === s.e.contactId &&
					Math.abs(c.e.ts - s.e.ts) <= 7 * DAY &&
					(!linked || c.seq < linked.seq)
				)
					linked = c;
		const dims: Record<Dimension, string | null> = {
			channel: s.e.channel ?? null,
			team: s.e.teamId ?? linked?.e.teamId ?? null,
			agent: s.e.agentId ?? linked?.e.agentId ?? null,
			segment: s.segment,
			journey: s.e.journey ?? linked?.e.journey ?? null,
			region: s.region,
			reason: s.e.reason ?? linked?.e.reason ?? null
		};
		return { s, repeat48, first, resolved, dims };
	});
	return facts;
}

type Fact = ReturnType<typeof referenceFacts>[number];

function referenceMeasures(facts: Fact[]): Measures {
	const m = emptyMeasures();
	for (const { s, repeat48, first, resolved } of facts) {
		const e = s.e;
		if (e.type === 'contact') {
			if (agentRequest(e)) m.agentRequests++;
			if (shortAbandon(e)) m.shortAbandons++;
			else {
				m.contacts++;
				if (agentRequest(e)) m.offered++;
				if (agentRequest(e) && e.outcome === 'abandoned') m.abandoned++;
				if (e.handledBy === 'agent' && e.outcome !== 'abandoned') {
					const w = e.waitS ?? 0;
					m.answered++;
					if (w <= 20) m.answered20s++;
					m.waitSum += w;
					m.waitSumsq += w * w;
					if (e.handleS !== undefined) {
						m.handleN++;
						m.handleSum += e.handleS;
						m.handleSumsq += e.handleS * e.handleS;
					}
					if (e.outcome === 'transferred') m.transferred++;
				}
				if (first) m.firstContacts++;
				if (resolved) m.firstResolved++;
				if (repeat48) m.repeated48h++;
				if ((e.handledBy === 'bot' || e.handledBy === 'ivr') && e.outcome === 'resolved' && !repeat48)
					m.contained++;
			}
		}
		if (e.type === 'feedback' && e.score !== undefined) {
			const x = e.score;
			if (e.metric === 'nps') {
				m.npsN++;
				if (x >= 9) m.npsPromoters++;
				if (x <= 6) m.npsDetractors++;
			}
			if (e.metric === 'csat') {
				m.csatN++;
				if (x >= 4) m.csatTop2++;
				m.csatSum += x;
				m.csatSumsq += x * x;
			}
			if (e.metric === 'ces') {
				m.cesN++;
				if (x >= 5) m.cesTop3++;
				m.cesSum += x;
				m.cesSumsq += x * x;
			}
		}
		if (e.type === 'complaint') {
			m.complaints++;
			if (e.regulator) m.regulatorComplaints++;
		}
		if (s.sentiment !== null && (e.type === 'contact' || e.type === 'feedback' || e.type === 'complaint')) {
			m.textsScored++;
			if (s.sentiment > 0.25) m.textsPositive++;
			if (s.sentiment < -0.25) m.textsNegative++;
		}
	}
	return m;
}

function referenceRows(facts: Fact[], q: CxQuery) {
	const group = q.by !== null && !['hour', 'day', 'week'].includes(q.by) ? (q.by as Dimension) : null;
	const grain = (['hour', 'day', 'week'].includes(q.by ?? '') ? q.by : q.grain) as Grain | null;
	const teams = q.scope.teams;
	const kept = facts.filter((f) => {
		if (f.s.e.ts < q.from || f.s.e.ts >= q.to) return false;
		for (const [d, values] of Object.entries(q.filters) as [Dimension, string[]][]) {
			const v = f.dims[d];
			if (v === null || !values.includes(v)) return false;
		}
		if (teams !== null && (f.dims.team === null || !teams.includes(f.dims.team))) return false;
		return ['contact', 'feedback', 'complaint'].includes(f.s.e.type);
	});
	const keys = new Map<string, Fact[]>();
	for (const f of kept) {
		const g = group ? f.dims[group] : null;
		if (group && g === null) continue;
		const b = grain ? bucketOf(f.s.e.ts, grain) : null;
		const key = JSON.stringify([g, b]);
		keys.set(key, [...(keys.get(key) ?? []), f]);
	}
	return [...keys]
		.map(([key, fs]) => {
			const [g, b] = JSON.parse(key) as [string | null, number | null];
			return { group: g, bucket: b, measures: referenceMeasures(fs) };
		})
		.sort((a, b) =>
			(a.group ?? '') < (b.group ?? '')
				? -1
				: (a.group ?? '') > (b.group ?? '')
					? 1
					: (a.bucket ?? 0) - (b.bucket ?? 0)
		);
}

// ---------------------------------------------------------------------------------------------------------------

function load(g: Generated): Db {
	const db = openDatabase(':memory:');
	for (const batch of g.batches) writeWithRollups(db, batch, { sourceId: 1 });
	const seqOf = new Map(
		(db.$client.prepare('SELECT id, seq FROM events').all() as { id: string; seq: number }[]).map((r) => [
			r.id,
			r.seq
		])
	);
	db.$client.transaction(() =>
		applySentimentScores(
			db,
			[...g.sentiment].map(([id, sentiment]) => ({ seq: seqOf.get(id) as number, sentiment }))
		)
	)();
	return db;
}

/** Cells by (cuboid, values, hour): combo ids differ after a rebuild, the content must not. */
function cellDump(db: Db): unknown[] {
	return db.$client
		.prepare(
			`SELECT 'hour' AS level, k.cuboid, k.v1, k.v2, ${CELL_KEY_SQL.hour} AS unit, m.* FROM metric_cells m
			 JOIN metric_combos k ON k.id = ${CELL_KEY_SQL.combo}
			 UNION ALL
			 SELECT 'day' AS level, k.cuboid, k.v1, k.v2, ${CELL_KEY_SQL.hour} AS unit, m.* FROM metric_day_cells m
			 JOIN metric_combos k ON k.id = ${CELL_KEY_SQL.combo}
			 ORDER BY level, cuboid, v1, v2, unit`
		)
		.raw()
		.all()
		.map((r) => (r as unknown[]).filter((_, i) => i !== 5));
}

function base(q: Partial<CxQuery>): CxQuery {
	return {
		from: T0,
		to: T0 + 7 * DAY,
		by: null,
		grain: null,
		filters: {},
		compare: null,
		standardise: false,
		scope: { teams: null },
		...q
	};
}

const QUERIES: [string, Partial<CxQuery>][] = [
	['whole range', {}],
	['whole history', { from: T0 - 3 * DAY, to: T0 + 11 * DAY }],
	['ragged edges', { from: T0 + 90 * MIN + 17_000, to: T0 + 5 * DAY + 13 * MIN }],
	['one partial hour', { from: T0 + 12 * HOUR + 5 * MIN, to: T0 + 12 * HOUR + 50 * MIN }],
	['edges by subtraction', { from: T0 + 10 * MIN, to: T0 + 3 * DAY + 50 * MIN + 3 }],
	[
		'one hour by subtraction, by team',
		{ from: T0 + 5 * HOUR + 5 * MIN, to: T0 + 5 * HOUR + 56 * MIN, by: 'team' }
	],
	...(['channel', 'team', 'agent', 'segment', 'journey', 'region', 'reason'] as const).map(
		(d) => [`by ${d}`, { by: d }] as [string, Partial<CxQuery>]
	),
	['by day', { by: 'day' }],
	['by week', { by: 'week', from: T0 - 3 * DAY }],
	['by hour', { by: 'hour', to: T0 + DAY }],
	['channel by day', { by: 'channel', grain: 'day' }],
	['filter phone by team', { by: 'team', filters: { channel: ['phone'] } }],
	['one agent (point reads)', { filters: { agent: ['t2-a3'] } }],
	['one agent by day (point reads)', { by: 'day', filters: { agent: ['t1-a1'] } }],
	['manager t1 by reason', { by: 'reason', scope: { teams: ['t1'] } }],
	['manager t1,t2 by agent', { by: 'agent', scope: { teams: ['t1', 't2'] } }],
	['agent × reason (raw fallback)', { filters: { agent: ['t1-a1', 't2-a1'], reason: ['card', 'loan'] } }],
	['segment filter by region (raw fallback)', { by: 'region', filters: { segment: ['mass'] } }]
];

describe('rollups equal a reference computed from raw rows (property, many seeds)', () => {
	const seeds = Array.from({ length: 20 }, (_, i) => 1000 + i * 7919);
	it.each(seeds)('seed %i', (seed) => {
		const g = generate(seed, 700);
		const db = load(g);
		const facts = referenceFacts(stored(g));
		for (const [name, partial] of QUERIES) {
			const q = base(partial);
			const expected = referenceRows(facts, q);
			const actual = kpiMeasures(db, q);
			expect(actual.rows, `${name} (seed ${seed}, ${actual.path})`).toEqual(expected);
			// The KPIs through the registry: identical numbers to the reference measures through the same formulas.
			const answer = kpis(db, q, {
				settings: Object.fromEntries(REGISTRY.map((d) => [d.key, d.defaults])) as Record<
					KpiKey,
					(typeof REGISTRY)[number]['defaults']
				>
			});
			if (q.grain === null && (q.by === null || !['hour', 'day', 'week'].includes(q.by)))
				for (const row of expected) {
					const match = answer.rows.find((a) => a.group === row.group);
					expect(match, `${name}: row ${row.group}`).toBeDefined();
					for (const def of REGISTRY) {
						if (def.formula.kind === 'composite') continue;
						const e = evaluate(KPIS[def.key], row.measures);
						const got = match?.kpis[def.key];
						expect([got?.value, got?.n, got?.ci95], `${name} ${row.group} ${def.key}`).toEqual([
							e.value,
							e.n,
							e.ci95
						]);
					}
				}
		}
		// Maintained cells, flags and links equal those rebuilt from raw rows.
		const incremental = cellDump(db);
		const crossEvent = () =>
			db.$client
				.prepare(
					'SELECT seq, first_contact, repeat_same_reason_7d, repeat_48h, linked_contact_seq FROM events ORDER BY seq'
				)
				.raw()
				.all();
		const maintained = crossEvent();
		rebuildRollups(db);
		expect(cellDump(db)).toEqual(incremental);
		expect(crossEvent()).toEqual(maintained);
	});
});
