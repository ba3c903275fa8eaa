import { rmSync } from 'node:fs';
import { openDatabase } from '$lib/server/db';
import { applyToRollups } from '$lib/server/metrics/rollups';
import { generate } from './_metrics-generator';
const file = '/tmp/mprof/prof.db';
rmSync(file, { force: true }); rmSync(file + '-wal', { force: true }); rmSync(file + '-shm', { force: true });
const db = openDatabase(file);
const c = db.$client;
const insert = c.prepare(`INSERT INTO events (id, type, ts, received_at, customer_id, channel, name, journey, handled_by, queue, team_id, agent_id, reason, wait_s, handle_s, outcome, metric, score, contact_id, category, severity, regulator, segment, region, sentiment, properties) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'{}')`);
let ins = 0, roll = 0, n = 0;
const LIMIT = Number(process.env.N ?? 300000);
const write = c.transaction((batch: any[]) => {
  const t0 = performance.now();
  for (const p of batch) { const e = p.e; e.seq = Number(insert.run(e.id, e.type, e.ts, e.ts, e.customerId, e.channel ?? null, e.name ?? null, e.journey ?? null, e.handledBy ?? null, e.queue ?? null, e.teamId ?? null, e.agentId ?? null, e.reason ?? null, e.waitS ?? null, e.handleS ?? null, e.outcome ?? null, e.metric ?? null, e.score ?? null, e.contactId ?? null, e.category ?? null, e.severity ?? null, e.regulator === undefined ? null : e.regulator ? 1 : 0, e.segment, e.region, e.sentiment).lastInsertRowid); }
  const t1 = performance.now();
  if (!process.env.NOROLL) applyToRollups(db, batch.map((p: any) => p.e));
  ins += t1 - t0; roll += performance.now() - t1;
});
const batches: any[] = []; for (const batch of generate(10_000_000, 2000)) { batches.push(batch); n += batch.length; if (n >= LIMIT) break; }
const T = performance.now(); for (const b of batches) write(b); const wall = performance.now() - T;
console.log({ wallUs: (wall * 1000) / n, n, insUs: (ins * 1000) / n, rollUs: (roll * 1000) / n, cells: c.prepare('select count(*) from metric_cells').pluck().get() });
