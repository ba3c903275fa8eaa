import { badRequest, IngestError, tooLarge } from '../errors';
import { LIMITS } from '../config';
import {
	idText,
	isObject,
	joinPath,
	mapTrack,
	propertyPath,
	type Candidate,
	type Json,
	type ParsedBatch
} from './types';

/** The calls of the Segment HTTP Tracking API, with the one-letter paths browser libraries use. */
const CALLS: Record<string, string> = {
	batch: 'batch',
	b: 'batch',
	track: 'track',
	t: 'track',
	identify: 'identify',
	i: 'identify',
	page: 'page',
	p: 'page',
	screen: 'screen',
	s: 'screen',
	group: 'group',
	g: 'group',
	alias: 'alias',
	a: 'alias'
};

export function segmentCall(call: string): string | undefined {
	return CALLS[call];
}

const IGNORED: Record<string, string> = {
	group: 'group calls are not used by Resonance (accounts are not modelled)',
	alias: 'alias calls are not used by Resonance: send the same userId'
};

const TOP_LEVEL_PATHS: Record<string, string> = {
	id: 'messageId',
	customerId: 'userId',
	ts: 'timestamp',
	type: 'type',
	traits: 'traits'
};

/**
 * Reads a Segment body: `/v1/batch` carries `{batch:[…]}`, the other calls one message. `userId ?? anonymousId`
 * becomes customerId, `messageId` the id, `timestamp` (else `originalTimestamp`, else arrival) the time.
 */
export function parseSegment(body: unknown, call: string, receivedAt: number): ParsedBatch {
	const kind = segmentCall(call);
	if (!kind) throw new IngestError(404, 'not_found', `unknown Segment call "${call}"`);
	if (!isObject(body)) throw badRequest('the body must be a JSON object');
	const batch = kind === 'batch';
	let messages: unknown[];
	if (batch) {
		if (!Array.isArray(body.batch)) throw badRequest('batch: must be an array of messages');
		messages = body.batch;
		if (messages.length > LIMITS.batchEvents)
			throw tooLarge(`batch: ${messages.length} messages, at most ${LIMITS.batchEvents} a request`);
	} else messages = [{ ...body, type: body.type ?? kind }];
	const now = new Date(receivedAt).toISOString();
	const writeKey = typeof body.writeKey === 'string' ? body.writeKey : undefined;
	const itemPath = (index: number) => (batch ? `batch[${index}]` : '');
	return {
		writeKey,
		items: messages.map((m, index) => segmentMessage(m, index, itemPath(index), now)),
		messages,
		itemPath,
		fieldPath: segmentFieldPath
	};
}

function segmentFieldPath(field: string, event: Json): string {
	if (field === 'name') return isObject(event.properties) && event.properties.call ? 'name' : 'event';
	return TOP_LEVEL_PATHS[field] ?? propertyPath(field, event);
}

function segmentMessage(m: unknown, index: number, path: string, now: string): Candidate {
	if (!isObject(m)) return { index, errors: [`${path || 'body'}: must be an object`] };
	const type = m.type;
	if (typeof type !== 'string' || !segmentCall(type) || type.length === 1 || type === 'batch')
		return {
			index,
			errors: [`${joinPath(path, 'type')}: must be one of track, identify, page, screen, group, alias`]
		};
	if (IGNORED[type]) return { index, ignored: IGNORED[type] };
	const properties = isObject(m.properties) ? m.properties : {};
	const common = {
		id: idText(m.messageId),
		customerId: idText(m.userId ?? m.anonymousId),
		ts: m.timestamp ?? m.originalTimestamp ?? now
	};
	switch (type) {
		case 'track':
			if (typeof m.event !== 'string' || !m.event.trim())
				return { index, errors: [`${joinPath(path, 'event')}: required for track calls`] };
			return { index, event: { ...common, ...mapTrack(m.event, properties) } };
		case 'identify': {
			// RudderStack's JavaScript SDK sends an identify's traits in `context.traits` only.
			const traits = m.traits ?? (isObject(m.context) ? m.context.traits : undefined) ?? {};
			return { index, event: { ...common, type: 'identify', traits, properties: {} } };
		}
		default: {
			// page and screen: journey steps named by the page or screen.
			const name = m.name ?? properties.name;
			if (typeof name !== 'string' || !name.trim())
				return { index, errors: [`${joinPath(path, 'name')}: required for ${type} calls`] };
			const { channel, journey, ...rest } = properties;
			return {
				index,
				event: {
					...common,
					type: 'journey',
					name,
					channel: channel ?? (type === 'screen' ? 'app' : undefined),
					journey,
					properties: { ...rest, call: type }
				}
			};
		}
	}
}
