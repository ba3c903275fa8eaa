import type { EventFields } from '$lib/model';

/**
 * What the dashboards' server code hands the browser (page data and live snapshots). Plain data, shared by both
 * sides; the server fills it from the metrics registry.
 */

/** The ten tiles of the executive wallboard, in display order. */
export const WALLBOARD_KPIS = [
	'cx_index',
	'nps',
	'csat',
	'ces',
	'fcr',
	'service_level',
	'asa_s',
	'abandonment_rate',
	'complaint_rate',
	'containment_rate'
] as const;
export type WallboardKpiKey = (typeof WALLBOARD_KPIS)[number];

/** Units as the metrics registry names them. */
export type RegistryUnit = 'percent' | 'nps' | 'seconds' | 'per_10k' | 'index';
export type Interval = [number, number];

export interface KpiMeta {
	label: { zh: string; en: string };
	description: { zh: string; en: string };
	unit: RegistryUnit;
	direction: 'higher' | 'lower';
	minN: number;
}

export interface Reading {
	value: number | null;
	n: number;
	ci95: Interval | null;
	/**
	 * KPIs with a follow-up window (fcr, repeat contact, containment): chains of the period whose window is still
	 * open, outside value and n. More than 0: the reading is provisional.
	 */
	pending?: number;
}

export interface WallboardKpi extends Reading {
	unit: RegistryUnit;
	direction: 'higher' | 'lower';
	minN: number;
	target: number;
	status: 'green' | 'amber' | 'red' | null;
	lowConfidence: boolean;
	/** CES: the mean score beside the top-3-box share. */
	mean?: { value: number | null; ci95: Interval | null };
	previous: Reading | null;
	change: number | null;
	/** Whether the change is statistically significant (null when either period has no value). */
	significant: boolean | null;
	/** Daily values of the last 14 days (null under the minimum n). */
	spark: (number | null)[];
	/** complaint_rate: complaints belonging to no contact chain, included in the value (unfiltered views). */
	unattributed?: number;
	/**
	 * cx_index: the weighted components under their minimum n, named (the index is then insufficient data, or, where
	 * an admin allows a partial index, shown without them).
	 */
	missing?: { key: string; label: { zh: string; en: string } }[];
}

export interface WallboardSnapshot {
	/** When it was computed, epoch ms. */
	at: number;
	/** Every stored event up to this sequence number is counted (an "as of" watermark). */
	seq: number;
	range: 'today' | '7d' | '30d' | '90d' | 'custom';
	from: string;
	to: string;
	compare: { from: string; to: string } | null;
	/** The days (YYYY-MM-DD, China time) of the sparkline points. */
	sparkDays: string[];
	/** The CX index per day with n and interval (the wallboard's trend chart). */
	cxTrend: { day: string; value: number | null; n: number; ci95: Interval | null }[];
	kpis: Record<WallboardKpiKey, WallboardKpi>;
}

/** A live snapshot that could not be computed (e.g. a filter the server refused). */
export interface SnapshotError {
	at: number;
	error: { parameter: string; message: string };
}

/** A KPI of a board row (channels, teams): the reading and its status. */
export interface BoardKpi extends Reading {
	status: 'green' | 'amber' | 'red' | null;
	target: number;
}

export interface ChannelRow {
	channel: string;
	contacts: number;
	kpis: Record<'csat' | 'nps' | 'service_level' | 'abandonment_rate' | 'containment_rate' | 'fcr', BoardKpi>;
}

export interface JourneyRow {
	key: string;
	name: { zh: string; en: string };
	started: number;
	inProgress: number;
	completion: Reading;
	nps: Reading;
	/** The journey's worst breakpoint: its kind and where it happens. */
	topBreakpoint: { kind: string; where: { zh: string; en: string } } | null;
}

export interface AlertItem {
	id: string;
	title: string;
	severity: string | null;
	kpi: string | null;
	team: string | null;
	openedAt: number | null;
	status: string | null;
}

export interface AlertsBoard {
	/** False while the server has no alerts module: the screen says so instead of pretending "no alerts". */
	available: boolean;
	alerts: AlertItem[];
}

/** One record as the API returns it. `sentiment` is present on events with text (null until scored). */
export interface DrillEvent extends EventFields {
	id: string;
	/** ISO-8601 (UTC). */
	ts: string;
	customerId: string;
	contactId: string | null;
	segment: string | null;
	region: string | null;
	sentiment?: number | null;
}

export interface EventsPage {
	events: DrillEvent[];
	/** The cursor of the next (older) page, or null on the last page. */
	next: string | null;
}

/** The trend screens (server: dashboards/trends.ts). */
export type TrendKpiKey = 'csat' | 'nps' | 'fcr';

export interface TrendPointData extends Reading {
	bucket: string;
	from: number;
	to: number;
}

export interface ControlPointData {
	bucket: string;
	n: number;
	/** Chains whose follow-up window is still open (provisional point: no signal is judged). */
	pending?: number;
	value: number | null;
	lcl: number | null;
	ucl: number | null;
	signal: 'above' | 'below' | null;
}

export type AgentMark = 'above' | 'below' | 'same' | 'insufficient';

export interface AgentRow {
	agent: string;
	name: string;
	team: string | null;
	n: number;
	value: number | null;
	ci95: Interval | null;
	teamValue: number | null;
	restValue: number | null;
	restN: number;
	difference: number | null;
	z: number | null;
	p: number | null;
	mark: AgentMark;
}

export interface AgentTableData {
	kpi: TrendKpiKey;
	minN: number;
	teams: Record<string, { zh: string; en: string }>;
	rows: AgentRow[];
}

export interface TeamRowData {
	team: string;
	name: { zh: string; en: string };
	kpis: Record<TrendKpiKey, Reading>;
}
