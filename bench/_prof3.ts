import { rmSync } from 'node:fs';
import type { CxEvent } from '$lib/model';
import { openDatabase } from '$lib/server/db';
import { writeEvents } from '$lib/server/ingest/writer';
import { applyToRollups } from '$lib/server/metrics/rollups';
import { generate } from './_metrics-generator';
const events: CxEvent[] = [];
for (const batch of generate(10_000_000, 2000)) { for (const p of batch) { const { seq: _s, segment: _g, region: _r, sentiment: _t, ...e } = p.e; events.push(e); } if (events.length >= 60000) break; }
for (const rollups of [false, true]) {
  const f = '/tmp/mprof/w.db'; rmSync(f, { force: true }); rmSync(f + '-wal', { force: true }); rmSync(f + '-shm', { force: true });
  const db = openDatabase(f); const c = db.$client;
  const readBack = c.prepare('SELECT seq, segment, region FROM events WHERE seq > ? ORDER BY seq');
  const maxSeq = c.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
  let tw = 0, tr = 0;
  const t = performance.now();
  for (let i = 0; i < events.length; i += 500) {
    const batch = events.slice(i, i + 500);
    if (!rollups) { const a = performance.now(); writeEvents(db, batch, { sourceId: 1 }); tw += performance.now() - a; }
    else c.transaction(() => {
      const a = performance.now();
      const before = Number(maxSeq.get());
      const result = writeEvents(db, batch, { sourceId: 1 });
      const b = performance.now(); tw += b - a;
      const skipped = new Set(result.duplicateIndexes);
      const rows = readBack.all(before) as { seq: number; segment: string | null; region: string | null }[];
      const accepted = batch.filter((_, j) => !skipped.has(j));
      applyToRollups(db, accepted.map((e, j) => ({ ...e, ...rows[j] })));
      tr += performance.now() - b;
    })();
  }
  console.log({ rollups, rate: events.length / ((performance.now() - t) / 1000), writerUs: tw * 1000 / events.length, rollUs: tr * 1000 / events.length });
  c.close();
}
