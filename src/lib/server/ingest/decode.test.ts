import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
	bodyKind,
	BROWSER_TYPES,
	checkEventSizes,
	jsonBytesAtMost,
	decodeText,
	decompress,
	JSON_TYPES,
	NDJSON_TYPES,
	parseJson,
	parseNdjson,
	readBody
} from './decode';
import { IngestError } from './errors';

function statusOf(fn: () => unknown): number | undefined {
	try {
		fn();
	} catch (error) {
		return error instanceof IngestError ? error.status : -1;
	}
	return undefined;
}

async function statusOfAsync(fn: () => Promise<unknown>): Promise<number | undefined> {
	try {
		await fn();
	} catch (error) {
		return error instanceof IngestError ? error.status : -1;
	}
	return undefined;
}

describe('decode', () => {
	const accepted = { ...JSON_TYPES, ...NDJSON_TYPES };
	it('reads content types', () => {
		const h = (t?: string) => new Headers(t ? { 'content-type': t } : {});
		expect(bodyKind(h('application/json; charset=utf-8'), accepted)).toBe('json');
		expect(bodyKind(h('application/x-ndjson'), accepted)).toBe('ndjson');
		expect(bodyKind(h(), accepted)).toBe('json');
		expect(bodyKind(h('text/plain'), { ...JSON_TYPES, ...BROWSER_TYPES })).toBe('json');
		expect(statusOf(() => bodyKind(h('text/plain'), accepted))).toBe(415);
		expect(statusOf(() => bodyKind(h('text/csv'), accepted))).toBe(415);
		expect(statusOf(() => bodyKind(h('multipart/form-data; boundary=x'), accepted))).toBe(415);
	});

	it('limits the body while reading it', async () => {
		const big = new Uint8Array(600 * 1024);
		const streamed = new Request('http://x/', {
			method: 'POST',
			body: new Blob([big]).stream(),
			duplex: 'half'
		} as RequestInit);
		expect(await statusOfAsync(() => readBody(streamed))).toBe(413);
		expect(await readBody(new Request('http://x/', { method: 'POST', body: 'abc' }))).toHaveLength(3);
	});

	it('gunzips within the limit, and refuses bombs and broken gzip', async () => {
		const text = JSON.stringify({ a: 'b' });
		expect(Buffer.from(await decompress(gzipSync(text), 'gzip')).toString()).toBe(text);
		const bomb = gzipSync(Buffer.alloc(5 * 1024 * 1024, 32));
		expect(bomb.length).toBeLessThan(10_000);
		expect(await statusOfAsync(() => decompress(bomb, 'gzip'))).toBe(413);
		expect(await statusOfAsync(() => decompress(Buffer.from('not gzip'), 'gzip'))).toBe(400);
		expect(await statusOfAsync(() => decompress(Buffer.from('x'), 'br'))).toBe(415);
	});

	it('decodes UTF-8 strictly', () => {
		expect(decodeText(Buffer.from('{"a":"共鸣"}'))).toBe('{"a":"共鸣"}');
		expect(statusOf(() => decodeText(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])))).toBe(400);
		expect(statusOf(() => decodeText(Uint8Array.from([0xe5, 0x85])))).toBe(400);
	});

	it('parses JSON and NDJSON, naming the bad line', () => {
		expect(parseJson('{"a":1}')).toEqual({ a: 1 });
		expect(statusOf(() => parseJson('{"a":'))).toBe(400);
		expect(statusOf(() => parseJson(''))).toBe(400);
		expect(parseNdjson('{"a":1}\n\n{"b":2}\r\n')).toEqual([{ a: 1 }, { b: 2 }]);
		expect(() => parseNdjson('{"a":1}\n{"b":')).toThrow(/line 2/);
	});

	it('limits each event to 32 KB', () => {
		const items = [{ a: 'x' }, { a: 'x'.repeat(33 * 1024) }];
		expect(statusOf(() => checkEventSizes(items, 40_000, (i) => `batch[${i}]`))).toBe(413);
		expect(() => checkEventSizes(items, 40_000, (i) => `batch[${i}]`)).toThrow(/batch\[1\]/);
		expect(statusOf(() => checkEventSizes([{ a: 1 }], 100, String))).toBeUndefined();
		// Just over the limit, in escapes and in CJK: the bound cannot clear them, the exact measure rejects them.
		const escapes = { t: '\u0001'.repeat(5_500) };
		const cjk = { t: '共'.repeat(11_000) };
		for (const item of [escapes, cjk]) {
			expect(Buffer.byteLength(JSON.stringify(item))).toBeGreaterThan(32 * 1024);
			expect(statusOf(() => checkEventSizes([{ a: 1 }, item], 40_000, String))).toBe(413);
		}
		// Deep nesting that JSON.stringify cannot serialize is a 400 naming the item.
		let deep: unknown = 1;
		for (let i = 0; i < 20_000; i++) deep = [deep];
		expect(statusOf(() => checkEventSizes([{ a: 1 }, deep], 40_000, (i) => `batch[${i}]`))).toBe(400);
	});

	it('bounds the JSON size of any parsed value from above', () => {
		const pieces = ['', 'a', '"', '\\', '\n', '\u0001', '\u007f', 'é', '共鸣', '😀', '\ud800', '</script>'];
		let seed = 7;
		const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
		const value = (depth: number): unknown => {
			const r = random();
			if (depth > 4 || r < 0.3)
				return Array.from(
					{ length: Math.floor(random() * 6) },
					() => pieces[Math.floor(random() * pieces.length)]
				).join('');
			if (r < 0.4)
				return [-Number.MAX_VALUE, -Number.MIN_VALUE, -1.2345678901234568e-7, 0, -0, 123456789012345680000][
					Math.floor(random() * 6)
				];
			if (r < 0.5) return [true, false, null][Math.floor(random() * 3)];
			if (r < 0.75) return Array.from({ length: Math.floor(random() * 5) }, () => value(depth + 1));
			return Object.fromEntries(
				Array.from({ length: Math.floor(random() * 5) }, () => [String(value(5)), value(depth + 1)])
			);
		};
		for (let i = 0; i < 3_000; i++) {
			const v = JSON.parse(JSON.stringify(value(0)));
			const exact = Buffer.byteLength(JSON.stringify(v));
			expect(jsonBytesAtMost(v, Infinity, 0)).toBeGreaterThanOrEqual(exact);
			// What checkEventSizes relies on: a value cleared under a limit is under it.
			for (const limit of [exact - 1, Math.floor(exact / 2), 0])
				expect(jsonBytesAtMost(v, limit, 0) <= limit).toBe(false);
		}
	});
});
