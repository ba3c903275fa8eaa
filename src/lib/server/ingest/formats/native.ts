import { badRequest, tooLarge } from '../errors';
import { LIMITS } from '../config';
import type { ParsedBatch } from './types';

/**
 * Reads the native batch: `{"events":[…]}` (or a bare array) from JSON, or the lines of NDJSON. Each event is
 * already in the native shape; validation follows.
 */
export function parseNative(body: unknown): ParsedBatch {
	let events: unknown;
	if (Array.isArray(body)) events = body;
	else if (typeof body === 'object' && body !== null && 'events' in body) events = body.events;
	else throw badRequest('the body must be {"events":[…]} (or NDJSON, one event a line)');
	if (!Array.isArray(events)) throw badRequest('events: must be an array');
	if (events.length > LIMITS.batchEvents)
		throw tooLarge(`events: ${events.length} events, at most ${LIMITS.batchEvents} a request`);
	return {
		items: events.map((event, index) =>
			typeof event === 'object' && event !== null && !Array.isArray(event)
				? { index, event: event as Record<string, unknown> }
				: { index, errors: [`events[${index}]: must be an object`] }
		),
		messages: events,
		itemPath: (index) => `events[${index}]`,
		fieldPath: (field) => field
	};
}
