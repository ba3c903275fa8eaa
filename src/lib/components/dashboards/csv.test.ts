import { describe, expect, it } from 'vitest';
import { csvCell, exportFileName, parseCsv, toCsv } from './csv';

describe('CSV', () => {
	it('quotes what needs quoting and defuses spreadsheet formulas', () => {
		expect(csvCell('plain')).toBe('plain');
		expect(csvCell('a,b')).toBe('"a,b"');
		expect(csvCell('say "hi"')).toBe('"say ""hi"""');
		expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
		expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
		expect(csvCell('@cmd')).toBe("'@cmd");
		expect(csvCell(-12.5)).toBe('-12.5');
		expect(csvCell(null)).toBe('');
		expect(csvCell(undefined)).toBe('');
		expect(csvCell(Number.NaN)).toBe('');
		expect(csvCell(true)).toBe('true');
	});

	it('writes a BOM, a header and CRLF lines, and reads back what it wrote', () => {
		const text = toCsv(
			['day', 'value', 'comment'],
			[
				['2025-03-01', 82.5, '服务很好，谢谢'],
				['2025-03-02', null, 'he said "no", then left\r\nagain']
			]
		);
		expect(text.startsWith('\uFEFFday,value,comment\r\n')).toBe(true);
		expect(text.endsWith('\r\n')).toBe(true);
		expect(parseCsv(text)).toEqual([
			['day', 'value', 'comment'],
			['2025-03-01', '82.5', '服务很好，谢谢'],
			['2025-03-02', '', 'he said "no", then left\r\nagain']
		]);
		expect(toCsv(['a'], [], false)).toBe('a\r\n');
	});

	it('makes safe file names', () => {
		const now = Date.parse('2025-03-05T12:00:00Z');
		expect(exportFileName('CSAT trend / 满意度', 'csv', now)).toBe('CSAT-trend-满意度-2025-03-05.csv');
		expect(exportFileName('***', 'png', now)).toBe('export-2025-03-05.png');
	});
});
