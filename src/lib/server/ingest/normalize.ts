import type { CxEvent } from '$lib/model';
import type { ValidEvent } from './validate';

/** Turns a validated wire event into the `CxEvent` the writer stores: epoch-ms time, nulls dropped. */
export function normalizeEvent({ event, ts }: ValidEvent): CxEvent {
	const out: CxEvent = {
		id: event.id,
		type: event.type,
		ts,
		customerId: event.customerId,
		properties: event.properties ?? {}
	};
	for (const field of OPTIONAL_FIELDS) {
		const value = event[field];
		if (value !== null && value !== undefined) (out as unknown as Record<string, unknown>)[field] = value;
	}
	if (event.traits) {
		const traits: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(event.traits)) if (v !== null && v !== undefined) traits[k] = v;
		out.traits = traits;
	}
	return out;
}

const OPTIONAL_FIELDS = [
	'channel',
	'name',
	'journey',
	'handledBy',
	'queue',
	'agentId',
	'teamId',
	'reason',
	'waitS',
	'handleS',
	'outcome',
	'metric',
	'score',
	'text',
	'contactId',
	'category',
	'severity',
	'regulator'
] as const;
