import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { metricsStores, type MetricsReader } from './read-store';
import { computeCxIndex, type IndexWeights } from './cx-index';
import {
	addContribution,
	addInto,
	emptyVector,
	FOLLOW_UP_WINDOWS,
	isZero,
	measureIndex,
	toMeasures,
	type Dimension,
	type MeasureVector,
	type Measures
} from './measures';
import { isGrain, type CxQuery } from './query';
import {
	evaluate,
	evaluateStandardised,
	KPIS,
	REGISTRY,
	changeTest,
	type Dispersion,
	STANDARDISED,
	statusOf,
	type KpiEstimate,
	type KpiKey,
	type StandardisedKey,
	type Thresholds,
	type Unit
} from './registry';
import { CUBOIDS, DAY_ONLY_CUBOIDS, sumCells, type CellLevel, type CellSum } from './rollups';
import { getIndexWeights, getKpiSettings } from './settings';
import { extraVariance, FAMILY_ALPHA, Z95, type Interval } from '$lib/server/stats';
import {
	bucketOf,
	bucketStart,
	CHINA_OFFSET_MS,
	chinaIso,
	chinaMidnight,
	DAY_MS,
	HOUR_MS,
	type Grain
} from './time';

/**
 * KPI reads (`metrics.kpis`): summed measures from rollup cells (the smallest cuboid holding every filtered and
 * grouped dimension) or, when no cuboid holds the combination, from raw rows over the indexed time range. Edges
 * of the range that do not fall on whole hours use the hour's cell when no event lies in the part of the hour
 * outside the range (the usual "to = now" case), and raw rows otherwise, so answers are exact either way.
 * Each answer says which path it took.
 */

export type Path = 'rollup' | 'rollup+raw' | 'raw';

export interface KpiResult {
	value: number | null;
	n: number;
	ci95: Interval | null;
	unit: Unit;
	lowConfidence: boolean;
	target: number;
	status: 'green' | 'amber' | 'red' | null;
	/** CES: the mean score (1–7) beside the top-3-box share. */
	mean?: { value: number | null; ci95: Interval | null };
	previous?: { value: number | null; n: number; ci95: Interval | null };
	/** value − previous.value (display units), null when either is missing. */
	change?: number | null;
	significant?: boolean | null;
	/**
	 * Two-sided p-value of the change (null or absent where no test ran: no comparison, a value missing or
	 * provisional). `significant` is p < 0.05 for this KPI alone; a board of tiles adjusts over its tiles
	 * (Benjamini–Hochberg, dashboards/kpi-tile.ts).
	 */
	p?: number | null;
	/** CX index: weighted components under their minimum n (insufficient data unless an admin allows partial). */
	missing?: string[];
	/**
	 * fcr, repeat_contact_rate, containment_rate: chains of the period whose follow-up window is still open at the
	 * moment of the query (left out of value and n). More than 0 makes the value provisional.
	 */
	pending?: number;
	/**
	 * complaint_rate: complaints belonging to no contact chain (DOMAIN.md "Complaint attribution"), included in
	 * the value; only answers without a team or agent filter can hold them.
	 */
	unattributed?: number;
}

export interface KpiRow {
	group: string | null;
	/** Start of the time bucket (China time ISO) when the query has a grain inside groups. */
	bucket?: string;
	kpis: Record<KpiKey, KpiResult> & Partial<Record<StandardisedKey, KpiResult>>;
}

export interface KpiAnswer {
	from: string;
	to: string;
	by: string | null;
	grain: Grain | null;
	compare: { from: string; to: string } | null;
	path: Path;
	rows: KpiRow[];
}

type Filters = Map<Dimension, Set<string>>;

interface AggregateSpec {
	from: number;
	to: number;
	filters: Filters;
	group: Dimension | null;
	grain: Grain | null;
	split: Dimension | null;
	/** Raw rows only, whatever cuboid could answer (the reference path of tests and the benchmark). */
	raw?: boolean;
}

