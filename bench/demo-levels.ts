/**
 * The demo's KPI levels as the product shows them (issue 15): 30 days of the seeded demo history (seed 1), read
 * through `metrics.kpis` at the end of the history, with contact chains and maturity; beside them the agents' load,
 * NPS per line of business (the reasons of each product line) and the value ledger's figures for the same 30 days
 * (default rates). README "Demo levels" quotes this section; DOMAIN.md "Believable demo figures" gives the ranges.
 */
import { loadavg } from 'node:os';
import { openDatabase } from '$lib/server/db';
import { AGENTS, PRODUCT_LINE_NAMES, PRODUCT_LINES, REASONS } from '$lib/server/demo/catalog';
import { seedDemo } from '$lib/server/demo/seed';
import { kpis } from '$lib/server/metrics/kpis';
import { cxQuery, type CxQuery } from '$lib/server/metrics/query';
import { REGISTRY } from '$lib/server/metrics/registry';
import { valueLedger } from '$lib/server/value';

type Kpi = { value: number | null; n: number; pending?: number };

const NOW = Date.parse('2026-12-01T00:00:00+08:00');
const DAYS = 30;
const db = openDatabase(':memory:');
await seedDemo(db, { seed: 1, days: DAYS, now: NOW });
const query = cxQuery({ from: NOW - DAYS * 86_400_000, to: NOW });
const kpisOf = async (filters: CxQuery['filters']) =>
	(await kpis(db, { ...query, filters }, { now: NOW })).rows[0].kpis as Record<string, Kpi>;
const row = await kpisOf({});
const fmt = (k: Kpi) => (k.value === null ? 'n/a' : k.value.toFixed(1));
const lines = REGISTRY.map((d) => {
	const k = row[d.key];
	return `| \`${d.key}\` | ${fmt(k)} | ${k.n.toLocaleString('en')} | ${k.pending === undefined ? '' : k.pending.toLocaleString('en')} |`;
});

const byLine: string[] = [];
for (const line of PRODUCT_LINES) {
	const reasons = REASONS.filter((r) => r.product === line).map((r) => r.id);
	const k = (await kpisOf({ reason: reasons }))['nps'];
	byLine.push(`${PRODUCT_LINE_NAMES[line].en} ${fmt(k)} (n ${k.n.toLocaleString('en')})`);
}

// Agent-handled legs: the n of AHT (answered agent legs; branch visits have no handle time at the center).
const legs = row['aht_s'].n;
const ledger = await valueLedger(db, query, NOW);
const yuan = (x: number | null) => `¥${Math.round(x ?? 0).toLocaleString('en')}`;
console.log(`## Demo levels (30 days, seed 1, asked at the end of the history)

\`npm run bench -- demo-levels\`: the demo seeded into an in-memory SQLite database, read through the KPI API's
computation (load average ${loadavg()[0].toFixed(1)}; the figures do not depend on it).

| KPI | value | n | pending |
| --- | ---: | ---: | ---: |
${lines.join('\n')}

NPS per line of business (reasons of the line): ${byLine.join('; ')}. "Service quality" is the complaint desk's own
reason, not a line of business.

Agents: ${legs.toLocaleString('en')} agent-handled legs in ${DAYS} days (${Math.round(legs / DAYS).toLocaleString('en')} a day, ${(legs / DAYS / AGENTS.length).toFixed(1)} per agent a day over ${AGENTS.length} agents).

Value ledger of the ${DAYS} days (default rates): cost ${yuan(ledger.costs.total.value)}, savings from self-service ${yuan(ledger.savings.value)}, failure demand ${yuan(ledger.failureDemand.value)}, net ${yuan(ledger.net.value)}.
`);
