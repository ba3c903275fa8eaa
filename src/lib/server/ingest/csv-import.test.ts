import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleCsvImport } from './csv-import';
import { csvRecords } from './formats/csv';
import { bearer, ingestFixture, storedEvents } from './testing';

async function records(...chunks: string[]) {
	async function* gen() {
		yield* chunks;
	}
	const out: string[][] = [];
	for await (const r of csvRecords(gen())) out.push(r);
	return out;
}

describe('csvRecords', () => {
	it('reads quotes, doubled quotes, CRLF, BOM and records split across chunks', async () => {
		expect(await records('\uFEFFid,text\r\n1,"a, ""b""\r\nc"\r\n2,', 'plain\n\n3,x')).toEqual([
			['id', 'text'],
			['1', 'a, "b"\r\nc'],
			['2', 'plain'],
			['3', 'x']
		]);
		await expect(records('id\n"open')).rejects.toThrow(/quoted/);
	});
});

let fx: ReturnType<typeof ingestFixture>;
beforeEach(() => (fx = ingestFixture()));
afterEach(() => fx.ctx.close());

const upload = async (kind: string, csv: string | Uint8Array, headers: Record<string, string> = {}) => {
	const response = await handleCsvImport(
		new Request(`http://x/api/v1/import/csv?kind=${kind}`, {
			method: 'POST',
			headers: { 'content-type': 'text/csv', ...bearer(fx.key), ...headers },
			body: csv as BodyInit
		}),
		kind,
		fx.ctx
	);
	return { status: response.status, body: await response.json() };
};

describe('CSV import', () => {
	const ts = new Date(Date.now() - 3600_000).toISOString();
	const csv = [
		'id,ts,customerId,metric,score,comment,channel,survey',
		`r1,${ts},c1,nps,9,"满意，电话13812345678",phone,Q1`,
		`r2,${ts},c2,csat,7,,app,Q1`,
		`r3,${Date.now() - 1000},c3,ces,5,,app,`,
		`r4,${ts},c4,nps`
	].join('\n');

	it('imports rows, reports row errors and is idempotent on the id column', async () => {
		const first = await upload('feedback', csv);
		expect(first).toMatchObject({ status: 200, body: { accepted: 2, duplicates: 0, rejectedCount: 2 } });
		expect(first.body.rejected).toEqual([
			{ index: 2, errors: ['rows[2].score: must be 1–5 for csat'] },
			{ index: 4, errors: ['rows[4]: 4 cells, the header has 8'] }
		]);
		const rows = storedEvents(fx.db);
		expect(rows[0]).toMatchObject({ id: 'r1', type: 'feedback', score: 9, text: '满意，电话[手机号]' });
		expect(rows[0].properties).toEqual({ survey: 'Q1' });
		const again = await upload('feedback', gzipSync(csv), { 'content-encoding': 'gzip' });
		expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 });
		expect(storedEvents(fx.db)).toHaveLength(2);
	});

	it('is counted by the ingestion monitor once per import, under its source, with its first row errors', async () => {
		await upload('feedback', csv);
		const rows = Array.from({ length: 2500 }, (_, i) => `m${i},${ts},c${i},journey_step,app`);
		// 2,500 rows (three chunks of the pipeline), one of them a duplicate of the first.
		await upload('journey', ['id,ts,customerId,name,channel', ...rows, rows[0]].join('\n'));
		const source = fx.ctx.monitor.status().sources.find((s) => s.sourceId === fx.sourceId);
		expect(source?.sinceStart).toMatchObject({
			requests: 2,
			accepted: 2502,
			duplicates: 1,
			rejected: 2,
			redactions: 1,
			failedRequests: 0
		});
		expect(source?.lastHourByMinute.accepted.slice(-2).reduce((a, b) => a + b)).toBe(2502);
		// Newest first, as for a batch: the import's rows 4 and 2, each naming its row and field.
		expect(source?.rejections).toEqual([
			expect.objectContaining({
				route: 'csv import feedback',
				index: 4,
				errors: ['rows[4]: 4 cells, the header has 8']
			}),
			expect.objectContaining({
				route: 'csv import feedback',
				index: 2,
				errors: ['rows[2].score: must be 1–5 for csat']
			})
		]);
	});

	it('counts an import refused whole as a refused request, under its source once the key is known', async () => {
		await upload('nope', csv);
		await upload('journey', csv, { authorization: '' });
		await upload('journey', 'a,b\n1,2');
		const status = fx.ctx.monitor.status();
		const unknown = status.sources.find((s) => s.sourceId === null);
		expect(unknown?.sinceStart).toMatchObject({ requests: 2, failedByStatus: { '400': 1, '401': 1 } });
		expect(unknown?.failures.map((f) => f.route)).toEqual(['csv import journey', 'csv import']);
		const source = status.sources.find((s) => s.sourceId === fx.sourceId);
		expect(source?.failures).toEqual([
			expect.objectContaining({
				route: 'csv import journey',
				status: 400,
				message: 'the header needs an id column'
			})
		]);
	});

	it('refuses a bad kind, a missing key, a file without id column and bad UTF-8', async () => {
		expect((await upload('nope', csv)).status).toBe(400);
		expect((await upload('journey', csv, { authorization: '' })).status).toBe(401);
		expect((await upload('journey', 'a,b\n1,2')).body.error.message).toMatch(/id column/);
		expect((await upload('journey', Uint8Array.from([0x69, 0x64, 0x0a, 0xff]))).body.error.code).toBe(
			'invalid_encoding'
		);
		expect((await upload('journey', csv, { 'content-type': 'application/json' })).status).toBe(415);
	});
});
