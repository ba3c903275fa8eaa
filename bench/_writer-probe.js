/**
 * Per-phase CPU of the writer for bench/_writer-ab.ts: rewrites a bundled bench/_writer-ab-worker.ts so that the
 * writer's phases (reconciling and collecting cell deltas, inserting the rows, stitching journeys, writing the cells)
 * are timed with process.cpuUsage, and the worker prints their µs per event every 120,000 events, labelled:
 *   node bench/_writer-probe.js bench/.data/build/a.mjs bench/.data/build/pa.mjs A   (and b.mjs → pb.mjs B)
 *   NODE_ENV=production AB_A=bench/.data/build/pa.mjs AB_B=bench/.data/build/pb.mjs AB_GROUP=2 node bench/.data/build/ab.mjs
 * The A/B ratio of the whole write varies ±5% a run on a shared machine; a phase's A/B, printed side by side in the
 * same run, shows which part a change moved. "total" is the whole group commit; writeInto a request's part of it
 * (its de-duplication, customers, reconciling, rows and journeys: writeInto less the three inside it is the per-event
 * loop), so total − writeInto − flushRollups is mostly the COMMIT.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const [from, to, label] = process.argv.slice(2);
if (!from || !to || !label)
	throw new Error('usage: node bench/_writer-probe.js <bundle> <probed bundle> <label>');
const PHASES = ['writeInto', 'collectRollups', 'insertDerived', 'stitchJourneys', 'flushRollups'];
let code = readFileSync(from, 'utf8');
for (const name of PHASES) {
	const declaration = `\nfunction ${name}(`;
	if (code.split(declaration).length !== 2) throw new Error(`${from}: not one declaration of ${name}`);
	code = code.replace(
		declaration,
		`\nfunction ${name}(...args) {
	const c0 = process.cpuUsage();
	const r = ${name}__timed(...args);
	const c = process.cpuUsage(c0);
	globalThis.__phases ??= {};
	globalThis.__phases.${name} = (globalThis.__phases.${name} ?? 0) + c.user + c.system;
	return r;
}\nfunction ${name}__timed(`
	);
}
const reply = 'parentPort?.postMessage(c.user + c.system);';
if (!code.includes(reply)) throw new Error(`${from}: not a bundle of bench/_writer-ab-worker.ts`);
code = code.replace(
	reply,
	// Before the reply: the harness ends the worker as soon as it has the last one.
	`globalThis.__events = (globalThis.__events ?? 0) + group.reduce((n, b) => n + b.events.length, 0);
	globalThis.__phases.total = (globalThis.__phases.total ?? 0) + c.user + c.system;
	if (globalThis.__events % 120000 === 0)
		// Written to the process's stdout at once: a worker's console is forwarded later, and lost when it is ended.
		__probeWrite(1, ${JSON.stringify(label)} + ' ' + Object.entries(globalThis.__phases).map(([k, v]) => \`\${k} \${(v / globalThis.__events).toFixed(2)}\`).join(', ') + ' µs/event\\n');
	${reply}`
);
writeFileSync(to, `import { writeSync as __probeWrite } from 'node:fs';\n${code}`);
