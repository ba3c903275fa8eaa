/** One item of a client's batch after its format was read: a native-shaped event, or why it goes no further. */
export interface Candidate {
	/** Position in the client's batch (what the answer's `index` refers to). */
	index: number;
	/** The message mapped to the native event shape (validated next). */
	event?: Record<string, unknown>;
	/** Problems found while reading the format, already in `path: message` form. */
	errors?: string[];
	/** Why the item is skipped without being an error (e.g. Segment `group` calls). */
	ignored?: string;
}

export interface ParsedBatch {
	/** A write key found in the body (Segment `writeKey`, PostHog `api_key`). */
	writeKey?: string;
	items: Candidate[];
	/** The client's messages as sent (for the per-event size limit). */
	messages: readonly unknown[];
	/** Where an item sits in the client's body, e.g. `batch[3]`; empty for a single-event call. */
	itemPath: (index: number) => string;
	/** How a native field is named in the client's format, e.g. `score` → `properties.score` for Segment. */
	fieldPath: (field: string, event: Record<string, unknown>) => string;
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Client ids may arrive as numbers (some Segment libraries); they are ids all the same. */
export function idText(value: unknown): unknown {
	return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
}

export function joinPath(base: string, field: string): string {
	return base ? `${base}.${field}` : field;
}

/**
 * Fields a `track`/capture event carries in `properties` for feedback, contact and complaint events (DESIGN.md
 * event model); `comment` and `transcript` become `text`.
 */
export const PROPERTY_FIELDS = [
	'metric',
	'score',
	'channel',
	'teamId',
	'agentId',
	'contactId',
	'journey',
	'handledBy',
	'queue',
	'reason',
	'waitS',
	'handleS',
	'outcome',
	'category',
	'severity',
	'regulator'
] as const;

/** Business events named as Segment's spec names them, mapped to Resonance's typed events. */
export const NAMED_EVENTS: Record<string, 'feedback' | 'contact' | 'complaint'> = {
	'Survey Answered': 'feedback',
	'Contact Completed': 'contact',
	'Complaint Filed': 'complaint'
};

const JOURNEY_FIELDS = ['channel', 'journey'] as const;

/**
 * Maps a named business event or a journey step from its name and properties to the native shape (without id,
 * ts and customerId). Mapped fields leave `properties`; the rest stays there.
 */
export function mapTrack(name: string, properties: Json, dropKey?: (key: string) => boolean): Json {
	const type = NAMED_EVENTS[name];
	const rest: Json = {};
	const out: Json = { type: type ?? 'journey' };
	if (!type) out.name = name;
	const fields: readonly string[] = type ? PROPERTY_FIELDS : JOURNEY_FIELDS;
	for (const [k, v] of Object.entries(properties)) {
		if (dropKey?.(k)) continue;
		if (fields.includes(k)) out[k] = v;
		else if (type && (k === 'comment' || k === 'transcript') && out.text === undefined) out.text = v;
		else rest[k] = v;
	}
	out.properties = rest;
	return out;
}

/** Native field → its name inside a track event's `properties`. */
export function propertyPath(field: string, event: Json): string {
	if (field === 'text') return event.type === 'contact' ? 'properties.transcript' : 'properties.comment';
	return `properties.${field}`;
}
