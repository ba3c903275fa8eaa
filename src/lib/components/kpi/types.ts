import type { KpiUnit } from '$lib/kpi-format';

/** What a KPI tile shows: the reading, its n and interval, its target colour and its change. */
export interface KpiTileData {
	key: string;
	label: string;
	description?: string;
	unit: KpiUnit;
	direction: 'higher' | 'lower';
	value: number | null;
	n: number;
	ci95: [number, number] | null;
	minN: number;
	target?: number | null;
	status?: 'good' | 'amber' | 'red' | null;
	change?: number | null;
	significant?: boolean;
	lowConfidence?: boolean;
	/** Chains still inside their follow-up window (not in value or n): the value is provisional when > 0. */
	pending?: number;
	/** complaint_rate: complaints attributed to no contact chain, counted in this (unfiltered) value. */
	unattributed?: number;
	/** cx_index: the names of its components under their minimum n. */
	missing?: string[];
	spark?: (number | null)[];
	/** Extra definition shown on hover, e.g. that abandons count as offered for service level. */
	note?: string;
}
