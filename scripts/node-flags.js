// The V8 settings of the server's node, in one place: `npm start` (scripts/start.js) runs scripts/serve.js with them,
// and the benchmarks that judge the server (bench/hostile-input.js) spawn it the same way, so they measure what users
// run. deploy/ (systemd unit, Dockerfile) writes the defaults out (scripts/deploy.test.ts checks them there).

/** Thrown for a setting that is not a number in its range (start.js prints it and stops). */
export class NodeFlagError extends Error {}

/**
 * `--max-semi-space-size` and `--heap-growing-percent` from RESONANCE_SEMI_SPACE_MB and RESONANCE_HEAP_GROWTH_PERCENT.
 *
 * V8's young generation: 4 MB semi-spaces keep the heap V8 holds on to small (the RSS budget of issue 21: ≤ 400 MB
 * serving the 90-day demo after every screen; 16 MB, Node's default, left ~90 MB more). Ingestion-heavy servers may
 * trade memory for fewer scavenges with RESONANCE_SEMI_SPACE_MB=16 (bench/memory.js measures the difference).
 *
 * V8's old generation: after each full collection V8 lets the heap grow to the live size times a factor it picks (up
 * to 4× on a machine with GBs of memory), so a server with ~55 MB live held ~175 MB of heap after a walk through every
 * screen. A fixed growth of 50% (1.5×) held ~95 MB (bench/memory.js); RESONANCE_HEAP_GROWTH_PERCENT=0 gives V8 its
 * own factor back (fewer full collections under heavy load, more memory).
 */
export function serverNodeFlags(env = process.env) {
	const semiSpace = env.RESONANCE_SEMI_SPACE_MB?.trim() || '4';
	if (!/^\d+$/.test(semiSpace) || Number(semiSpace) < 1 || Number(semiSpace) > 256)
		throw new NodeFlagError(
			`RESONANCE_SEMI_SPACE_MB: expected a whole number of MB from 1 to 256, got "${semiSpace}"`
		);
	const heapGrowth = env.RESONANCE_HEAP_GROWTH_PERCENT?.trim() || '50';
	if (!/^\d+$/.test(heapGrowth) || Number(heapGrowth) > 300)
		throw new NodeFlagError(
			`RESONANCE_HEAP_GROWTH_PERCENT: expected a whole number from 0 to 300, got "${heapGrowth}"`
		);
	return [
		`--max-semi-space-size=${semiSpace}`,
		...(heapGrowth === '0' ? [] : [`--heap-growing-percent=${heapGrowth}`])
	];
}
