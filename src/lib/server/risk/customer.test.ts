import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { writeWithRollups } from '$lib/server/metrics/testing';
import { listAudit } from '$lib/server/auth/audit';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { plantedHistory } from './testing';
import * as risk from './index';

/** One customer's score as the timeline and the embedded card show it (`customerRiskView`), on both engines. */
const T = Date.UTC(2026, 2, 20);

let db: Db;
let pg: TestPostgres;
let engines: Storage[];

beforeAll(async () => {
	db = openDatabase(':memory:');
	for (const week of plantedHistory({ customers: 300, weeks: 10, now: T, signal: true, seed: 5 }))
		writeWithRollups(db, week);
	pg = await mirrorToPostgres(db);
	engines = [sqliteStorage(db), postgresStorage(pg.db)];
}, 120_000);

afterAll(async () => {
	db?.$client.close();
	await pg?.close();
});

describe('a customer’s risk view', { timeout: 120_000 }, () => {
	it('is nothing before a model exists, on both engines', async () => {
		for (const s of engines) expect(await risk.customerRiskView(s, 'cust-0001', null)).toBeNull();
	});

	it('gives the score, its reasons and the model’s held-out AUC; hides the score outside the caller’s teams', async () => {
		const views = [];
		for (const s of engines) {
			const outcome = await risk.trainRisk(s, {
				now: T,
				trainWindows: 3,
				testWindows: 2,
				actor: { id: 'u1', email: 'admin@bank.example' },
				ip: '10.0.0.1'
			});
			expect(outcome).toMatchObject({ trained: true });
			const top = (await risk.listRisk(s, { teams: null, limit: 1 })).customers[0];
			const view = await risk.customerRiskView(s, top.customerId, null);
			const summary = risk.summarizeModel((await risk.currentModel(s))!);
			expect(view).not.toBeNull();
			expect(view!.score).toMatchObject({
				score: top.score,
				regulatorScore: top.regulatorScore,
				reasons: top.reasons
			});
			expect(view!.score!.reasons.length).toBeGreaterThan(0);
			expect(view!.model).toMatchObject({ n: summary.n, positives: summary.positives, auc: summary.auc });
			expect(view!.model.auc95).toEqual(summary.auc95);
			// A manager of the customer's team sees it; of another team, only the model's quality.
			expect((await risk.customerRiskView(s, top.customerId, [top.team!]))!.score).not.toBeNull();
			const other = (await risk.customerRiskView(s, top.customerId, ['team-none']))!;
			expect(other.score).toBeNull();
			expect(other.model.n).toBe(summary.n);
			// A customer the model did not score.
			expect((await risk.customerRiskView(s, 'nobody', null))!.score).toBeNull();
			const { model, ...rest } = view!;
			views.push({ rest, auc: model.auc, n: model.n });
		}
		expect(views[1]).toEqual(views[0]);
	});

	it('audits every training: on demand with who asked, nightly as the system', async () => {
		for (const s of engines) {
			await risk.trainRisk(s, { now: T, trainWindows: 3, testWindows: 2, trigger: 'nightly' });
			const rows = (await listAudit(s, { action: 'risk.model_trained' })).rows;
			expect(rows).toHaveLength(2);
			const model = (await risk.currentModel(s))!;
			const byTrigger = (t: string) => rows.find((r) => (r.details as { trigger: string }).trigger === t)!;
			const nightly = byTrigger('nightly');
			const onDemand = byTrigger('on_demand');
			expect(nightly).toMatchObject({ actorEmail: null, target: `risk_model:${model.id}` });
			expect(nightly.details).toMatchObject({ trigger: 'nightly', scored: 300 });
			expect(onDemand).toMatchObject({ actorEmail: 'admin@bank.example', ip: '10.0.0.1' });
			expect(onDemand.details).toMatchObject({ trigger: 'on_demand', scored: 300, trainRows: 900 });
			expect((onDemand.details as { auc: number }).auc).toBeGreaterThan(0.6);
		}
	});
});
