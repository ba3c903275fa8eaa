/**
 * The demo's KPI levels as the product shows them (issue 15): 30 days of the seeded demo history (seed 1), read
 * through `metrics.kpis` at the end of the history, with contact chains and maturity. README "Demo levels" quotes
 * this table.
 */
import { openDatabase } from '$lib/server/db';
import { seedDemo } from '$lib/server/demo/seed';
import { kpis } from '$lib/server/metrics/kpis';
import { REGISTRY } from '$lib/server/metrics/registry';

const NOW = Date.parse('2026-12-01T00:00:00+08:00');
const DAYS = 30;
const db = openDatabase(':memory:');
await seedDemo(db, { seed: 1, days: DAYS, now: NOW });
const answer = await kpis(
	db,
	{
		from: NOW - DAYS * 86_400_000,
		to: NOW,
		by: null,
		grain: null,
		filters: {},
		compare: null,
		standardise: false,
		scope: { teams: null }
	},
	{ now: NOW }
);
const row = answer.rows[0].kpis as Record<string, { value: number | null; n: number; pending?: number }>;
const lines = REGISTRY.map((d) => {
	const k = row[d.key];
	const value = k.value === null ? 'n/a' : k.value.toFixed(1);
	return `| \`${d.key}\` | ${value} | ${k.n.toLocaleString('en')} | ${k.pending === undefined ? '' : k.pending.toLocaleString('en')} |`;
});
console.log(`## Demo levels (30 days, seed 1, asked at the end of the history)

| KPI | value | n | pending |
| --- | ---: | ---: | ---: |
${lines.join('\n')}
`);
