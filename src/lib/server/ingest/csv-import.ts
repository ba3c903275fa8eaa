import { z } from 'zod';
import { audit } from '$lib/server/auth/audit';
import { getSource, type WriteKeyIdentity } from '$lib/server/auth/keys';
import type { AuthUser } from '$lib/server/auth/types';
import { authenticate, keyFromHeaders } from './authenticate';
import type { IngestContext } from './context';
import { badRequest, IngestError, refusal } from './errors';
import { csvRecords, CsvError, type CsvLimits, type CsvRecord } from './formats/csv';
import type { Candidate, ParsedBatch } from './formats/types';
import { errorResponse, jsonResponse } from './http';
import type { RequestFailure } from './monitor';
import { ingestBatch, redactEvents, validateBatch } from './pipeline';
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
/** Fields every kind has. */
const COMMON = ['id', 'ts', 'customerId'] as const;
/** A column kept in `properties` (the default for a column that names no field) or left out. */
const KEEP = 'properties';
const IGNORE = 'ignore';
/** What a CSV column can be read as, per kind (for the `map` parameter and the import page). */
export const CSV_TARGETS: Record<CsvKind, readonly string[]> = {
	feedback: [...COMMON, ...COLUMNS.feedback, KEEP, IGNORE],
	contact: [...COMMON, ...COLUMNS.contact, KEEP, IGNORE],
	journey: [...COMMON, ...COLUMNS.journey, KEEP, IGNORE],
	complaint: [...COMMON, ...COLUMNS.complaint, KEEP, IGNORE]
};

const NUMBERS = new Set(['score', 'waitS', 'handleS']);
/**
 * Other names a column of a field often has in a bank's exports (Chinese and English), read as that field when
 * the kind has it and no mapping says otherwise; the preview shows what each column became.
 */
const ALIASES: Record<string, readonly string[]> = {
	id: ['流水号', '记录号', '记录编号', 'event_id', 'eventid', 'messageid', 'message_id', 'record_id'],
	ts: ['时间', '发生时间', '日期时间', 'timestamp', 'time', 'datetime', 'created_at'],
	customerId: ['客户号', '客户编号', '客户id', 'customer_id', 'customer', 'user_id', 'userid'],
	metric: ['指标'],
	score: ['评分', '分数', '得分'],
	channel: ['渠道'],
	teamId: ['团队', '班组', 'team', 'team_id'],
	agentId: ['坐席', '坐席工号', '工号', 'agent', 'agent_id'],
	queue: ['队列', '技能组'],
	reason: ['来电原因', '诉求', '原因'],
	waitS: ['等待时长', '排队时长'],
	handleS: ['通话时长', '处理时长'],
	outcome: ['处理结果', '结果'],
	contactId: ['联络号', '通话号', 'contact_id'],
	category: ['投诉类别', '类别'],
	severity: ['严重程度'],
	regulator: ['监管转办'],
	name: ['步骤', '事件名'],
	journey: ['旅程'],
	text: ['comment', 'transcript', '备注', '评论', '评价', '意见', '留言', '内容', '文本']
};
const ALIAS_OF = new Map(
	Object.entries(ALIASES).flatMap(([field, names]) => names.map((n) => [n, field] as const))
);
const CHUNK_ROWS = 1000;
const MAX_REPORTED_REJECTIONS = 1000;
/** Data rows a preview (`dryRun=1`) reads. */
export const PREVIEW_ROWS = 20;
/** Bytes of one CSV upload (streamed; never held whole). */
export const CSV_MAX_BYTES = 100 * 1024 * 1024;
/**
 * Characters of one cell (the longest field, text, takes 30,000) and of one row; a row over either is rejected
 * with a message naming it, and is never held in memory whole.
 */
export const CSV_LIMITS: CsvLimits = { cellChars: 30_000, rowChars: 64 * 1024 };

function cell(column: string, value: string): unknown {
	if (value === '') return undefined;
	if (NUMBERS.has(column)) return Number.isFinite(Number(value)) ? Number(value) : value;
	if (column === 'regulator') return ['true', '1', 'yes', '是'].includes(value.trim().toLowerCase());
	if (column === 'ts' && /^\d+$/.test(value)) return Number(value);
	return value;
}

/** A header column and the field it is read as. */
export interface CsvColumn {
	name: string;
	target: string;
}

/**
 * The `map` parameter: a JSON object from column name to target (CSV_TARGETS). Refused with a message naming the
 * column when a target is not a field of the kind.
 */
