/** How much of a record the reader keeps, in characters (UTF-16 units). */
export interface CsvLimits {
	cellChars: number;
	rowChars: number;
}

/** A record; `overflow` says which limit it broke (its cells past the limit are cut or left out). */
export type CsvRecord = string[] & { overflow?: { cell: number } | { row: true } };

/**
 * A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM): yields each record
 * as it completes, holding at most one record in memory, and of it at most `limits` (a cell or a row over them is
 * read to its end but not kept, and the record says so).
 */
export async function* csvRecords(
	chunks: AsyncIterable<string>,
	limits: CsvLimits = { cellChars: Infinity, rowChars: Infinity }
): AsyncGenerator<CsvRecord> {
	let field = '';
	let record: CsvRecord = [];
	let rowChars = 0;
	let quoted = false;
	let afterQuote = false;
	let first = true;
	/** Appends to the cell unless that breaks a limit; then marks the record (once). */
	const add = (c: string) => {
		if (++rowChars > limits.rowChars) {
			if (!record.overflow || 'cell' in record.overflow) record.overflow = { row: true };
			return;
		}
		if (field.length >= limits.cellChars) {
			record.overflow ??= { cell: record.length };
			return;
		}
		field += c;
	};
	/** Ends the cell; a row already over its limit keeps no more cells. */
	const endCell = (value: string) => {
		if (!record.overflow || !('row' in record.overflow)) record.push(value);
	};
	for await (let chunk of chunks) {
		if (first) {
			if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
			first = false;
		}
		for (let i = 0; i < chunk.length; i++) {
			const c = chunk[i];
			if (quoted) {
				if (c === '"') {
					quoted = false;
					afterQuote = true;
				} else add(c);
				continue;
			}
			if (c === '"') {
				// A doubled quote inside a quoted field, or the opening quote of a field.
				if (afterQuote) add('"');
				quoted = true;
				afterQuote = false;
			} else if (c === ',') {
				endCell(field);
				field = '';
				afterQuote = false;
			} else if (c === '\n') {
				endCell(field.endsWith('\r') && !afterQuote ? field.slice(0, -1) : field);
				if (record.length > 1 || record[0] !== '' || record.overflow) yield record;
				record = [];
				rowChars = 0;
				field = '';
				afterQuote = false;
			} else if (c !== '\r' || !afterQuote) {
				add(c);
				afterQuote = false;
			}
		}
	}
	if (quoted) throw new CsvError('the file ends inside a quoted field');
	if (field !== '' || record.length || record.overflow) {
		endCell(field.endsWith('\r') ? field.slice(0, -1) : field);
		if (record.length > 1 || record[0] !== '' || record.overflow) yield record;
	}
}

export class CsvError extends Error {}
