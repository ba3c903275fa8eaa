import { DAY_MS } from './core';
import { EFFECTIVE_STATUS, type JourneyQuery } from './query';

/**
 * The instance groups of path maps, breakpoints and the journey list (groups.ts) from the day rollup
 * `journey_path_days` (schema/journeys.ts, kept by triggers on `journey_instances`): the whole UTC days of the range
 * from the rollup, the parts of days at its edges and the in-progress instances whose deadline falls on the day of
 * `now` (the only ones whose status as read at `now` the rollup cannot tell) from the instances. The same groups,
 * counts and score counts as the scan of the instances (`instanceGroupsScanSql`), in far fewer rows over long ranges.
 */

/** The score counts of one instance (SQL over `journey_instances`), in GroupRaw's order after the count. */
const INSTANCE_COUNTS = [
	'nps IS NOT NULL',
	'nps >= 9',
	'nps <= 6',
	'csat IS NOT NULL',
	'csat >= 4',
	'journey_nps IS NOT NULL',
	'journey_nps >= 9',
	'journey_nps <= 6',
	'journey_csat IS NOT NULL',
	'journey_csat >= 4'
].map((c) => `CASE WHEN ${c} THEN 1 ELSE 0 END`);

const ROLLUP_COUNTS = [
	'nps_n',
	'nps_promoters',
	'nps_detractors',
	'csat_n',
	'csat_satisfied',
	'journey_nps_n',
	'journey_nps_promoters',
	'journey_nps_detractors',
	'journey_csat_n',
	'journey_csat_satisfied'
];

/** The whole UTC days of a range ([fromDay, toDay) day numbers), or null when it holds none. */
export function wholeDays(q: Pick<JourneyQuery, 'from' | 'to'>): { fromDay: number; toDay: number } | null {
	const fromDay = Math.ceil(q.from / DAY_MS);
	const toDay = Math.floor(q.to / DAY_MS);
	return fromDay < toDay ? { fromDay, toDay } : null;
}

/**
 * The groups' SQL over the rollup and the instances around it, or null when the range holds no whole day (then the
 * scan serves). `pg`: sums cast back to bigint (PostgreSQL's sum of bigint is numeric).
 */
export function instanceGroupsRollupSql(
	journeyKey: string,
	q: JourneyQuery,
	now: number,
	pg: boolean
): { sql: string; params: Record<string, string | number> } | null {
	const days = wholeDays(q);
	if (!days) return null;
	const fullFrom = days.fromDay * DAY_MS;
	const fullTo = days.toDay * DAY_MS;
	const nowDay = Math.floor(now / DAY_MS);
	const rollupWhere = ['journey_key = @journeyKey', 'day >= @fromDay', 'day < @toDay'];
	if (q.segment) rollupWhere.push('segment = @segment');
	if (q.channel) rollupWhere.push('first_channel = @channel');
	rollupWhere.push(`NOT (status = 'in_progress' AND open_day = @nowDay)`);
	const instances = (where: string, index = '') =>
		`SELECT shape_id, depth, ${EFFECTIVE_STATUS} AS eff, 1 AS n, ${INSTANCE_COUNTS.map((c, i) => `${c} AS c${i}`).join(', ')}
		 FROM journey_instances ${index} WHERE ${where}`;
	/** The instances started in [@a, @b) that the query selects. */
	const started = (a: string, b: string) =>
		[
			'journey_key = @journeyKey',
			`started_at >= @${a}`,
			`started_at < @${b}`,
			...(q.segment ? ['segment = @segment'] : []),
			...(q.channel ? ['first_channel = @channel'] : [])
		].join(' AND ');
	const params: Record<string, string | number> = {
		journeyKey,
		fromDay: days.fromDay,
		toDay: days.toDay,
		nowDay,
		now,
		dayStart: nowDay * DAY_MS,
		dayEnd: (nowDay + 1) * DAY_MS,
		fullFrom,
		fullTo,
		from: q.from,
		to: q.to
	};
	if (q.segment) params.segment = q.segment;
	if (q.channel) params.channel = q.channel;
	const parts = [
		`SELECT shape_id, depth, CASE WHEN status = 'in_progress' AND open_day < @nowDay THEN 'abandoned' ELSE status END AS eff,
		   n, ${ROLLUP_COUNTS.map((c, i) => `${c} AS c${i}`).join(', ')}
		 FROM journey_path_days WHERE ${rollupWhere.join(' AND ')}`,
		// The in-progress instances of the whole days whose deadline is on the day of `now` (partial index on deadline).
		// SQLite would rather walk the whole days in the scan index.
		instances(
			`status = 'in_progress' AND deadline >= @dayStart AND deadline < @dayEnd AND ${started('fullFrom', 'fullTo')}`,
			pg ? '' : 'INDEXED BY journey_instances_open'
		)
	];
	if (q.from < fullFrom) parts.push(instances(started('from', 'fullFrom')));
	if (fullTo < q.to) parts.push(instances(started('fullTo', 'to')));
	const sum = (c: string) => (pg ? `sum(${c})::bigint` : `sum(${c})`);
	return {
		sql: `SELECT s.path, s.switches, g.* FROM (
		   SELECT shape_id, depth, eff, ${['n', ...ROLLUP_COUNTS.map((_, i) => `c${i}`)].map(sum).join(', ')}
		   FROM (${parts.join('\n UNION ALL ')}) u
		   GROUP BY shape_id, depth, eff
		 ) g JOIN journey_shapes s ON s.id = g.shape_id
		 ORDER BY g.shape_id, g.depth, g.eff`,
		params
	};
}