export function parseMapping(kind: CsvKind, raw: string | null): Map<string, string> {
	const mapping = new Map<string, string>();
	if (raw === null || raw === '') return mapping;
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch {
		throw badRequest('map: not valid JSON (an object from column name to field)');
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
		throw badRequest('map: must be an object from column name to field');
	const targets = CSV_TARGETS[kind];
	for (const [column, target] of Object.entries(parsed)) {
		if (typeof target !== 'string' || !targets.includes(target))
			throw badRequest(`map.${column}: must be one of ${targets.join(', ')} for a ${kind} row`);
		mapping.set(column, target);
	}
	return mapping;
}

/**
 * What each header column is read as: its mapping, else the field it names or an alias of it (ALIASES), else kept
 * in properties. A field read from two columns, or no id column, is refused.
 */
export function csvColumns(kind: CsvKind, header: readonly string[], mapping: ReadonlyMap<string, string>) {
	const columns = readColumns(kind, header, mapping);
	const problem = columnsProblem(columns);
	if (problem) throw badRequest(problem);
	return columns;
}

function readColumns(
	kind: CsvKind,
	header: readonly string[],
	mapping: ReadonlyMap<string, string>
): CsvColumn[] {
	const fields = new Set<string>([...COMMON, ...COLUMNS[kind]]);
	const named = new Set([...header.filter((name) => fields.has(name)), ...mapping.values()]);
	return header.map((name) => {
		if (mapping.has(name)) return { name, target: mapping.get(name) as string };
		if (fields.has(name)) return { name, target: name };
		// An alias only when no column bears the field's own name, and only for the first such column.
		const alias = ALIAS_OF.get(name.toLowerCase());
		if (alias && fields.has(alias) && !named.has(alias)) {
			named.add(alias);
			return { name, target: alias };
		}
		return { name, target: KEEP };
	});
}

/** Why rows cannot be read with these columns (a field read from two columns, no id), or null. */
function columnsProblem(columns: readonly CsvColumn[]): string | null {
	const from = new Map<string, string>();
	for (const { name, target } of columns) {
		if (target === KEEP || target === IGNORE) continue;
		const other = from.get(target);
		if (other !== undefined) return `map.${name}: ${target} is already read from the column "${other}"`;
		from.set(target, name);
	}
	return from.has('id') ? null : 'the header needs an id column (or a column mapped to id)';
}

/** Turns a data row into a native-shaped candidate; the row number (1 = first data row) is its index. */
export function csvRow(
	kind: CsvKind,
	columns: readonly CsvColumn[],
	row: CsvRecord,
	index: number
): Candidate {
	const overflow = row.overflow;
	if (overflow && 'row' in overflow)
		return { index, errors: [`rows[${index}]: over ${CSV_LIMITS.rowChars} characters (the limit of a row)`] };
	if (overflow) {
		const column = columns[overflow.cell]?.name ?? `column ${overflow.cell + 1}`;
		return {
			index,
			errors: [`rows[${index}].${column}: over ${CSV_LIMITS.cellChars} characters (the limit of a cell)`]
		};
	}
	if (row.length !== columns.length)
		return { index, errors: [`rows[${index}]: ${row.length} cells, the header has ${columns.length}`] };
	const event: Record<string, unknown> = { type: kind };
	const properties: Record<string, string> = {};
	columns.forEach(({ name, target }, i) => {
		if (target === IGNORE) return;
		if (target === KEEP) {
			if (row[i] !== '') properties[name] = row[i];
			return;
		}
		const value = cell(target, row[i]);
		if (value !== undefined) event[target] = value;
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

const rowNumber = z.number().int().describe('The row number: 1 is the first data row.');

/** The answer of an import (for the OpenAPI document). */
export const csvImportAnswerSchema = z.object({
	accepted: z.number().int(),
	duplicates: z.number().int().describe('Rows whose id this source had already sent.'),
	rejectedCount: z.number().int(),
	rejected: z
		.array(z.object({ index: rowNumber, errors: z.array(z.string()) }))
		.describe(`The first ${MAX_REPORTED_REJECTIONS} rejected rows; each message names the row and field.`)
});

/** The answer of a preview, `dryRun=1` (for the OpenAPI document). */
export const csvPreviewSchema = z.object({
	columns: z.array(z.string()).describe('The header.'),
	mapping: z.array(z.string()).describe('What each column is read as, in header order.'),
	targets: z.array(z.string()).describe('What a column of this kind can be read as.'),
	rows: z
		.array(
			z.object({
				index: rowNumber,
				event: z.record(z.string(), z.unknown()).optional().describe('The event as it would be stored.'),
				errors: z.array(z.string()).optional()
			})
		)
		.describe(`The first ${PREVIEW_ROWS} rows.`),
	problem: z
		.string()
		.optional()
		.describe(
			'Why no row can be read with this mapping (no id column, a field read twice); rows is then empty.'
		)
});

/** Paces an import under a write key's rate limit: takes each chunk's rows from the key's bucket before it is written. */
type Pace = (rows: number) => Promise<void>;

/**
 * The key's rate limit, as for a batch: an import that finds the bucket short for its first chunk is refused
 * (429, nothing stored); one under way waits for the tokens of each further chunk, so a long file is stored at the
 * key's rate instead of being cut off in the middle.
 */
function keyPace(ctx: IngestContext, identity: WriteKeyIdentity): Pace {
	const rate = identity.rateLimitPerSecond ?? ctx.config.defaultRatePerSecond;
	let started = false;
	return async (rows) => {
		for (;;) {
			const decision = ctx.limiter.take(identity.keyId, rate, rows);
			if (decision.ok) {
				started = true;
				return;
			}
			if (!started)
				throw new IngestError(
					429,
					'rate_limited',
					`over ${rate} events a second for this key; retry after ${decision.retryAfterS} s`,
					{ retryAfterSeconds: decision.retryAfterS },
					{ 'retry-after': String(decision.retryAfterS) }
				);
			const wait = ctx.limiter.waitMs(identity.keyId, rate, rows);
			await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait)));
		}
	};
}

/**
 * Who may import: a write key (its source, paced by its rate limit), or a signed-in admin naming the source with
 * `source` (audited; not paced).
 */
async function importSource(
	request: Request,
	params: URLSearchParams,
	ctx: IngestContext,
	user: AuthUser | null
): Promise<{ sourceId: number; pace?: Pace }> {
	const key = keyFromHeaders(request.headers);
	const source = params.get('source');
	if (key || !user) {
		const identity = await authenticate(ctx.db, key);
		if (source !== null)
			throw badRequest('source: only for a signed-in admin (a write key names its own source)');
		return { sourceId: identity.sourceId, pace: keyPace(ctx, identity) };
	}
	if (user.via !== 'session' || user.role !== 'admin')
		throw new IngestError(403, 'forbidden', 'importing needs a signed-in admin or a write key');
	// A session cookie rides along on cross-site requests: only the app's own pages may upload with it.
	const origin = request.headers.get('origin');
	if (origin !== null && origin !== new URL(request.url).origin)
		throw new IngestError(403, 'forbidden_origin', `origin ${origin} may not import with a session`);
	if (source === null || !/^\d+$/.test(source))
		throw badRequest('source: required when signed in (the id of the source to import under)');
	if (!(await getSource(ctx.db, Number(source)))) throw badRequest(`source: there is no source ${source}`);
	return { sourceId: Number(source) };
}

/**
 * `POST /api/v1/import/csv?kind=…`, with a write key (Bearer) or as a signed-in admin with `source=<id>` (the
 * import page): a header row, one event a row. Columns are read as the fields they name (`id`, `ts`,
 * `customerId`, then the kind's fields, or a common alias such as 客户号 or 备注) unless `map` (a JSON object
 * from column to field, CSV_TARGETS) says otherwise; other columns are kept in properties. Rows stream through the
 * same pipeline as the APIs in chunks of 1,000; `id` makes a re-upload idempotent. Answers the counts, with up to
 * 1,000 row rejections (`index` = row number, 1 = the first data row). A cell or row over CSV_LIMITS is such a
 * row rejection, naming the column; a write key's rows count against its rate limit like a batch's events (see
 * keyPace). Columns kept in properties are PII-redacted like text. The ingestion monitor counts the import
 * once, under its source, as route `csv import <kind>`; an admin's import is also audited.
 *
 * With `dryRun=1` nothing is written: the header and the first PREVIEW_ROWS rows are read and answered as they would
 * be stored (validated, normalized, PII-redacted) or with their errors, for the import page's preview.
 */
export async function handleCsvImport(
	request: Request,
	ctx: IngestContext,
	user: AuthUser | null = null
): Promise<Response> {
	const params = new URL(request.url).searchParams;
	const kind = params.get('kind');
	const valid = !!kind && (CSV_KINDS as readonly string[]).includes(kind);
	const dryRun = params.get('dryRun') === '1';
	const route = valid ? `csv import ${kind}` : 'csv import';
	let sourceId: number | null = null;
	const total = importTotals();
	const record = (failure?: RequestFailure) => {
		if (dryRun) return;
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
	};
	try {
		if (!valid) throw badRequest(`kind must be one of ${CSV_KINDS.join(', ')}`);
		const importer = await importSource(request, params, ctx, user);
		sourceId = importer.sourceId;
		const mapping = parseMapping(kind as CsvKind, params.get('map'));
		const type = request.headers.get('content-type')?.split(';')[0].trim().toLowerCase() ?? '';
		if (!['text/csv', 'application/csv', 'text/plain', ''].includes(type))
			throw new IngestError(415, 'unsupported_media_type', `Content-Type ${type} is not accepted`, {
				accepted: ['text/csv']
			});
		if (dryRun)
			return jsonResponse(
				200,
				(await previewRows(kind as CsvKind, mapping, textChunks(request))) satisfies z.input<
					typeof csvPreviewSchema
				>
			);
		await importRows(ctx, sourceId, kind as CsvKind, textChunks(request), total, mapping, importer.pace);
		record();
		const { accepted, duplicates, rejectedCount, rejected } = total;
		if (user && !keyFromHeaders(request.headers))
			await audit(ctx.db, {
				action: 'data.imported',
				actor: { id: user.id, email: user.email },
				target: `source:${sourceId}`,
				details: { kind, accepted, duplicates, rejected: rejectedCount }
			});
		const answer: z.input<typeof csvImportAnswerSchema> = { accepted, duplicates, rejectedCount, rejected };
		return jsonResponse(200, answer);
	} catch (caught) {
		const error = caught instanceof CsvError ? badRequest(caught.message) : caught;
		record(refusal(error));
		return errorResponse(error);
	}
}

/** A header over the limits cannot name the columns: the file is refused. */
function checkHeader(header: CsvRecord) {
	if (header.overflow)
		throw badRequest(
			`the header row is over ${'row' in header.overflow ? CSV_LIMITS.rowChars : CSV_LIMITS.cellChars} characters`
		);
}

/** A batch of CSV rows for the pipeline: items are named `rows[n]`. */
const rowBatch = (items: Candidate[]): ParsedBatch => ({
	items,
	messages: [],
	itemPath: (index) => `rows[${index}]`,
	fieldPath: (field) => field
});

/** The preview: each of the first rows as it would be stored, or its errors. Reads no further than those rows. */
async function previewRows(kind: CsvKind, mapping: ReadonlyMap<string, string>, text: AsyncIterable<string>) {
	let columns: CsvColumn[] | undefined;
	let problem: string | null = null;
	const candidates: Candidate[] = [];
	for await (const record of csvRecords(text, CSV_LIMITS)) {
		if (!columns) {
			checkHeader(record);
			// A mapping that cannot read rows is answered with the columns, so the page can mend it.
			columns = readColumns(
				kind,
				record.map((h) => h.trim()),
				mapping
			);
			problem = columnsProblem(columns);
			if (problem) break;
		} else candidates.push(csvRow(kind, columns, record, candidates.length + 1));
		if (candidates.length >= PREVIEW_ROWS) break;
	}
	if (!columns) throw badRequest('the file is empty');
	const { valid, rejected } = validateBatch(rowBatch(candidates), Date.now());
	redactEvents(valid);
	const rows = [
		...valid.map(({ index, event }) => ({ index, event: { ...event } })),
		...rejected.map(({ index, errors }) => ({ index, errors }))
	].sort((a, b) => a.index - b.index);
	return {
		columns: columns.map((c) => c.name),
		mapping: columns.map((c) => c.target),
		targets: [...CSV_TARGETS[kind]],
		rows,
		...(problem ? { problem } : {})
	};
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
	total = importTotals(),
	mapping: ReadonlyMap<string, string> = new Map(),
	pace?: Pace
): Promise<ImportTotals> {
	let columns: CsvColumn[] | undefined;
	let chunk: Candidate[] = [];
	const flush = async () => {
		if (!chunk.length) return;
		await pace?.(chunk.length);
		const outcome = await ingestBatch(ctx, sourceId, rowBatch(chunk), Date.now());
		total.accepted += outcome.accepted;
		total.duplicates += outcome.duplicates;
		total.rejectedCount += outcome.rejected.length;
		for (const r of outcome.rejected)
			if (total.rejected.length < MAX_REPORTED_REJECTIONS) total.rejected.push(r);
		total.redactions += redactionTotal(outcome.redacted);
		chunk = [];
	};
	let index = 0;
	for await (const record of csvRecords(text, CSV_LIMITS)) {
		if (!columns) {
			checkHeader(record);
			columns = csvColumns(
				kind,
				record.map((h) => h.trim()),
				mapping
			);
			continue;
		}
		chunk.push(csvRow(kind, columns, record, ++index));
		if (chunk.length >= CHUNK_ROWS) await flush();
	}
	if (!columns) throw badRequest('the file is empty');
	await flush();
	return total;
}
