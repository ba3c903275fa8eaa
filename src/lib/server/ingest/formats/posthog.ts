import { badRequest, tooLarge } from '../errors';
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

const TOP_LEVEL_PATHS: Record<string, string> = {
	id: 'uuid',
	customerId: 'distinct_id',
	ts: 'timestamp',
	type: 'event',
	name: 'event',
	traits: 'properties.$set'
};

/** PostHog's own properties (`$lib`, `$geoip_disable`, …) describe the library, not the customer: not stored. */
const isPostHogKey = (key: string) => key.startsWith('$') || key === 'distinct_id' || key === 'token';

/**
 * Reads a PostHog capture body: `{api_key, batch:[…]}`, a bare array, or one event `{api_key, event, …}` (both
 * `/batch/` and `/capture/` accept every shape, as PostHog does). `distinct_id` becomes customerId, `uuid` the id,
 * `$identify`/`$set` with `$set` the customer's traits; other `$` events are PostHog's own and ignored.
 */
export function parsePostHog(body: unknown, receivedAt: number): ParsedBatch {
	let messages: unknown[];
	let batch = true;
	let writeKey: unknown;
	if (Array.isArray(body)) messages = body;
	else if (isObject(body) && Array.isArray(body.batch)) {
		messages = body.batch;
		writeKey = body.api_key ?? body.token;
	} else if (isObject(body)) {
		messages = [body];
		batch = false;
	} else throw badRequest('the body must be a JSON object or array');
	if (messages.length > LIMITS.batchEvents)
		throw tooLarge(`batch: ${messages.length} events, at most ${LIMITS.batchEvents} a request`);
	if (writeKey === undefined) {
		const first = messages.find(isObject);
		writeKey =
			first?.api_key ?? first?.token ?? (isObject(first?.properties) ? first.properties.token : undefined);
	}
	const now = new Date(receivedAt).toISOString();
	const itemPath = (index: number) => (batch ? `batch[${index}]` : '');
	return {
		writeKey: typeof writeKey === 'string' ? writeKey : undefined,
		items: messages.map((m, index) => postHogEvent(m, index, itemPath(index), now)),
		messages,
		itemPath,
		fieldPath: (field, event) => TOP_LEVEL_PATHS[field] ?? propertyPath(field, event)
	};
}

function postHogEvent(m: unknown, index: number, path: string, now: string): Candidate {
	if (!isObject(m)) return { index, errors: [`${path || 'body'}: must be an object`] };
	const name = m.event;
	if (typeof name !== 'string' || !name.trim())
		return { index, errors: [`${joinPath(path, 'event')}: required`] };
	const properties: Json = isObject(m.properties) ? m.properties : {};
	const common = {
		id: idText(m.uuid),
		customerId: idText(m.distinct_id ?? properties.distinct_id),
		ts: m.timestamp ?? now
	};
	if (name === '$identify' || name === '$set') {
		const set = properties.$set ?? m.$set;
		const setOnce = properties.$set_once ?? m.$set_once;
		const traits = { ...(isObject(setOnce) ? setOnce : {}), ...(isObject(set) ? set : {}) };
		return { index, event: { ...common, type: 'identify', traits, properties: {} } };
	}
	if (name.startsWith('$'))
		return { index, ignored: `PostHog's own event "${name}" is not used by Resonance` };
	return { index, event: { ...common, ...mapTrack(name, properties, isPostHogKey) } };
}
