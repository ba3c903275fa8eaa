/**
 * The geometry of a light SVG line chart (no chart library: the wallboard, TV mode and the embedded wallboard stay
 * light): one value per category with its 95% interval as a band, a target line, gaps where a value is missing
 * (under the minimum n). Pure functions, so the scales and paths are unit-tested (line-geometry.test.ts).
 */

export interface LinePoint {
	/** null: no value (under the minimum n, or no data) — the line breaks there. */
	value: number | null;
	n: number;
	ci95: readonly [number, number] | null;
}

export interface PlotBox {
	width: number;
	height: number;
	left: number;
	right: number;
	top: number;
	bottom: number;
}

export interface LineGeometryInput {
	points: readonly LinePoint[];
	target: number | null;
	/** Hard bounds of the value axis (percent and index: max 100; NPS: −100…100). */
	bounds?: { min?: number; max?: number };
	box: PlotBox;
	/** Roughly how many value ticks (default 4). */
	tickCount?: number;
}

export interface LineGeometry {
	/** The value axis' domain, widened to its first and last tick. */
	domain: [number, number];
	ticks: { value: number; y: number }[];
	/** x of each category (first at the plot's left edge, last at its right edge). */
	xs: number[];
	/** Each point's y, null where there is no value. */
	ys: (number | null)[];
	/** The value line: one subpath (M…L…) per run of consecutive values; a lone value has no segment (only a dot). */
	line: string;
	/** The 95% band: one closed polygon per run of two or more consecutive intervals. */
	band: string;
	targetY: number | null;
	/** The latest point with a value (the "now" of the chart), or null. */
	current: { index: number; x: number; y: number } | null;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** "Nice" tick values (1, 2, 2.5 or 5 × 10^k apart) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 4): number[] {
	if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
	if (min === max) {
		const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
		min -= pad;
		max += pad;
	}
	const raw = (max - min) / Math.max(1, count);
	const power = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power;
	const first = Math.floor(min / step + 1e-9) * step;
	const ticks: number[] = [];
	for (let v = first; v < max + step - 1e-9; v += step) ticks.push(Math.round(v / step) * step);
	// Rounding noise (0.30000000000000004) out.
	return ticks.map((v) => Number(v.toPrecision(12)));
}

/** The value axis' domain: every value, interval bound and the target, within the unit's bounds, on nice ticks. */
export function valueDomain(input: Pick<LineGeometryInput, 'points' | 'target' | 'bounds' | 'tickCount'>): {
	domain: [number, number];
	ticks: number[];
} {
	const seen: number[] = [];
	for (const p of input.points) {
		if (p.value === null) continue;
		seen.push(p.value);
		if (p.ci95) seen.push(p.ci95[0], p.ci95[1]);
	}
	if (input.target !== null) seen.push(input.target);
	const lo = input.bounds?.min;
	const hi = input.bounds?.max;
	if (!seen.length) {
		const min = lo ?? 0;
		const max = hi ?? 1;
		return { domain: [min, max], ticks: niceTicks(min, max, input.tickCount) };
	}
	let min = Math.min(...seen);
	let max = Math.max(...seen);
	if (lo !== undefined) min = Math.max(lo, min);
	if (hi !== undefined) max = Math.min(hi, max);
	let ticks = niceTicks(min, max, input.tickCount);
	ticks = ticks.filter((t, i) => {
		// Keep ticks inside the bounds, and one tick at most beyond the data at each end.
		if ((lo !== undefined && t < lo) || (hi !== undefined && t > hi)) return false;
		const next = ticks[i + 1];
		const previous = ticks[i - 1];
		if (next !== undefined && next <= min) return false;
		if (previous !== undefined && previous >= max) return false;
		return true;
	});
	if (ticks.length < 2) return { domain: [min, max === min ? min + 1 : max], ticks };
	return { domain: [ticks[0], ticks[ticks.length - 1]], ticks };
}

export function lineGeometry(input: LineGeometryInput): LineGeometry {
	const { points, box } = input;
	const { domain, ticks } = valueDomain(input);
	const plotW = Math.max(1, box.width - box.left - box.right);
	const plotH = Math.max(1, box.height - box.top - box.bottom);
	const step = points.length > 1 ? plotW / (points.length - 1) : 0;
	const x = (i: number) => round(box.left + (points.length > 1 ? i * step : plotW / 2));
	const span = domain[1] - domain[0] || 1;
	const y = (v: number) => {
		const clamped = Math.min(domain[1], Math.max(domain[0], v));
		return round(box.top + plotH - ((clamped - domain[0]) / span) * plotH);
	};

	const xs = points.map((_, i) => x(i));
	const ys = points.map((p) => (p.value === null ? null : y(p.value)));

	let line = '';
	for (let i = 0; i < points.length; i++) {
		const py = ys[i];
		if (py === null) continue;
		const joined = i > 0 && ys[i - 1] !== null;
		const alone = !joined && (i === points.length - 1 || ys[i + 1] === null);
		if (alone) continue;
		line += `${joined ? 'L' : 'M'}${xs[i]},${py}`;
	}

	// The band: runs of consecutive points that have a value and an interval.
	let band = '';
	let run: number[] = [];
	const closeRun = () => {
		if (run.length >= 2) {
			const upper = run.map((i) => `${xs[i]},${y(points[i].ci95![1])}`);
			const lower = run.map((i) => `${xs[i]},${y(points[i].ci95![0])}`).reverse();
			band += `M${upper.join('L')}L${lower.join('L')}Z`;
		}
		run = [];
	};
	points.forEach((p, i) => {
		if (p.value !== null && p.ci95) run.push(i);
		else closeRun();
	});
	closeRun();

	let current: LineGeometry['current'] = null;
	for (let i = points.length - 1; i >= 0; i--) {
		const py = ys[i];
		if (py !== null) {
			current = { index: i, x: xs[i], y: py };
			break;
		}
	}

	return {
		domain,
		ticks: ticks.map((value) => ({ value, y: y(value) })),
		xs,
		ys,
		line,
		band,
		targetY:
			input.target === null || input.target < domain[0] || input.target > domain[1] ? null : y(input.target),
		current
	};
}

/** The category nearest to a horizontal position (pointer over the plot). */
export function nearestIndex(xs: readonly number[], px: number): number {
	let best = 0;
	for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - px) < Math.abs(xs[best] - px)) best = i;
	return best;
}

/** Which category labels fit: every k-th from the last (the latest day is always labelled). */
export function labelEvery(count: number, plotWidth: number, labelWidth = 56): number {
	const fit = Math.max(1, Math.floor(plotWidth / labelWidth));
	return Math.max(1, Math.ceil(count / fit));
}