/** Summed measures keyed by `group␁bucket␁split` ('' for a missing value, 0 for no bucket). */
interface Aggregate {
	path: Path;
	cells: Map<string, MeasureVector>;
}

const SEP = '\u0001';

/** Summed measures with the follow-up-window measures over matured chains only, and what is pending per key. */
interface MaturedAggregate extends Aggregate {
	/** Per key: chains still pending per FOLLOW_UP_WINDOWS entry. */
	pending: Map<string, number[]>;
}

/**
 * `aggregate` with maturity (DOMAIN.md): the measures of each follow-up window count only chains whose window has
 * closed at `now` (dated by their last leg, a chain at t has matured when t + window ≤ now). The chains of
 * [now − window, to) are read separately (at most the window's length, however long the range), taken out of
 * those measures and counted as pending.
 */
async function aggregateMatured(
	r: MetricsReader,
	spec: AggregateSpec,
	now: number,
	reads: AggregateReads | null = new Map()
): Promise<MaturedAggregate> {
	// The range and the open part of each window are read together (one pipeline on PostgreSQL). A range that lies
	// wholly inside a window (today so far, an alert's last hour) is its own open part: read once (`reads`).
	const windows = [...FOLLOW_UP_WINDOWS.entries()]
		.map(([i, w]) => ({ i, w, cutoff: now - w.windowMs + 1 }))
		.filter(({ cutoff }) => cutoff < spec.to);
	const [shared, ...opens] = await Promise.all([
		aggregateOnce(r, spec, reads),
		...windows.map(({ cutoff }) => aggregateOnce(r, { ...spec, from: Math.max(spec.from, cutoff) }, reads))
	]);
	// The range's sums are changed below, and may be an open part's too (or another part's of the answer): a copy.
	const current = reads ? { path: shared.path, cells: copyCells(shared.cells) } : shared;
	const paths: Path[] = [current.path];
	const pending = new Map<string, number[]>();
	for (const [k, { i, w }] of windows.entries()) {
		const open = opens[k];
		paths.push(open.path);
		const n = measureIndex(w.n);
		const indices = w.measures.map(measureIndex);
		for (const [key, v] of current.cells) {
			const o = open.cells.get(key);
			if (!o) continue;
			if (o[n] !== 0) {
				let counts = pending.get(key);
				if (!counts) pending.set(key, (counts = FOLLOW_UP_WINDOWS.map(() => 0)));
				counts[i] = o[n];
			}
			for (const j of indices) v[j] -= o[j];
		}
	}
	return { path: combinePaths(paths), cells: current.cells, pending };
}

/**
 * The aggregates one answer has read, by spec: inside one snapshot (MetricsReader) the same spec reads the same rows
 * and cells, so each is read once however many parts of the answer need it (the range and the open parts of its
 * follow-up windows, the period and its comparison's).
 */
type AggregateReads = Map<string, Promise<Aggregate>>;

function specKey(spec: AggregateSpec): string {
	const filters = [...spec.filters]
		.map(([d, values]) => [d, [...values].sort()] as const)
		.sort(([a], [b]) => compareText(a, b));
	return JSON.stringify([spec.from, spec.to, filters, spec.group, spec.grain, spec.split, spec.raw ?? false]);
}

/** `aggregate` read once per spec in `reads` (null: always read). The answer may be shared: read it, never change it. */
function aggregateOnce(
	r: MetricsReader,
	spec: AggregateSpec,
	reads: AggregateReads | null
): Promise<Aggregate> {
	if (!reads) return aggregate(r, spec);
	const key = specKey(spec);
	let read = reads.get(key);
	if (!read) reads.set(key, (read = aggregate(r, spec)));
	return read;
}

const copyCells = (cells: Map<string, MeasureVector>) => new Map([...cells].map(([k, v]) => [k, v.slice()]));

