import { authenticate, keyFromHeaders } from './authenticate';
import type { IngestContext } from './context';
import { IngestError, refusal } from './errors';
import { csvRecords, CsvError } from './formats/csv';
import type { Candidate, ParsedBatch } from './formats/types';
import { errorResponse, jsonResponse } from './http';
import type { RequestFailure } from './monitor';
import { ingestBatch } from './pipeline';
import { redactionTotal } from './redact';
import type { Rejection } from './validate';

export const CSV_KINDS = ['feedback', 'contact', 'journey', 'complaint'] as const;
export type CsvKind = (typeof CSV_KINDS)[number];

/** Columns read as event fields, per kind; any other column is kept in `properties`. */
const COLUMNS: Record<CsvKind, readonly string[]> = {
	feedback: ['metric', 'score', 'channel', 'teamId', 'agentId', 'contactId', 'journey', 'text'],
	contact: [
		'channel',
		'handledBy',
		'queue',
		'agentId',
		'teamId',
		'reason',
		'waitS',
		'handleS',
		'outcome',
		'contactId',
		'journey',
		'text'
	],
	journey: ['name', 'channel', 'journey'],
	complaint: [
		'category',
		'severity',
		'regulator',
		'channel',
		'reason',
		'teamId',
		'agentId',
		'contactId',
		'text'
	]
};
const NUMBERS = new Set(['score', 'waitS', 'handleS']);
/** Friendly names accepted for the text column. */
const TEXT_ALIASES = new Set(['comment', 'transcript']);
const CHUNK_ROWS = 1000;
const MAX_REPORTED_REJECTIONS = 1000;
/** Bytes of one CSV upload (streamed; never held whole). */
export const CSV_MAX_BYTES = 100 * 1024 * 1024;

function cell(column: string, value: string): unknown {
	if (value === '') return undefined;
	if (NUMBERS.has(column)) return Number.isFinite(Number(value)) ? Number(value) : value;
	if (column === 'regulator') return ['true', '1', 'yes', '是'].includes(value.trim().toLowerCase());
	if (column === 'ts' && /^\d+$/.test(value)) return Number(value);
	return value;
}

/** Turns a data row into a native-shaped candidate; the row number (1 = first data row) is its index. */
export function csvRow(
	kind: CsvKind,
	header: readonly string[],
	row: readonly string[],
	index: number
): Candidate {
	if (row.length !== header.length)
		return { index, errors: [`rows[${index}]: ${row.length} cells, the header has ${header.length}`] };
	const event: Record<string, unknown> = { type: kind };
	const properties: Record<string, string> = {};
	const fields = COLUMNS[kind];
	header.forEach((column, i) => {
		const name = TEXT_ALIASES.has(column) ? 'text' : column;
		if (name === 'id' || name === 'ts' || name === 'customerId' || fields.includes(name)) {
			const value = cell(name, row[i]);
			if (value !== undefined) event[name] = value;
		} else if (row[i] !== '') properties[column] = row[i];
	});
	event.properties = properties;
	return { index, event };
}

async function* textChunks(request: Request): AsyncGenerator<string> {
	if (!request.body) return;
	const encoding = request.headers.get('content-encoding')?.trim().toLowerCase() ?? '';
	if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip')
		throw new IngestError(415, 'unsupported_media_type', `Content-Encoding ${encoding} is not accepted`);
	let bytes: ReadableStream<Uint8Array> = request.body;
	if (encoding === 'gzip') bytes = bytes.pipeThrough(new DecompressionStream('gzip') as never);
	const decoder = new TextDecoder('utf-8', { fatal: true });
	let size = 0;
	try {
		for await (const chunk of bytes as unknown as AsyncIterable<Uint8Array>) {
			size += chunk.byteLength;
			if (size > CSV_MAX_BYTES)
				throw new IngestError(413, 'payload_too_large', `over ${CSV_MAX_BYTES / 2 ** 20} MB a file`);
			yield decoder.decode(chunk, { stream: true });
		}
		yield decoder.decode();
	} catch (error) {
		if (error instanceof IngestError) throw error;
		throw new IngestError(400, 'invalid_encoding', 'the file is not valid UTF-8 (or not valid gzip)');
	}
}

