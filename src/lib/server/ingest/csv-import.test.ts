import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
	CSV_LIMITS,
	CSV_TARGETS,
	csvImportAnswerSchema,
	csvPreviewSchema,
	handleCsvImport,
	PREVIEW_ROWS
} from './csv-import';
import { csvRecords } from './formats/csv';
import type { AuthUser } from '$lib/server/auth/types';
import type { Role } from '$lib/server/db/schema';
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

/** Posts a CSV with the fixture's write key (or as `user`, with `headers` such as an empty authorization). */
const post = async (
	query: string,
	csv: string | Uint8Array,
	headers: Record<string, string> = {},
	user: AuthUser | null = null
) => {
	const response = await handleCsvImport(
		new Request(`http://x/api/v1/import/csv?${query}`, {
			method: 'POST',
			headers: { 'content-type': 'text/csv', ...(user ? {} : bearer(fx.key)), ...headers },
			body: csv as BodyInit
		}),
		fx.ctx,
		user
	);
	return { status: response.status, headers: response.headers, body: await response.json() };
};
const upload = (kind: string, csv: string | Uint8Array, headers: Record<string, string> = {}) =>
	post(`kind=${kind}`, csv, headers);
const person = (role: Role, via: AuthUser['via'] = 'session'): AuthUser => ({
	id: `u-${role}`,
	email: `${role}@bank.example`,
	name: role,
	role,
	teams: [],
	via
});

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
				message: 'the header needs an id column (or a column mapped to id)'
			})
		]);
	});

	it('redacts personal data in columns kept as properties, counted like text', async () => {
		const r = await upload(
			'feedback',
			[
				'id,ts,customerId,metric,score,联系电话,email,备用',
				`p1,${ts},c1,nps,9,１３８１２３４５６７８,zhang@example.com,卡号 6222 0212 3456 7890 128`
			].join('\n')
		);
		expect(r.body).toMatchObject({ accepted: 1, rejectedCount: 0 });
		expect(storedEvents(fx.db)[0].properties).toEqual({
			联系电话: '[手机号]',
			email: '[邮箱]',
			备用: '卡号 [卡号]'
		});
		const source = fx.ctx.monitor.status().sources.find((s) => s.sourceId === fx.sourceId);
		expect(source?.sinceStart.redactions).toBe(3);
	});

	it('rejects a row with a cell or a row over the limits, naming the column, and keeps the others', async () => {
		const long = 'x'.repeat(CSV_LIMITS.cellChars + 1);
		const wide = Array.from({ length: 4 }, () => 'y'.repeat(CSV_LIMITS.cellChars - 10)).join(',');
		const r = await upload(
			'journey',
			[
				'id,ts,customerId,name,note',
				`j1,${ts},c1,step,ok`,
				`j2,${ts},c2,step,${long}`,
				`j3,${ts},c3,step,"${long}"`,
				`j4,${ts},c4,step,${wide}`,
				`j5,${ts},c5,step,ok`
			].join('\n')
		);
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ accepted: 2, rejectedCount: 3 });
		expect(r.body.rejected).toEqual([
			{ index: 2, errors: [`rows[2].note: over ${CSV_LIMITS.cellChars} characters (the limit of a cell)`] },
			{ index: 3, errors: [`rows[3].note: over ${CSV_LIMITS.cellChars} characters (the limit of a cell)`] },
			{ index: 4, errors: [`rows[4]: over ${CSV_LIMITS.rowChars} characters (the limit of a row)`] }
		]);
		expect(storedEvents(fx.db).map((e) => e.id)).toEqual(['j1', 'j5']);
		const header = await upload('journey', `id,ts,customerId,${long}\nj6,${ts},c6`);
		expect(header).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
	});

	it('counts rows against the write key’s rate limit: refused at the start, paced once under way', async () => {
		await fx.ctx.close();
		fx = ingestFixture({ defaultRatePerSecond: 500 });
		const rows = (prefix: string, n: number) =>
			[
				'id,ts,customerId,name',
				...Array.from({ length: n }, (_, i) => `${prefix}${i},${ts},c${i},step`)
			].join('\n');
		// The bucket holds a full batch (2,500 events): this import takes it all, in three chunks, at once.
		expect((await upload('journey', rows('a', 2500))).body).toMatchObject({ accepted: 2500 });
		// 1,000 more need two seconds of refill: refused whole, like a batch.
		const refused = await upload('journey', rows('b', 1000));
		expect(refused.status).toBe(429);
		expect(refused.body.error.code).toBe('rate_limited');
		const retryAfter = Number(refused.headers.get('retry-after'));
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(storedEvents(fx.db)).toHaveLength(2500);
		// After Retry-After the import starts; its chunks then wait for their tokens: 3,000 rows from a bucket of
		// at most 2,500 take at least a second at 500 a second.
		await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
		const started = Date.now();
		expect((await upload('journey', rows('c', 3000))).body).toMatchObject({ accepted: 3000 });
		expect(Date.now() - started).toBeGreaterThanOrEqual(990);
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

	const bank = [
		'编号,时间,客户号,metric,满意度,备注,内部',
		`b1,${ts},c1,csat,5,很好,x`,
		`b2,${ts},c2,csat,9,,x`,
		`b3,${ts},c3,nps,10,回电13812345678,x`
	].join('\n');
	const bankMap = {
		编号: 'id',
		时间: 'ts',
		客户号: 'customerId',
		满意度: 'score',
		备注: 'text',
		内部: 'ignore'
	};
	const mapped = (extra = '') => `kind=feedback&map=${encodeURIComponent(JSON.stringify(bankMap))}${extra}`;

	it('reads columns as the fields the map names, leaving out ignored ones', async () => {
		const answer = await post(mapped(), bank);
		expect(csvImportAnswerSchema.strict().parse(answer.body)).toMatchObject({
			accepted: 2,
			rejectedCount: 1
		});
		expect(answer.body.rejected).toEqual([{ index: 2, errors: ['rows[2].score: must be 1–5 for csat'] }]);
		const rows = storedEvents(fx.db);
		expect(rows.map((r) => [r.id, r.customerId, r.score, r.text])).toEqual([
			['b1', 'c1', 5, '很好'],
			['b3', 'c3', 10, '回电[手机号]']
		]);
		expect(rows[0].properties).toEqual({});
	});

	it('refuses a map that names no field of the kind, a field read twice, or no id', async () => {
		const bad = await post(`kind=journey&map=${encodeURIComponent('{"备注":"score"}')}`, bank);
		expect(bad.status).toBe(400);
		expect(bad.body.error.message).toMatch(/^map\.备注: must be one of id, ts, customerId, name/);
		expect((await post('kind=feedback&map=%7Bnope', bank)).body.error.message).toMatch(
			/^map: not valid JSON/
		);
		expect((await post('kind=feedback&map=%5B%5D', bank)).body.error.message).toMatch(
			/^map: must be an object/
		);
		const twice = await post(`kind=feedback&map=${encodeURIComponent('{"编号":"id","客户号":"id"}')}`, bank);
		expect(twice.body.error.message).toBe('map.客户号: id is already read from the column "编号"');
		expect((await post('kind=feedback', bank)).body.error.message).toMatch(/needs an id column/);
		expect(storedEvents(fx.db)).toEqual([]);
		expect(CSV_TARGETS.journey).toEqual([
			'id',
			'ts',
			'customerId',
			'name',
			'channel',
			'journey',
			'properties',
			'ignore'
		]);
	});

	it('previews the first rows as they would be stored, writing and counting nothing', async () => {
		const many = [bank, ...Array.from({ length: 50 }, (_, i) => `m${i},${ts},c${i},csat,4,,x`)].join('\n');
		const preview = await post(mapped('&dryRun=1'), many);
		expect(preview.status).toBe(200);
		csvPreviewSchema.strict().parse(preview.body);
		expect(preview.body.columns).toEqual(['编号', '时间', '客户号', 'metric', '满意度', '备注', '内部']);
		expect(preview.body.mapping).toEqual(['id', 'ts', 'customerId', 'metric', 'score', 'text', 'ignore']);
		expect(preview.body.targets).toEqual(CSV_TARGETS.feedback);
		expect(preview.body.rows).toHaveLength(PREVIEW_ROWS);
		expect(preview.body.rows[0]).toMatchObject({ index: 1, event: { id: 'b1', customerId: 'c1', score: 5 } });
		expect(preview.body.rows[1]).toEqual({ index: 2, errors: ['rows[2].score: must be 1–5 for csat'] });
		expect(preview.body.rows[2].event.text).toBe('回电[手机号]');
		// Without a map, unknown columns are kept in properties.
		const plain = await post('kind=feedback&dryRun=1', bank.replace('编号', 'id'));
		// Without a map, columns named by a common alias are read as their field; the rest are kept in properties.
		expect(plain.body.mapping).toEqual([
			'id',
			'ts',
			'customerId',
			'metric',
			'properties',
			'text',
			'properties'
		]);
		const english = await post(
			'kind=contact&dryRun=1',
			'event_id,timestamp,customer,agent,comment,customerId\nx,1,c,a,t,c2'
		);
		// customerId has a column of its own name: the alias column "customer" is kept in properties.
		expect(english.body.mapping).toEqual(['id', 'ts', 'properties', 'agentId', 'text', 'customerId']);
		const mappedAway = await post(
			`kind=contact&dryRun=1&map=${encodeURIComponent('{"x":"customerId"}')}`,
			'id,customer,x\n1,c,c2'
		);
		expect(mappedAway.body.mapping).toEqual(['id', 'properties', 'customerId']);
		// A mapping that cannot read rows: the columns come back with the problem, for the page to mend.
		const noId = await post('kind=feedback&dryRun=1', bank);
		expect(csvPreviewSchema.strict().parse(noId.body)).toMatchObject({
			columns: ['编号', '时间', '客户号', 'metric', '满意度', '备注', '内部'],
			rows: [],
			problem: 'the header needs an id column (or a column mapped to id)'
		});
		const twice = await post(
			`kind=feedback&dryRun=1&map=${encodeURIComponent('{"编号":"id","客户号":"id"}')}`,
			bank
		);
		expect(twice.body.problem).toBe('map.客户号: id is already read from the column "编号"');
		expect(storedEvents(fx.db)).toEqual([]);
		expect(
			fx.ctx.monitor.status().sources.find((s) => s.sourceId === fx.sourceId)?.sinceStart.requests ?? 0
		).toBe(0);
	});

	it('lets a signed-in admin import under a chosen source, audited; others are refused', async () => {
		const admin = person('admin');
		const noAuth = { authorization: '' };
		const ok = await post(mapped(`&source=${fx.sourceId}`), bank, noAuth, admin);
		expect(ok.body).toMatchObject({ accepted: 2, duplicates: 0, rejectedCount: 1 });
		expect(storedEvents(fx.db).map((e) => e.sourceId)).toEqual([fx.sourceId, fx.sourceId]);
		const entry = fx.db.$client
			.prepare("SELECT actor_email, target, details FROM audit_log WHERE action = 'data.imported'")
			.get() as Record<string, string>;
		expect(entry).toMatchObject({ actor_email: 'admin@bank.example', target: `source:${fx.sourceId}` });
		expect(JSON.parse(entry.details)).toEqual({ kind: 'feedback', accepted: 2, duplicates: 0, rejected: 1 });
		// Again: idempotent on the id column.
		expect((await post(mapped(`&source=${fx.sourceId}`), bank, noAuth, admin)).body).toMatchObject({
			accepted: 0,
			duplicates: 2
		});

		const refused = async (query: string, user: AuthUser, headers: Record<string, string> = noAuth) => {
			const r = await post(query, bank, headers, user);
			return [r.status, r.body.error.message];
		};
		expect(await refused(mapped(), admin)).toEqual([400, expect.stringMatching(/^source: required/)]);
		expect(await refused(mapped('&source=999'), admin)).toEqual([400, 'source: there is no source 999']);
		expect(await refused(mapped(`&source=${fx.sourceId}`), person('manager'))).toEqual([
			403,
			expect.any(String)
		]);
		expect(await refused(mapped(`&source=${fx.sourceId}`), person('admin', 'read-key'))).toEqual([
			403,
			expect.any(String)
		]);
		expect(
			await refused(mapped(`&source=${fx.sourceId}`), admin, { ...noAuth, origin: 'https://evil.example' })
		).toEqual([403, expect.stringMatching(/evil\.example/)]);
		// A write key names its own source.
		expect((await post(mapped(`&source=${fx.sourceId}`), bank)).body.error.message).toMatch(
			/^source: only for a signed-in admin/
		);
		expect(storedEvents(fx.db)).toHaveLength(2);
	});
});
