import { describe, expect, it } from 'vitest';
import { fastNativeEvent } from './fast-validate';
import { nativeEventFields, nativeEventSchema } from './schema';

/** Valid events of each type the fast path handles, as a client sends them. */
const TEMPLATES: Record<string, unknown>[] = [
	{
		id: 'e1',
		type: 'journey',
		ts: 1_740_000_000_000,
		customerId: 'c1',
		name: 'loss_reported',
		journey: 'lost_card'
	},
	{
		id: 'e2',
		type: 'contact',
		ts: '2025-03-01T09:30:00+08:00',
		customerId: 'c2',
		channel: 'phone',
		handledBy: 'agent',
		queue: 'cards',
		teamId: 't-1',
		agentId: 'a-7',
		reason: 'card_lost',
		waitS: 12,
		handleS: 240.5,
		outcome: 'resolved',
		properties: { device: 'iPhone15,2', nested: { a: [1, 2] } }
	},
	{
		id: 'e3',
		type: 'feedback',
		ts: 1_740_000_000_000,
		customerId: 'c3',
		metric: 'nps',
		score: 9,
		text: '很好'
	},
	{
		id: 'e4',
		type: 'feedback',
		ts: 1_740_000_000_000,
		customerId: 'c3',
		metric: 'csat',
		score: 5,
		contactId: 'e2'
	},
	{ id: 'e5', type: 'feedback', ts: 1_740_000_000_000, customerId: 'c3', metric: 'ces', score: 1 },
	{
		id: 'e6',
		type: 'complaint',
		ts: 1_740_000_000_000,
		customerId: 'c4',
		category: 'fees',
		severity: 'high',
		regulator: true
	}
];

/** Values that sit on or just past the schema's edges, and values of every wrong type. */
const ODD_VALUES: unknown[] = [
	null,
	undefined,
	'',
	' ',
	'  x  ',
	'x'.repeat(200),
	'x'.repeat(201),
	` ${'x'.repeat(200)} `,
	'x'.repeat(256),
	'x'.repeat(257),
	'x'.repeat(30_000),
	'x'.repeat(30_001),
	'phone',
	'PHONE',
	'agent',
	'resolved',
	'abandoned',
	'nps',
	'csat',
	'ces',
	'journey',
	'identify',
	'critical',
	0,
	-1,
	1,
	1.5,
	5,
	6,
	7,
	8,
	10,
	11,
	604_800,
	604_801,
	Number.NaN,
	Number.POSITIVE_INFINITY,
	true,
	false,
	[],
	['a'],
	{},
	{ a: 1 },
	JSON.parse('{"__proto__": {"polluted": 1}}'),
	{ constructor: 'x' },
	{ segment: 'mass' }
];

/** Every field of the schema, one it does not know, and a key that would set the prototype if copied. */
const FIELDS = [...Object.keys(nativeEventFields.shape), 'unknownField', '__proto__'];

/** A small seeded generator (mulberry32), so a failure names a case that can be run again. */
function random(seed: number) {
	return () => {
		seed |= 0;
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function mutate(template: Record<string, unknown>, next: () => number): Record<string, unknown> {
	const event: Record<string, unknown> = { ...template };
	const changes = 1 + Math.floor(next() * 3);
	for (let i = 0; i < changes; i++) {
		const field = FIELDS[Math.floor(next() * FIELDS.length)];
		const r = next();
		if (r < 0.15) delete event[field];
		else if (field === '__proto__')
			Object.defineProperty(event, field, { value: {}, enumerable: true, configurable: true });
		else event[field] = ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
	}
	return event;
}

describe('fastNativeEvent', () => {
	it('takes the plainly valid events, with the output the schema gives', () => {
		for (const template of TEMPLATES) {
			const fast = fastNativeEvent(template);
			expect(fast, JSON.stringify(template)).not.toBeNull();
			expect(fast).toEqual(nativeEventSchema.parse(template));
		}
	});

	it('trims ids and labels as the schema does', () => {
		const event = { ...TEMPLATES[0], id: '  e1 ', customerId: '\tc1\n', name: ' step ' };
		expect(fastNativeEvent(event)).toEqual(nativeEventSchema.parse(event));
		expect(fastNativeEvent(event)).toMatchObject({ id: 'e1', customerId: 'c1', name: 'step' });
	});

	it('leaves what it cannot judge plainly to the schema (identify, unknown fields, bad values)', () => {
		const identify = { id: 'i', type: 'identify', ts: 1, customerId: 'c', traits: { segment: 'mass' } };
		expect(fastNativeEvent(identify)).toBeNull();
		expect(fastNativeEvent({ ...TEMPLATES[0], extra: 1 })).toBeNull();
		expect(fastNativeEvent({ ...TEMPLATES[2], score: 11 })).toBeNull();
		expect(fastNativeEvent({ ...TEMPLATES[1], waitS: -1 })).toBeNull();
	});

	it('never accepts what the schema rejects, nor parses differently (60,000 mutated events)', () => {
		const next = random(20261129);
		let fastAccepted = 0;
		let schemaAccepted = 0;
		for (let i = 0; i < 60_000; i++) {
			const event = mutate(TEMPLATES[i % TEMPLATES.length], next);
			const fast = fastNativeEvent(event);
			const schema = nativeEventSchema.safeParse(event);
			if (schema.success) schemaAccepted++;
			if (fast === null) continue;
			fastAccepted++;
			expect(schema.success, `case ${i}: ${JSON.stringify(event)}`).toBe(true);
			expect(fast, `case ${i}: ${JSON.stringify(event)}`).toEqual(schema.data);
		}
		// The mutations keep many events valid, and the fast path takes most of those (identify and traits aside).
		expect(schemaAccepted).toBeGreaterThan(6_000);
		expect(fastAccepted / schemaAccepted).toBeGreaterThan(0.8);
	});
});
