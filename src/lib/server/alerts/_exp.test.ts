import { existsSync } from 'node:fs';
import { it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { seedDemo } from '$lib/server/demo/seed';
import { createLiveStream } from '$lib/server/demo/live';
import { rebuildRollups } from '$lib/server/metrics';
import { writeWithRollups } from '$lib/server/metrics/testing';
import * as cases from '$lib/server/cases';
import { evaluateAll } from './engine';
import { ensureStarterRules, listRules } from './rules';

const START = Date.parse('2026-11-17T09:00:00+08:00');
const FILE = '/tmp/alerts-exp.db';
it('experiment', async () => {
	const fresh = !existsSync(FILE);
	const db = openDatabase(FILE);
	if (fresh) {
		const r = await seedDemo(db, { seed: 1, days: 28, now: START });
		console.log('seeded', r.events, r.seconds);
		console.log('rollups', rebuildRollups(db));
	}
	ensureStarterRules(db, START);
	console.log('backfill', cases.backfillCases(db, { days: 7, now: START, simulateWork: true }));
	const names = new Map(listRules(db).map((r) => [r.id, r.name.split(' · ')[1]]));
	const rate = Number(process.env.EXP_RATE ?? 600);
	const stream = createLiveStream({ seed: 1, ratePerMinute: rate, start: START });
	const incidentFrom = START + 150 * 60_000;
	const incidentTo = incidentFrom + 20 * 60_000;
	let evalMs = 0; let evals = 0;
	for (let t = START; t <= incidentTo + 60 * 60_000; t += 10_000) {
		const incident = t >= incidentFrom && t < incidentTo;
		const events = stream.next(t, incident);
		writeWithRollups(db, events, { sourceId: 1 });
		cases.openCases(db, events.map(cases.sourceOf), t);
		if ((t - START) % 30_000 === 0) {
			const r = evaluateAll(db, t);
			evalMs += r.ms; evals++;
			for (const c of r.changes) {
				const min = ((t - incidentFrom) / 60_000).toFixed(1);
				console.log(`t=${min}min ${incident ? 'INC' : '   '} ${c.type} ${names.get(c.alert.ruleId ?? 0)} [${c.alert.scope}] ${c.alert.summary}`);
			}
			for (const f of r.failed) console.log('FAILED', f);
		}
	}
	console.log('mean eval ms', evalMs / evals);
}, 1_200_000);