/** Which FOLLOW_UP_WINDOWS entry a KPI's pending count comes from, for the KPIs with a follow-up window. */
const PENDING_WINDOW: Partial<Record<KpiKey, number>> = {
	fcr: 0,
	repeat_contact_rate: 1,
	containment_rate: 1
};

/**
 * The smallest cuboid holding every needed dimension, or null; by hour, only cuboids with hour cells (a day-only
 * cuboid cannot bucket hours).
 */
export function chooseCuboid(needed: ReadonlySet<Dimension>, grain: Grain | null = null): number | null {
	let best: number | null = null;
	CUBOIDS.forEach((dims, i) => {
		if (grain === 'hour' && DAY_ONLY_CUBOIDS.has(i)) return;
		if ([...needed].every((d) => dims.includes(d)) && (best === null || dims.length < CUBOIDS[best].length))
			best = i;
	});
	return best;
}

/**
 * The cells of buckets (hours, or China days) a range covers, and the raw rows that correct its edges. A bucket only
 * partly inside the range is served by its cell when nothing lies in the part outside; otherwise by the cheaper of
 * "raw rows of the part inside" (the bucket left out of the cells) and "its cell minus raw rows of the part outside".
 * The emptiness checks are issued together: on PostgreSQL they share one pipeline instead of one round trip each.
 * `offset` moves bucket boundaries (China days start at 16:00 UTC).
 */
async function partialBuckets(
	r: MetricsReader,
	from: number,
	to: number,
	size: number,
	offset: number
): Promise<{ raws: [number, number, 1 | -1][]; cellFrom: number; cellTo: number }> {
	const first = Math.floor((from + offset) / size);
	const end = Math.ceil((to + offset) / size);
	const startOf = (bucket: number) => bucket * size - offset;
	/** The part [a, b) of the bucket inside the range, for each edge not on a bucket boundary. */
	const edges: { bucket: number; a: number; b: number; first: boolean }[] = [];
	if (end - first === 1) {
		if (from !== startOf(first) || to !== startOf(end))
			edges.push({ bucket: first, a: from, b: to, first: true });
	} else {
		if (from !== startOf(first)) edges.push({ bucket: first, a: from, b: startOf(first + 1), first: true });
		if (to !== startOf(end)) edges.push({ bucket: end - 1, a: startOf(end - 1), b: to, first: false });
	}
	const empty = await Promise.all(
		edges.map(({ bucket, a, b }) =>
			Promise.all([r.noEvents(startOf(bucket), a), r.noEvents(b, startOf(bucket + 1))])
		)
	);
	let cellFrom = first;
	let cellTo = end;
	const raws: [number, number, 1 | -1][] = [];
	edges.forEach(({ bucket, a, b, first: isFirst }, i) => {
		const [before, after] = empty[i];
		if (before && after) return;
		const start = startOf(bucket);
		const stop = startOf(bucket + 1);
		if (a - start + (stop - b) < b - a) {
			if (!before) raws.push([start, a, -1]);
			if (!after) raws.push([b, stop, -1]);
			return;
		}
		raws.push([a, b, 1]);
		if (end - first === 1) cellTo = first;
		else if (isFirst) cellFrom++;
		else cellTo--;
	});
	return { raws, cellFrom, cellTo };
}

