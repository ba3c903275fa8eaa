import { describe, expect, it } from 'vitest';
import { parseNative } from './native';
import { parsePostHog } from './posthog';
import { parseSegment } from './segment';

const NOW = Date.parse('2025-03-01T08:00:00Z');

describe('parseSegment', () => {
	it('maps track, identify, page and the named business events', () => {
		const parsed = parseSegment(
			{
				writeKey: 'k',
				batch: [
					{
						type: 'track',
						messageId: 'm1',
						anonymousId: 'a1',
						event: 'loss_reported',
						timestamp: '2025-03-01T07:59:00Z',
						properties: { channel: 'ivr', journey: 'lost_card', menuDepth: 4, score: 3 },
						context: { ip: '1.2.3.4' }
					},
					{
						type: 'track',
						messageId: 'm2',
						userId: 'u1',
						anonymousId: 'a1',
						event: 'Survey Answered',
						properties: { metric: 'nps', score: 9, comment: 'good', channel: 'phone', survey: 's1' }
					},
					{
						type: 'track',
						messageId: 3,
						userId: 'u1',
						event: 'Contact Completed',
						properties: { transcript: 't' }
					},
					{ type: 'identify', messageId: 'm4', userId: 'u1', traits: { segment: 'private' } },
					{ type: 'screen', messageId: 'm5', userId: 'u1', name: 'home' },
					{ type: 'group', messageId: 'm6', userId: 'u1', groupId: 'g' },
					{ type: 'alias', messageId: 'm7', userId: 'u1', previousId: 'a1' },
					{ type: 'nope' },
					'junk',
					{ type: 'track', messageId: 'm8', userId: 'u1' }
				]
			},
			'batch',
			NOW
		);
		expect(parsed.writeKey).toBe('k');
		const [journey, feedback, contact, identify, screen, group, alias, unknown, junk, noEvent] = parsed.items;
		expect(journey.event).toEqual({
			id: 'm1',
			customerId: 'a1',
			ts: '2025-03-01T07:59:00Z',
			type: 'journey',
			name: 'loss_reported',
			channel: 'ivr',
			journey: 'lost_card',
			// Only journey fields are lifted for journey steps; the rest stays in properties.
			properties: { menuDepth: 4, score: 3 }
		});
		expect(feedback.event).toMatchObject({
			id: 'm2',
			customerId: 'u1',
			type: 'feedback',
			metric: 'nps',
			score: 9,
			text: 'good',
			channel: 'phone',
			properties: { survey: 's1' },
			ts: new Date(NOW).toISOString()
		});
		expect(contact.event).toMatchObject({ id: '3', type: 'contact', text: 't' });
		expect(identify.event).toMatchObject({ type: 'identify', traits: { segment: 'private' } });
		expect(screen.event).toMatchObject({ type: 'journey', name: 'home', channel: 'app' });
		expect(group.ignored).toMatch(/group/);
		expect(alias.ignored).toMatch(/alias/);
		expect(unknown.errors).toEqual([
			'batch[7].type: must be one of track, identify, page, screen, group, alias'
		]);
		expect(junk.errors).toEqual(['batch[8]: must be an object']);
		expect(noEvent.errors).toEqual(['batch[9].event: required for track calls']);
		expect(parsed.fieldPath('score', { type: 'feedback' })).toBe('properties.score');
		expect(parsed.fieldPath('id', {})).toBe('messageId');
		expect(parsed.fieldPath('name', { type: 'journey', properties: {} })).toBe('event');
		expect(parsed.itemPath(2)).toBe('batch[2]');
	});

	it('takes the call type from the path for single calls', () => {
		const parsed = parseSegment({ userId: 'u', messageId: 'm', event: 'x' }, 'track', NOW);
		expect(parsed.items[0].event).toMatchObject({ type: 'journey', name: 'x' });
		expect(parsed.itemPath(0)).toBe('');
	});

	it('refuses bodies that are not Segment bodies', () => {
		expect(() => parseSegment([], 'batch', NOW)).toThrow(/JSON object/);
		expect(() => parseSegment({ batch: {} }, 'batch', NOW)).toThrow(/batch: must be an array/);
		expect(() => parseSegment({}, 'nope', NOW)).toThrow(/unknown Segment call/);
		expect(() => parseSegment({ batch: new Array(2501).fill({}) }, 'batch', NOW)).toThrow(/at most 2500/);
	});
});

describe('parsePostHog', () => {
	it('reads batches as posthog-node sends them', () => {
		const parsed = parsePostHog(
			{
				api_key: 'k',
				batch: [
					{
						event: 'card_activated',
						distinct_id: 'd1',
						uuid: 'u1',
						timestamp: '2025-03-01T07:00:00Z',
						properties: { channel: 'app', $lib: 'posthog-node', $geoip_disable: true, step: 2 }
					},
					{ event: '$identify', distinct_id: 'd1', uuid: 'u2', properties: { $set: { segment: 'mass' } } },
					{ event: '$pageview', distinct_id: 'd1', uuid: 'u3' },
					{ event: 'Complaint Filed', properties: { distinct_id: 'd2', category: 'fees' }, uuid: 'u4' }
				]
			},
			NOW
		);
		expect(parsed.writeKey).toBe('k');
		expect(parsed.items[0].event).toEqual({
			id: 'u1',
			customerId: 'd1',
			ts: '2025-03-01T07:00:00Z',
			type: 'journey',
			name: 'card_activated',
			channel: 'app',
			properties: { step: 2 }
		});
		expect(parsed.items[1].event).toMatchObject({ type: 'identify', traits: { segment: 'mass' } });
		expect(parsed.items[2].ignored).toMatch(/\$pageview/);
		expect(parsed.items[3].event).toMatchObject({ type: 'complaint', customerId: 'd2', category: 'fees' });
		expect(parsed.fieldPath('customerId', {})).toBe('distinct_id');
	});

	it('reads a single capture with the key inside', () => {
		const parsed = parsePostHog({ api_key: 'k2', event: 'x', distinct_id: 'd', uuid: 'u' }, NOW);
		expect(parsed.writeKey).toBe('k2');
		expect(parsed.items).toHaveLength(1);
		expect(parsed.itemPath(0)).toBe('');
	});
});

describe('parseNative', () => {
	it('reads {events} and bare arrays', () => {
		expect(parseNative({ events: [{ id: 'a' }, 3] }).items).toEqual([
			{ index: 0, event: { id: 'a' } },
			{ index: 1, errors: ['events[1]: must be an object'] }
		]);
		expect(parseNative([{ id: 'a' }]).items).toHaveLength(1);
		expect(() => parseNative({ event: [] })).toThrow(/events/);
		expect(() => parseNative({ events: 'x' })).toThrow(/events: must be an array/);
	});
});

describe('isIngestionPath', () => {
	it('knows the ingestion endpoints', async () => {
		const { isIngestionPath } = await import('../routes');
		expect(
			['/v1/batch', '/batch/', '/capture', '/api/v1/events', '/api/v1/import/csv'].every(isIngestionPath)
		).toBe(true);
		expect(['/v1', '/v1/a/b', '/api/v1/kpis', '/batches', '/'].some(isIngestionPath)).toBe(false);
	});
});