/** What an import has done so far; kept when it stops part-way, since the chunks before were stored. */
export interface ImportTotals {
	accepted: number;
	duplicates: number;
	rejectedCount: number;
	/** The first `MAX_REPORTED_REJECTIONS` rejected rows, in row order. */
	rejected: Rejection[];
	/** Counted by the ingestion monitor, not part of the answer. */
	redactions: number;
}

const importTotals = (): ImportTotals => ({
	accepted: 0,
	duplicates: 0,
	rejectedCount: 0,
	rejected: [],
	redactions: 0
});

/**
 * `POST /api/v1/import/csv?kind=…` with a write key (Bearer): a header row naming native fields (`id`, `ts`,
 * `customerId`, then the kind's fields; `comment`/`transcript` may name the text column), one event a row. Rows
 * stream through the same pipeline as the APIs in chunks of 1,000; `id` makes a re-upload idempotent. Answers
 * the counts, with up to 1,000 row rejections (`index` = row number, 1 = the first data row). The ingestion
 * monitor counts the import once, under the key's source, as route `csv import <kind>`.
 */
export async function handleCsvImport(
	request: Request,
	kind: string | null,
	ctx: IngestContext
): Promise<Response> {
	const valid = !!kind && (CSV_KINDS as readonly string[]).includes(kind);
	const route = valid ? `csv import ${kind}` : 'csv import';
	let sourceId: number | null = null;
	const total = importTotals();
	const record = (failure?: RequestFailure) =>
		ctx.monitor.recordImport({
			sourceId,
			route,
			at: Date.now(),
			accepted: total.accepted,
			duplicates: total.duplicates,
			rejected: total.rejectedCount,
			redactions: total.redactions,
			rejections: total.rejected,
			failure
		});
	try {
		if (!valid) throw new IngestError(400, 'bad_request', `kind must be one of ${CSV_KINDS.join(', ')}`);
		sourceId = authenticate(ctx.db, keyFromHeaders(request.headers)).sourceId;
		const type = request.headers.get('content-type')?.split(';')[0].trim().toLowerCase() ?? '';
		if (!['text/csv', 'application/csv', 'text/plain', ''].includes(type))
			throw new IngestError(415, 'unsupported_media_type', `Content-Type ${type} is not accepted`, {
				accepted: ['text/csv']
			});
		await importRows(ctx, sourceId, kind as CsvKind, textChunks(request), total);
		record();
		const { accepted, duplicates, rejectedCount, rejected } = total;
		return jsonResponse(200, { accepted, duplicates, rejectedCount, rejected });
	} catch (caught) {
		const error = caught instanceof CsvError ? new IngestError(400, 'bad_request', caught.message) : caught;
		record(refusal(error));
		return errorResponse(error);
	}
}

/**
 * Streams the rows through the pipeline, adding to `total` chunk by chunk (it holds what was done on a throw).
 * The caller records the import in the ingestion monitor, once (`handleCsvImport` does).
 */
export async function importRows(
	ctx: IngestContext,
	sourceId: number,
	kind: CsvKind,
	text: AsyncIterable<string>,
	total = importTotals()
): Promise<ImportTotals> {
	let header: string[] | undefined;
	let chunk: Candidate[] = [];
	const batch = (items: Candidate[]): ParsedBatch => ({
		items,
		messages: [],
		itemPath: (index) => `rows[${index}]`,
		fieldPath: (field) => field
	});
	const flush = async () => {
		if (!chunk.length) return;
		const outcome = await ingestBatch(ctx, sourceId, batch(chunk), Date.now());
		total.accepted += outcome.accepted;
		total.duplicates += outcome.duplicates;
		total.rejectedCount += outcome.rejected.length;
		for (const r of outcome.rejected)
			if (total.rejected.length < MAX_REPORTED_REJECTIONS) total.rejected.push(r);
		total.redactions += redactionTotal(outcome.redacted);
		chunk = [];
	};
	let index = 0;
	for await (const record of csvRecords(text)) {
		if (!header) {
			header = record.map((h) => h.trim());
			if (!header.includes('id')) throw new IngestError(400, 'bad_request', 'the header needs an id column');
			continue;
		}
		chunk.push(csvRow(kind, header, record, ++index));
		if (chunk.length >= CHUNK_ROWS) await flush();
	}
	if (!header) throw new IngestError(400, 'bad_request', 'the file is empty');
	await flush();
	return total;
}