async function aggregate(r: MetricsReader, spec: AggregateSpec): Promise<Aggregate> {
	const cells = new Map<string, MeasureVector>();
	const accumulator = (key: string) => {
		let acc = cells.get(key);
		if (!acc) cells.set(key, (acc = emptyVector()));
		return acc;
	};
	const { filters, group, grain, split } = spec;
	// Under a team filter only those teams' rows are read (a manager's drill-downs), by the team indexes.
	const teamFilter = filters.get('team');
	const teams = teamFilter ? [...teamFilter].sort() : undefined;
	const rawRange = (from: number, to: number, sign: 1 | -1) =>
		r.scanRaw(
			from,
			to,
			(dims, ts, row) => {
				for (const [d, values] of filters) {
					const v = dims[d];
					if (v === null || !values.has(v)) return;
				}
				const key = `${group ? (dims[group] ?? '') : ''}${SEP}${grain ? bucketOf(ts, grain) : 0}${SEP}${split ? (dims[split] ?? '') : ''}`;
				addContribution(row, accumulator(key), sign);
			},
			teams
		);

	const needed = new Set<Dimension>([...filters.keys()]);
	if (group) needed.add(group);
	if (split) needed.add(split);
	const cuboid = spec.raw ? null : chooseCuboid(needed, grain);
	// No cuboid holds the dimensions: raw rows.
	if (cuboid === null) {
		await rawRange(spec.from, spec.to, 1);
		return { path: 'raw', cells };
	}

	const dims = CUBOIDS[cuboid];
	const position = (d: Dimension | null) => (d === null ? -1 : dims.indexOf(d));
	const groupAt = position(group);
	const splitAt = position(split);
	const checks = [...filters].map(([d, values]) => [dims.indexOf(d), values] as const);
	const valueAt = (at: number, v1: string, v2: string, v3: string) => (at === 0 ? v1 : at === 1 ? v2 : v3);
	const keep = (v1: string, v2: string, v3: string) =>
		checks.every(([at, values]) => values.has(valueAt(at, v1, v2, v3)));
	/** Sums the raw parts and the cell parts into `cells` (raw rows, then cells in time order). */
	const read = async (parts: [CellLevel, number, number][], raws: [number, number, 1 | -1][]) => {
		const [sums] = await Promise.all([
			Promise.all(
				parts.map(async ([level, a, b]) => {
					const found: CellSum[] = [];
					// sumCells reuses its vector between visits: each is copied.
					await sumCells(r, level, cuboid, a, b, grain, keep, (c) =>
						found.push({ ...c, vector: c.vector.slice() })
					);
					return found;
				})
			),
			(async () => {
				for (const [a, b, sign] of raws) await rawRange(a, b, sign);
			})()
		]);
		for (const found of sums)
			for (const cell of found) {
				const g = groupAt < 0 ? '' : valueAt(groupAt, cell.v1, cell.v2, cell.v3);
				const s = splitAt < 0 ? '' : valueAt(splitAt, cell.v1, cell.v2, cell.v3);
				addInto(accumulator(`${g}${SEP}${cell.bucket}${SEP}${s}`), cell.vector);
			}
		// A group seen only in a subtracted part sums to nothing: drop it (contributions are never all zero).
		for (const [key, v] of cells) if (isZero(v)) cells.delete(key);
	};

	if (DAY_ONLY_CUBOIDS.has(cuboid)) {
		// Its day cells, the days only partly inside the range settled as the hours are below (under a team filter
		// the raw rows read are the team's only). A drill-down up to now takes today's cell whole: nothing lies after
		// now.
		const { raws, cellFrom, cellTo } = await partialBuckets(r, spec.from, spec.to, DAY_MS, CHINA_OFFSET_MS);
		await read(cellTo > cellFrom ? [['day', cellFrom, cellTo]] : [], raws);
		return { path: raws.length > 0 ? (cellTo > cellFrom ? 'rollup+raw' : 'raw') : 'rollup', cells };
	}

	const { raws, cellFrom, cellTo } = await partialBuckets(r, spec.from, spec.to, HOUR_MS, 0);
	const usedRaw = raws.length > 0;

	// Whole China days inside the hours read from day cells, the hours around them from hour cells.
	const firstDay = grain === 'hour' ? 0 : Math.ceil((cellFrom + 8) / 24);
	const endDay = grain === 'hour' ? 0 : Math.floor((cellTo + 8) / 24);
	const parts: [CellLevel, number, number][] =
		endDay > firstDay
			? [
					['hour', cellFrom, firstDay * 24 - 8],
					['day', firstDay, endDay],
					['hour', endDay * 24 - 8, cellTo]
				]
			: [['hour', cellFrom, cellTo]];
	await read(parts, raws);
	return { path: usedRaw ? 'rollup+raw' : 'rollup', cells };
}

