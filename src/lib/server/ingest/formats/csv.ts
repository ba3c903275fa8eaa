/**
 * A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM): yields each record
 * as it completes, holding at most one record in memory.
 */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<string[]> {
	let field = '';
	let record: string[] = [];
	let quoted = false;
	let afterQuote = false;
	let first = true;
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
				} else field += c;
				continue;
			}
			if (c === '"') {
				// A doubled quote inside a quoted field, or the opening quote of a field.
				if (afterQuote) field += '"';
				quoted = true;
				afterQuote = false;
			} else if (c === ',') {
				record.push(field);
				field = '';
				afterQuote = false;
			} else if (c === '\n') {
				record.push(field.endsWith('\r') && !afterQuote ? field.slice(0, -1) : field);
				if (record.length > 1 || record[0] !== '') yield record;
				record = [];
				field = '';
				afterQuote = false;
			} else if (c !== '\r' || !afterQuote) {
				field += c;
				afterQuote = false;
			}
		}
	}
	if (quoted) throw new CsvError('the file ends inside a quoted field');
	if (field !== '' || record.length) {
		record.push(field.endsWith('\r') ? field.slice(0, -1) : field);
		if (record.length > 1 || record[0] !== '') yield record;
	}
}

export class CsvError extends Error {}
