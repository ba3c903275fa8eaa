import { toCsv } from '$lib/components/dashboards/csv';
import { m } from '$lib/paraglide/messages';

/** The bytes of a file the preview sends: enough for the header and the first 20 rows of most files. */
export const PREVIEW_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const QUOTE = 0x22;

/**
 * The start of a file cut after its last complete line, so the dry run never sees half a row. A newline inside a
 * quoted cell does not end a line. Working on bytes keeps UTF-8 whole: 0x0A never occurs inside a multi-byte
 * character. `complete` says the bytes are the whole file (nothing to cut).
 */
export function previewSlice(bytes: Uint8Array, complete: boolean): Uint8Array {
	if (complete) return bytes;
	let quoted = false;
	let end = -1;
	for (let i = 0; i < bytes.length; i++) {
		if (bytes[i] === QUOTE) quoted = !quoted;
		else if (bytes[i] === NEWLINE && !quoted) end = i;
	}
	// No line ends in the slice: send it as is and let the server say what is wrong with it.
	return end < 0 ? bytes : bytes.subarray(0, end + 1);
}

export interface ImportParams {
	kind: string;
	sourceId: number;
	/** Only the columns the admin changed; the server reads the others as it proposes. */
	mapping: Record<string, string>;
	dryRun: boolean;
}

/** The import endpoint's address for these choices. */
export function importUrl({ kind, sourceId, mapping, dryRun }: ImportParams): string {
	const query = new URLSearchParams({ kind, source: String(sourceId) });
	if (Object.keys(mapping).length) query.set('map', JSON.stringify(mapping));
	if (dryRun) query.set('dryRun', '1');
	return `/api/v1/import/csv?${query}`;
}

/** The endpoint's `{error:{message}}`, or the status when the answer is not that JSON (a proxy's page, say). */
export function errorMessage(status: number, body: string): string {
	try {
		const message = (JSON.parse(body) as { error?: { message?: unknown } })?.error?.message;
		if (typeof message === 'string' && message) return message;
	} catch {
		// not JSON: fall through
	}
	return `HTTP ${status}`;
}

export interface RowRejection {
	index: number;
	errors: string[];
}

/** The downloadable error report: one line per rejected row (1 = the first data row), its errors joined. */
export function errorReportCsv(rejected: readonly RowRejection[]): string {
	return toCsv(
		['row', 'errors'],
		rejected.map((r) => [r.index, r.errors.join('; ')])
	);
}

/** Whole percent of an upload sent; 0 while the size is unknown. */
export function percentSent(loaded: number, total: number): number {
	if (!(total > 0)) return 0;
	return Math.min(100, Math.floor((loaded / total) * 100));
}

const BYTE_UNITS = [
	['megabyte', 2 ** 20],
	['kilobyte', 2 ** 10]
] as const;

/** A file size for people: 1 decimal in MB or kB, plain bytes below 1 kB. */
export function formatBytes(bytes: number, locale: string): string {
	for (const [unit, size] of BYTE_UNITS)
		if (bytes >= size)
			return new Intl.NumberFormat(locale, { style: 'unit', unit, maximumFractionDigits: 1 }).format(
				bytes / size
			);
	return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte' }).format(bytes);
}

/** The dry run's answer: each column with the target it is read as, and the first rows as they would be stored. */
export interface ImportPreview {
	columns: string[];
	mapping: string[];
	targets: string[];
	rows: { index: number; event?: Record<string, unknown>; errors?: string[] }[];
	/** Why no row can be read with this mapping (no id column, a field read twice); `rows` is then empty. */
	problem?: string;
}

/** The import's answer; `rejected` holds the first 1,000 of `rejectedCount`. */
export interface ImportResult {
	accepted: number;
	duplicates: number;
	rejectedCount: number;
	rejected: RowRejection[];
}

/** How a target reads in the mapping selects: the field's name and what it is (properties and ignore in words). */
const TARGET_LABELS: Record<string, () => string> = {
	properties: m.admin_import_target_properties,
	ignore: m.admin_import_target_ignore
};
const FIELD_LABELS: Record<string, () => string> = {
	id: m.admin_import_field_id,
	ts: m.admin_import_field_ts,
	customerId: m.admin_import_field_customerId,
	metric: m.admin_import_field_metric,
	score: m.admin_import_field_score,
	channel: m.admin_import_field_channel,
	teamId: m.admin_import_field_teamId,
	agentId: m.admin_import_field_agentId,
	contactId: m.admin_import_field_contactId,
	journey: m.admin_import_field_journey,
	text: m.admin_import_field_text,
	handledBy: m.admin_import_field_handledBy,
	queue: m.admin_import_field_queue,
	reason: m.admin_import_field_reason,
	waitS: m.admin_import_field_waitS,
	handleS: m.admin_import_field_handleS,
	outcome: m.admin_import_field_outcome,
	name: m.admin_import_field_name,
	category: m.admin_import_field_category,
	severity: m.admin_import_field_severity,
	regulator: m.admin_import_field_regulator
};

/** A target as the mapping selects show it: the field's name and what it is, or properties/ignore in words. */
export const targetLabel = (target: string) =>
	TARGET_LABELS[target]?.() ?? (FIELD_LABELS[target] ? `${target} · ${FIELD_LABELS[target]()}` : target);