/** Filters of a query with the caller's scope applied (a manager sees only their teams). */
export function effectiveFilters(q: Pick<CxQuery, 'filters' | 'scope'>): Filters {
	const filters: Filters = new Map();
	for (const [d, values] of Object.entries(q.filters) as [Dimension, string[]][])
		if (values && values.length) filters.set(d, new Set(values));
	const teams = q.scope.teams;
	if (teams !== null) {
		const requested = filters.get('team');
		filters.set('team', new Set(requested ? teams.filter((t) => requested.has(t)) : teams));
	}
	return filters;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function combinePaths(paths: Path[]): Path {
	if (paths.every((p) => p === 'rollup')) return 'rollup';
	if (paths.every((p) => p === 'raw')) return 'raw';
	return 'rollup+raw';
}

export interface KpiOptions {
	/** Targets and thresholds (default: the stored settings). */
	settings?: Record<KpiKey, Thresholds>;
	/** CX index weights (default: the stored weights). */
	weights?: IndexWeights;
	/** The moment of the query, for maturity (default: now). */
	now?: number;
	/**
	 * The overdispersion allowance of the tests of change: τ² per KPI (display units², from `overdispersion` over a
	 * series of `unitMs` buckets, e.g. the days of a wallboard's sparkline). Default: none (sampling noise only).
	 */
	dispersion?: { unitMs: number; tau2: Partial<Record<KpiKey, number>> };
	/** Every measure from raw rows, no rollup cell (the reference of tests and the benchmark); default false. */
	raw?: boolean;
	/**
	 * Whether parts of the answer that read the same thing share one read (default true). False reads every part on
	 * its own, as before reads were shared: the reference of the equivalence tests.
	 */
	shareReads?: boolean;
}

/**
 * A CX index left without a value because a component it needs is still inside its follow-up window (today's FCR,
 * say) is provisional, not insufficient: it carries that component's pending count, so tiles and trends show it as
 * provisional, and it is never compared.
 */
function markIndexProvisional(out: KpiRow['kpis']): void {
	const index = out.cx_index;
	if (!index || index.value !== null || !index.missing?.length) return;
	const waiting = index.missing.map((key) => out[key as KpiKey]?.pending ?? 0).filter((p) => p > 0);
	// Provisional only when every missing component is one still waiting; a component short of answers stays short.
	if (waiting.length === 0 || waiting.length < index.missing.length) return;
	index.pending = Math.max(...waiting);
	if (index.significant !== undefined) index.significant = null;
}

/** Every KPI of the registry as estimates, the composite index included. */
export function estimateAll(
	m: Measures,
	weights: IndexWeights,
	complaintTarget: number
): Record<KpiKey, KpiEstimate> {
	const out = {} as Record<KpiKey, KpiEstimate>;
	for (const def of REGISTRY) if (def.formula.kind !== 'composite') out[def.key] = evaluate(def, m);
	out.cx_index = computeCxIndex(out, weights, complaintTarget);
	return out;
}

function publicEstimate(e: KpiEstimate): { value: number | null; n: number; ci95: Interval | null } {
	return { value: e.value, n: e.n, ci95: e.ci95 };
}

/**
 * KPIs for a query, shaped as GET /api/v1/kpis answers (DESIGN.md). Rows: one (group null) without `by`; one per
 * value of the `by` dimension seen in the range (events with no value count only in ungrouped answers); one per
 * time bucket for a time `by`, empty buckets included. The comparison period is computed for dimension groups and
 * ungrouped answers, not per time bucket.
 */
export async function kpis(target: Db | Storage, q: CxQuery, options: KpiOptions = {}): Promise<KpiAnswer> {
	const storage = asStorage(target);
	const [settings, weights] = await Promise.all([
		options.settings ?? getKpiSettings(storage),
		options.weights ?? getIndexWeights(storage)
	]);
	return byEngine(storage, metricsStores).read((r) => computeKpis(r, q, { ...options, settings, weights }));
}

/** The reference period of the reason-standardised KPIs' weights: the 90 China days before the day of the query. */
export const REFERENCE_DAYS = 90;

/** `kpis` on a reader already open (the driver analysis reads its overview in its own snapshot). */
export async function computeKpis(
	r: MetricsReader,
	q: CxQuery,
	options: KpiOptions & Required<Pick<KpiOptions, 'settings' | 'weights'>>
): Promise<KpiAnswer> {
	const { settings, weights } = options;
	const complaintTarget = settings.complaint_rate.target;
	const filters = effectiveFilters(q);
	const group = q.by !== null && !isGrain(q.by) ? q.by : null;
	const grain = isGrain(q.by) ? q.by : q.grain;
	const spec: AggregateSpec = {
		from: q.from,
		to: q.to,
		filters,
		group,
		grain,
		split: null,
		raw: options.raw ?? false
	};
	const now = options.now ?? Date.now();
	// One snapshot: a part read already is not read again.
	const reads: AggregateReads | null = options.shareReads === false ? null : new Map();
	// The period, the comparison period and the strata are independent reads: issued together.
	const [current, previous, split] = await Promise.all([
		aggregateMatured(r, spec, now, reads),
		q.compare && !grain
			? aggregateMatured(r, { ...spec, from: q.compare.from, to: q.compare.to }, now, reads)
			: null,
		q.standardise ? aggregateMatured(r, { ...spec, split: 'reason' }, now, reads) : null
	]);
	const paths: Path[] = [current.path];

	const groups: string[] = group
		? [...new Set([...current.cells.keys()].map((k) => k.split(SEP)[0]))].filter((g) => g !== '').sort()
		: [''];
	const buckets: number[] = [];
	if (grain) for (let b = bucketOf(q.from, grain); b <= bucketOf(q.to - 1, grain); b++) buckets.push(b);
	else buckets.push(0);

	if (previous) paths.push(previous.path);
	if (split) paths.push(split.path);

	const reference = new Map<string, Measures>();
	const byRow = new Map<string, Map<string, Measures>>();
	if (split) {
		// Strata and reference reasons in one fixed order (by key), whichever path read them: the standardised value
		// sums floating-point terms per reason, so cells and raw rows then give the same answer to the last bit.
		const byKey = <T>(entries: Iterable<[string, T]>) => [...entries].sort(([a], [b]) => compareText(a, b));
		const referenceVectors = new Map<string, MeasureVector>();
		for (const [key, v] of byKey(split.cells)) {
			const [g, b, reason] = key.split(SEP);
			let acc = referenceVectors.get(reason);
			if (!acc) referenceVectors.set(reason, (acc = emptyVector()));
			addInto(acc, v);
			const rowKey = `${g}${SEP}${b}`;
			let strata = byRow.get(rowKey);
			if (!strata) byRow.set(rowKey, (strata = new Map()));
			strata.set(reason, toMeasures(v));
		}
		// The reference mix (DOMAIN.md: fixed, not the query's own population): the whole center's reasons over the
		// REFERENCE_DAYS China days before today, the same for every query of a day, whatever its filters or scope.
		// With no contact in that period (a new install) the query's own population stands in.
		const refTo = chinaMidnight(now);
		const fixed = await aggregateMatured(
			r,
			{
				from: refTo - REFERENCE_DAYS * DAY_MS,
				to: refTo,
				filters: new Map(),
				group: null,
				grain: null,
				split: 'reason',
				raw: spec.raw
			},
			now,
			reads
		);
		const fixedVectors = new Map<string, MeasureVector>();
		for (const [key, v] of byKey(fixed.cells)) {
			const reason = key.split(SEP)[2];
			let acc = fixedVectors.get(reason);
			if (!acc) fixedVectors.set(reason, (acc = emptyVector()));
			addInto(acc, v);
		}
		const useFixed = [...fixedVectors.values()].some((v) => v.some((x) => x > 0));
		if (useFixed) paths.push(fixed.path);
		for (const [reason, v] of byKey(useFixed ? fixedVectors : referenceVectors))
			reference.set(reason, toMeasures(v));
	}

	const zero = emptyVector();
	const result = (key: KpiKey, e: KpiEstimate): KpiResult => {
		const def = KPIS[key];
		const t = settings[key];
		const r: KpiResult = {
			value: e.value,
			n: e.n,
			ci95: e.ci95,
			unit: def.unit,
			lowConfidence: e.lowConfidence,
			target: t.target,
			status: statusOf(def.direction, e.value, t)
		};
		if (e.mean) r.mean = e.mean;
		if ('missing' in e && Array.isArray(e.missing) && e.missing.length) r.missing = e.missing;
		return r;
	};

	const rows: KpiRow[] = [];
	for (const g of groups)
		for (const b of buckets) {
			const key = `${g}${SEP}${b}${SEP}`;
			const m = toMeasures(current.cells.get(key) ?? zero);
			const estimates = estimateAll(m, weights, complaintTarget);
			const out = {} as KpiRow['kpis'];
			let prevMeasures: Measures | null = null;
			let prevEstimates: Record<KpiKey, KpiEstimate> | null = null;
			if (previous) {
				prevMeasures = toMeasures(previous.cells.get(key) ?? zero);
				prevEstimates = estimateAll(prevMeasures, weights, complaintTarget);
			}
			const pendingCounts = current.pending.get(key);
			const previousPending = previous?.pending.get(key);
			for (const def of REGISTRY) {
				const e = estimates[def.key];
				const r = result(def.key, e);
				const windowAt = PENDING_WINDOW[def.key];
				if (windowAt !== undefined) r.pending = pendingCounts?.[windowAt] ?? 0;
				if (def.key === 'complaint_rate') r.unattributed = m.unattributedComplaints;
				if (prevMeasures && prevEstimates) {
					const pe = prevEstimates[def.key];
					r.previous = publicEstimate(pe);
					r.change = e.value !== null && pe.value !== null ? e.value - pe.value : null;
					// A provisional value (chains still pending, in either period) is not compared.
					const provisional =
						windowAt !== undefined &&
						((pendingCounts?.[windowAt] ?? 0) > 0 || (previousPending?.[windowAt] ?? 0) > 0);
					const tau2 = options.dispersion?.tau2[def.key];
					const dispersion: Dispersion | null =
						tau2 && options.dispersion && q.compare
							? {
									tau2,
									currentUnits: (q.to - q.from) / options.dispersion.unitMs,
									previousUnits: (q.compare.to - q.compare.from) / options.dispersion.unitMs
								}
							: null;
					r.p = provisional
						? null
						: changeTest(
								def,
								{ measures: m, estimate: e },
								{ measures: prevMeasures, estimate: pe },
								dispersion
							);
					r.significant = r.p === null ? null : r.p < FAMILY_ALPHA;
				}
				out[def.key] = r;
			}
			markIndexProvisional(out);
			if (split) {
				const strata = byRow.get(`${g}${SEP}${b}`) ?? new Map<string, Measures>();
				for (const s of STANDARDISED) {
					const e = evaluateStandardised(KPIS[s.base], strata, reference);
					out[s.key] = result(s.base, e);
				}
			}
			const row: KpiRow = { group: group ? g : null, kpis: out };
			if (grain) {
				const label = chinaIso(bucketStart(b, grain));
				if (group) row.bucket = label;
				else row.group = label;
			}
			rows.push(row);
		}

	return {
		from: new Date(q.from).toISOString(),
		to: new Date(q.to).toISOString(),
		by: q.by,
		grain: isGrain(q.by) ? null : q.grain,
		compare:
			q.compare && !grain
				? { from: new Date(q.compare.from).toISOString(), to: new Date(q.compare.to).toISOString() }
				: null,
		path: combinePaths(paths),
		rows
	};
}

/**
 * The summed measures behind each row of a query (no KPIs), by the same path selection as `kpis`; for tests,
 * the benchmark and exports. Keys as rows: `group` (null without a dimension group) and `bucket` (null without a
 * grain; bucket number otherwise).
 */
export async function kpiMeasures(
	target: Db | Storage,
	q: CxQuery,
	now: number = Date.now()
): Promise<{
	path: Path;
	rows: {
		group: string | null;
		bucket: number | null;
		/** Follow-up-window measures over matured chains only (see aggregateMatured). */
		measures: Measures;
		/** Chains pending per FOLLOW_UP_WINDOWS entry (first contacts for 7 days; chains for 48 h). */
		pending: number[];
	}[];
}> {
	return byEngine(asStorage(target), metricsStores).read(async (r) => {
		const group = q.by !== null && !isGrain(q.by) ? q.by : null;
		const grain = isGrain(q.by) ? q.by : q.grain;
		const agg = await aggregateMatured(
			r,
			{ from: q.from, to: q.to, filters: effectiveFilters(q), group, grain, split: null },
			now
		);
		const rows = [...agg.cells]
			.map(([key, v]) => {
				const [g, b] = key.split(SEP);
				return {
					group: group ? g : null,
					bucket: grain ? Number(b) : null,
					measures: toMeasures(v),
					pending: agg.pending.get(key) ?? FOLLOW_UP_WINDOWS.map(() => 0)
				};
			})
			.filter((r) => r.group !== '')
			.sort((a, b) => compareText(a.group ?? '', b.group ?? '') || (a.bucket ?? 0) - (b.bucket ?? 0));
		return { path: agg.path, rows };
	});
}

/**
 * The same measures summed straight from raw rows (no rollups), for the benchmark's and tests' comparisons.
 * Returns the vector per `group␁bucket` key.
 */
export async function measuresFromRaw(
	target: Db | Storage,
	q: Pick<CxQuery, 'from' | 'to' | 'filters' | 'scope'>,
	group: Dimension | null,
	grain: Grain | null
): Promise<Map<string, Measures>> {
	const cells = new Map<string, MeasureVector>();
	const filters = effectiveFilters(q);
	await byEngine(asStorage(target), metricsStores).read((r) =>
		r.scanRaw(q.from, q.to, (dims, ts, row) => {
			for (const [d, values] of filters) {
				const v = dims[d];
				if (v === null || !values.has(v)) return;
			}
			const key = `${group ? (dims[group] ?? '') : ''}${SEP}${grain ? bucketOf(ts, grain) : 0}`;
			let acc = cells.get(key);
			if (!acc) cells.set(key, (acc = emptyVector()));
			addContribution(row, acc, 1);
		})
	);
	return new Map([...cells].map(([k, v]) => [k, toMeasures(v)]));
}

/**
 * The overdispersion allowance of tests on a board: τ² per KPI from a series of buckets (e.g. the days of a
 * wallboard's sparkline, already read), by the alert detectors' estimator (`stats.extraVariance`: a robust variance
 * of the bucket values, 1.4826·MAD squared, minus their typical sampling variance, ((ci95 width) / (2·1.96))²). Only
 * buckets with a value that is not provisional count; fewer than 12 give τ² = 0 (no allowance).
 */
export function overdispersion(
	rows: readonly KpiRow[],
	keys: readonly KpiKey[]
): Partial<Record<KpiKey, number>> {
	const out: Partial<Record<KpiKey, number>> = {};
	for (const key of keys) {
		const residuals = rows.flatMap((row) => {
			const r = row.kpis[key];
			if (r.value === null || !r.ci95 || (r.pending ?? 0) > 0) return [];
			const se = (r.ci95[1] - r.ci95[0]) / (2 * Z95);
			return [{ diff: r.value, samplingVariance: se * se }];
		});
		const tau2 = extraVariance(residuals);
		if (tau2 > 0) out[key] = tau2;
	}
	return out;
}
