import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { seedDemo } from '$lib/server/demo/seed';
import { createLiveStream } from '$lib/server/demo/live';
import { rebuildRollups } from '$lib/server/metrics';
import { writeWithRollups } from '$lib/server/metrics/testing';
import * as cases from '$lib/server/cases';
import { evaluateAll } from './engine';
import { evaluateRule } from './evaluate';
import { ensureStarterRules, listRules } from './rules';

const START = Date.parse('2026-11-17T09:00:00+08:00');
const FILE = '/tmp/alerts-exp.db';
it('experiment', async () => {
	const TEMPLATE = '/tmp/alerts-seed.db';
	if (!existsSync(TEMPLATE)) {
		const t = openDatabase(TEMPLATE);
		const r = await seedDemo(t, { seed: 1, days: 28, now: START });
		console.log('seeded', r.events, r.seconds);
		console.log('rollups', rebuildRollups(t));
		t.$client.pragma('wal_checkpoint(TRUNCATE)');
		t.$client.close();
	}
	for (const s of ['', '-wal', '-shm']) rmSync(FILE + s, { force: true });
	copyFileSync(TEMPLATE, FILE);
	const db = openDatabase(FILE);
	ensureStarterRules(db, START);
	console.log('backfill', cases.backfillCases(db, { days: 7, now: START, simulateWork: true }));
	const names = new Map(listRules(db).map((r) => [r.id, r.name.split(' · ')[1]]));
	const rate = Number(process.env.EXP_RATE ?? 600);
	const stream = createLiveStream({ seed: 1, ratePerMinute: rate, start: START });
	const incidentFrom = START + Number(process.env.EXP_CALM ?? 150) * 60_000;
	const incidentTo = incidentFrom + Number(process.env.EXP_INC ?? 20) * 60_000;
	let evalMs = 0;
	let evals = 0;
	const per = new Map<number, number>();
	for (let t = START; t <= incidentTo + Number(process.env.EXP_AFTER ?? 60) * 60_000; t += 10_000) {
		const incident = t >= incidentFrom && t < incidentTo;
		const events = stream.next(t, incident);
		writeWithRollups(db, events, { sourceId: 1 });
		cases.openCases(db, events.map(cases.sourceOf), t);
		if ((t - START) % 30_000 === 0) {
			const r = evaluateAll(db, t);
			evalMs += r.ms;
			evals++;
			for (const x of r.timings) per.set(x.ruleId, (per.get(x.ruleId) ?? 0) + x.ms);
			for (const c of r.changes) {
				const min = ((t - incidentFrom) / 60_000).toFixed(1);
				console.log(
					`t=${min}min ${incident ? 'INC' : '   '} ${c.type} ${names.get(c.alert.ruleId ?? 0)} [${c.alert.scope}] ${c.alert.summary}`
				);
			}
			for (const f of r.failed) console.log('FAILED', f);
			if ((t - incidentFrom) % (10 * 60_000) === 0) {
				const rule = listRules(db).find((x) => x.kind === 'anomaly');
				if (rule)
					for (const f of evaluateRule(db, rule, t))
						console.log(
							'ANOM',
							(t - incidentFrom) / 60_000,
							f.state,
							JSON.stringify(f.details).slice(0, 400)
						);
			}
		}
	}
	console.log(
		'mean eval ms',
		evalMs / evals,
		[...per].map(([id, ms]) => `${names.get(id)}: ${(ms / evals).toFixed(1)}`).join(' | ')
	);
}, 1_200_000);
