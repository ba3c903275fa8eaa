import { afterEach, describe, expect, it } from 'vitest';
import { testEngines } from '$lib/server/testing/postgres';
import { byEngine, type Storage } from '$lib/server/db/storage';
import { closeIngestion, ingestContext } from './context';
import { ingestionStatus } from './status';
import { ingestStores } from './store';

const sql = {
	sqlite: (s: Storage & { engine: 'sqlite' }, text: string) => void s.db.$client.prepare(text).run(),
	postgres: (s: Storage & { engine: 'postgres' }, text: string) => s.db.$client.unsafe(text)
};
async function run(storage: Storage, text: string) {
	if (storage.engine === 'sqlite') sql.sqlite(storage, text);
	else await sql.postgres(storage, text);
}

describe.each(testEngines)('ingestion status and sources on $engine', ({ open }) => {
	let close: () => Promise<void> = async () => {};
	afterEach(() => close());

	it('names the sources that sent, and answers which origins any source allows', async () => {
		const opened = await open();
		const storage = opened.storage;
		close = async () => {
			await closeIngestion(storage);
			await opened.close();
		};
		await run(
			storage,
			`INSERT INTO sources (id, name, allowed_origins, created_at) VALUES
			 (1, 'app', '["https://bank.example"]', 0), (2, 'web', '[]', 0)`
		);
		const ctx = ingestContext(storage);
		expect(ingestContext(storage)).toBe(ctx);
		expect(ctx.storage.engine).toBe(storage.engine);
		const outcome = { accepted: 3, duplicates: 1, rejected: [], ignored: [], redacted: {} };
		for (const sourceId of [1, 9, null])
			ctx.monitor.recordRequest({ sourceId, route: 'native', at: Date.now(), outcome } as never);
		const status = await ingestionStatus(storage);
		const bySource = (a: unknown[], b: unknown[]) => Number(a[0] ?? 0) - Number(b[0] ?? 0);
		expect(status.sources.map((s) => [s.sourceId, s.name]).sort(bySource)).toEqual([
			[null, null],
			[1, 'app'],
			[9, null]
		]);
		expect(status.sources.find((s) => s.sourceId === 1)?.sinceStart.accepted).toBe(3);
		const store = byEngine(storage, ingestStores);
		expect(await store.originAllowedAnywhere('https://bank.example')).toBe(true);
		expect(await store.originAllowedAnywhere('https://evil.example')).toBe(false);
		await run(storage, `UPDATE sources SET allowed_origins = '["*"]' WHERE id = 2`);
		expect(await store.originAllowedAnywhere('https://evil.example')).toBe(true);
		expect([...(await store.sourceNames([2, 1, 5]))].sort()).toEqual([
			[1, 'app'],
			[2, 'web']
		]);
	});
});
