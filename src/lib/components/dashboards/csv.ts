/**
 * CSV serialisation (RFC 4180) shared by the events API (`?format=csv`) and the client-side exports of charts and
 * tables, so a file says exactly what the screen and the API say. Text cells that a spreadsheet would run as a
 * formula (starting with = + - @ or a control character) get a leading apostrophe; numbers are written as is.
 */

export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	const text = FORMULA_START.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A CSV document: a header line, one line per row, CRLF line ends. `bom` adds the UTF-8 byte order mark that
 * spreadsheet programs need to read Chinese text correctly.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[], bom = true): string {
	const lines = [header.map(csvCell).join(','), ...rows.map((row) => row.map(csvCell).join(','))];
	return `${bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
}

/** Parses CSV written by toCsv (for tests and comparisons): rows of strings, quotes and doubled quotes undone. */
export function parseCsv(text: string): string[][] {
	const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < body.length; i++) {
		const ch = body[i];
		if (quoted) {
			if (ch === '"' && body[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else cell += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === ',') {
			row.push(cell);
			cell = '';
		} else if (ch === '\r' && body[i + 1] === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
			i++;
		} else cell += ch;
	}
	if (cell !== '' || row.length) {
		row.push(cell);
		rows.push(row);
	}
	return rows;
}

/** A file name safe on every system: the stem, the date and the extension. */
export function exportFileName(stem: string, ext: 'csv' | 'png', now = Date.now()): string {
	const safe = stem
		.normalize('NFKC')
		.replace(/[^\p{L}\p{N}_-]+/gu, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60);
	return `${safe || 'export'}-${new Date(now).toISOString().slice(0, 10)}.${ext}`;
}
