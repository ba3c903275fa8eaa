import { describe, expect, it } from 'vitest';
import { parseCsv } from '$lib/components/dashboards/csv';
import {
	errorMessage,
	errorReportCsv,
	formatBytes,
	importUrl,
	percentSent,
	previewSlice,
	targetLabel
} from './csv-upload';
import { CSV_TARGETS } from '$lib/server/ingest/csv-import';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('previewSlice', () => {
	it('keeps a whole file as it is, even without a final newline', () => {
		expect(text(previewSlice(bytes('id,score\na,1'), true))).toBe('id,score\na,1');
	});

	it('cuts a partial file after its last complete line', () => {
		expect(text(previewSlice(bytes('id,score\na,1\nb,2\nc,'), false))).toBe('id,score\na,1\nb,2\n');
	});

	it('does not cut at a newline inside a quoted cell', () => {
		const start = 'id,text\na,"one\ntwo"\nb,"three\nfo';
		expect(text(previewSlice(bytes(start), false))).toBe('id,text\na,"one\ntwo"\n');
	});

	it('never splits a Chinese character', () => {
		const cut = bytes('客户号,score\n张三,1\n李').subarray(0, -1); // half of 李
		expect(text(previewSlice(cut, false))).toBe('客户号,score\n张三,1\n');
	});

	it('sends a slice without any line end unchanged', () => {
		expect(text(previewSlice(bytes('a,b,c'), false))).toBe('a,b,c');
	});
});

describe('importUrl', () => {
	it('names kind and source, and leaves out an empty mapping and the dry run', () => {
		const url = new URL(importUrl({ kind: 'feedback', sourceId: 3, mapping: {}, dryRun: false }), 'http://x');
		expect(url.pathname).toBe('/api/v1/import/csv');
		expect([...url.searchParams]).toEqual([
			['kind', 'feedback'],
			['source', '3']
		]);
	});

	it('carries the changed columns as JSON, Chinese names included, and the dry run flag', () => {
		const mapping = { 客户号: 'customerId', 'a&b=c': 'ignore' };
		const url = new URL(importUrl({ kind: 'contact', sourceId: 12, mapping, dryRun: true }), 'http://x');
		expect(JSON.parse(url.searchParams.get('map') ?? '')).toEqual(mapping);
		expect(url.searchParams.get('dryRun')).toBe('1');
		expect(url.search).not.toContain('客'); // encoded, not raw
	});
});

describe('errorMessage', () => {
	it("reads the endpoint's error message", () => {
		const body = JSON.stringify({ error: { code: 'invalid', message: 'source: required', details: null } });
		expect(errorMessage(400, body)).toBe('source: required');
	});

	it('falls back to the status for anything else', () => {
		expect(errorMessage(502, '<html>Bad gateway</html>')).toBe('HTTP 502');
		expect(errorMessage(500, '{"error":{}}')).toBe('HTTP 500');
	});
});

describe('errorReportCsv', () => {
	it('has a row and errors column, one line per rejected row', () => {
		const csv = errorReportCsv([
			{ index: 2, errors: ['rows[2].score: must be 1–5', 'rows[2].ts: not a date'] },
			{ index: 7, errors: ['rows[7]: 3 cells, the header has 4'] }
		]);
		expect(parseCsv(csv)).toEqual([
			['row', 'errors'],
			['2', 'rows[2].score: must be 1–5; rows[2].ts: not a date'],
			['7', 'rows[7]: 3 cells, the header has 4']
		]);
	});

	it('is only the header when nothing was rejected', () => {
		expect(parseCsv(errorReportCsv([]))).toEqual([['row', 'errors']]);
	});
});

describe('percentSent', () => {
	it('rounds down and stays within 0–100', () => {
		expect(percentSent(0, 0)).toBe(0);
		expect(percentSent(999, 1000)).toBe(99);
		expect(percentSent(1000, 1000)).toBe(100);
		expect(percentSent(1200, 1000)).toBe(100);
	});
});

describe('formatBytes', () => {
	it('picks bytes, kB or MB', () => {
		expect(formatBytes(512, 'en')).toBe('512 byte');
		expect(formatBytes(1536, 'en')).toBe('1.5 kB');
		expect(formatBytes(100 * 2 ** 20, 'en')).toBe('100 MB');
	});
});

describe('targetLabel', () => {
	it('says what every field of every kind is, beside its name', () => {
		for (const target of new Set(Object.values(CSV_TARGETS).flat())) {
			const label = targetLabel(target);
			expect(label).not.toBe(target);
			if (target !== 'properties' && target !== 'ignore')
				expect(label).toMatch(new RegExp(`^${target} · .+`));
		}
		// In the test's locale (either language).
		expect(['customerId · Customer', 'customerId · 客户']).toContain(targetLabel('customerId'));
	});
});
