import { describe, expect, it } from 'vitest';
import { parseNative } from './formats/native';
import { parseSegment } from './formats/segment';
import { validateBatch } from './pipeline';
import { exceedsDepth, parseTimestamp } from './validate';

const NOW = Date.parse('2025-03-01T08:00:00Z');
const base = { id: 'e1', type: 'journey', ts: '2025-03-01T07:00:00Z', customerId: 'c1', name: 'step' };

function errorsOf(event: Record<string, unknown>): string[] {
	const { rejected } = validateBatch(parseNative({ events: [event] }), NOW);
	return rejected[0]?.errors ?? [];
}

describe('validation', () => {
	it('accepts and normalizes a valid event', () => {
		const { valid } = validateBatch(
			parseNative({ events: [{ ...base, channel: null, ts: NOW - 1000 }] }),
			NOW
		);
		expect(valid[0].event).toEqual({
			id: 'e1',
			type: 'journey',
			ts: NOW - 1000,
			customerId: 'c1',
			name: 'step',
			properties: {}
		});
	});

	it.each([
		[{ ...base, type: 'feedback', metric: 'nps', score: 11 }, 'events[0].score: must be 0–10 for nps'],
		[{ ...base, type: 'feedback', metric: 'csat', score: 0 }, 'events[0].score: must be 1–5 for csat'],
		[
			{ ...base, type: 'feedback', metric: 'ces', score: 3.5 },
			'events[0].score: must be a whole number for ces'
		],
		[{ ...base, type: 'feedback', metric: 'nps' }, 'events[0].score: required for feedback events'],
		[{ ...base, type: 'feedback', metric: 'nps', score: '9' }, 'events[0].score: must be a number'],
		[
			{ ...base, type: 'click' },
			'events[0].type: must be one of journey, contact, feedback, complaint, identify'
		],
		[{ ...base, id: undefined }, 'events[0].id: required'],
		[{ ...base, id: '' }, 'events[0].id: must not be empty'],
		[{ ...base, customerId: 42 }, 'events[0].customerId: must be a string'],
		[{ ...base, name: undefined }, 'events[0].name: required for journey events'],
		[
			{ ...base, channel: 'fax' },
			'events[0].channel: must be one of phone, ivr, chat, bot, app, wechat, video, branch'
		],
		[{ ...base, colour: 'red' }, 'events[0].colour: unknown field (extra data belongs in properties)'],
		[{ ...base, ts: -5 }, 'events[0].ts: must not be negative'],
		[{ ...base, ts: 'yesterday' }, expect.stringMatching(/^events\[0\]\.ts: must be an ISO-8601 date-time/)],
		[{ ...base, ts: '2025-03-01T07:00:00' }, expect.stringMatching(/^events\[0\]\.ts: must be an ISO-8601/)],
		[{ ...base, ts: '2025-13-45T07:00:00Z' }, 'events[0].ts: is not a valid date-time'],
		[{ ...base, ts: NOW + 11 * 60_000 }, 'events[0].ts: is more than 10 minutes in the future'],
		[{ ...base, ts: 1_700_000_000 }, expect.stringMatching(/epoch seconds/)],
		[{ ...base, ts: true }, 'events[0].ts: has the wrong type'],
		[
			{ ...base, type: 'contact', channel: 'phone', outcome: 'resolved', waitS: -1 },
			'events[0].waitS: must be ≥ 0'
		],
		[
			{ ...base, type: 'identify', traits: { segment: 'vip' } },
			expect.stringMatching(/traits\.segment: must be one of/)
		],
		[{ ...base, properties: [] }, 'events[0].properties: must be an object']
	])('rejects %j', (event, message) => {
		expect(errorsOf(event)).toContainEqual(message);
	});

	it('accepts timestamps within the future tolerance and with offsets', () => {
		expect(errorsOf({ ...base, ts: NOW + 9 * 60_000 })).toEqual([]);
		expect(errorsOf({ ...base, ts: '2025-03-01T15:00:00.123+08:00' })).toEqual([]);
	});

	it('names fields as the client wrote them', () => {
		const parsed = parseSegment(
			{
				batch: [
					{
						type: 'track',
						messageId: 'm',
						userId: 'u',
						event: 'Survey Answered',
						timestamp: '2025-03-01T07:00:00Z',
						properties: { metric: 'nps', score: 12, channel: 'phone' }
					},
					{ type: 'track', userId: 'u', event: 'x', timestamp: 'soon' }
				]
			},
			'batch',
			NOW
		);
		const { rejected } = validateBatch(parsed, NOW);
		expect(rejected).toEqual([
			{ index: 0, errors: ['batch[0].properties.score: must be 0–10 for nps'] },
			{
				index: 1,
				errors: ['batch[1].messageId: required']
			}
		]);
	});

	it('refuses hostile nesting without recursion', () => {
		let deep: Record<string, unknown> = {};
		for (let i = 0; i < 100_000; i++) deep = { d: deep };
		expect(exceedsDepth(deep)).toBe(true);
		expect(exceedsDepth({ a: { b: [1, { c: 2 }] } })).toBe(false);
		expect(errorsOf({ ...base, properties: deep })).toEqual([
			'events[0].properties: nested deeper than 16 levels'
		]);
	});

	it('parses timestamps', () => {
		expect(parseTimestamp('2025-03-01T08:00:00+08:00', NOW)).toBe(Date.parse('2025-03-01T00:00:00Z'));
		expect(parseTimestamp(NOW + 0.7, NOW)).toBe(NOW);
		expect(parseTimestamp(Number.NaN, NOW)).toMatch(/finite/);
	});
});
