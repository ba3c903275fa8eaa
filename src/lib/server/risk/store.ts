import type postgres from 'postgres';
import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import type { RiskModelRow, RiskScoreRow } from '$lib/server/db/schema';
import { REPEAT_WINDOW_MS } from '$lib/server/metrics/measures';
import { COUNT_FEATURES, LONG_WAIT_S, NEGATIVE_SENTIMENT, RISK_TAG_BIT, WINDOW_MS } from './features';

/**
 * The risk domain's storage, one implementation per engine (db/storage.ts). Features are aggregated in the
 * database in one statement per anchor (no per-customer query): events, texts and journey instances of the
 * 14 days before the anchor, and the complaint labels of the 14 days after it. The SQL is shared; the engines
 * differ only in parameters and in how a timestamp is padded to carry "the latest value" through MAX.
 */

/** One customer's counts in the window before an anchor and whether they complained in the window after it. */
export interface FeatureRow {
	customerId: string;
	teamId: string | null;
	segment: string | null;
	/** In COUNT_FEATURES order. */
	counts: number[];
	complained: number;
	regulatorComplained: number;
}

export interface NewRiskModel {
	trainedAt: number;
	trainFrom: number;
	trainTo: number;
	testFrom: number;
	testTo: number;
	model: Record<string, unknown>;
	quality: Record<string, unknown>;
}

export interface NewRiskScore {
	customerId: string;
	score: number;
	regulatorScore: number;
	teamId: string | null;
	segment: string | null;
	reasons: { feature: string; contribution: number }[];
}

export interface ScoreFilter {
	minScore: number;
	/** null: every team; an empty list matches nothing. */
	teams: string[] | null;
	limit: number;
	/** Keyset: rows after (score descending, customer ascending). */
	after: { score: number; customerId: string } | null;
}

/**
 * One customer's events of one week part, summed (features.ts `anchorFeatures` adds parts up into the rows of
 * weekly anchors): week k is [origin + k·7 d, origin + (k+1)·7 d); part 1 is its last 48 hours (REPEAT_WINDOW_MS),
 * part 0 the rest. `team` and `segment` are the latest values padded with their timestamp (MAX-comparable).
 */
export interface WeekPart {
	customerId: string;
	week: number;
	late: number;
	events: number;
	/** contacts, repeatChains (all flagged chains of the part), transfers, abandoned, longWaits, detractors, priorComplaints. */
	counts: number[];
	complaints: number;
	regulatorComplaints: number;
	team: string | null;
	segment: string | null;
}

/** negativeTexts, riskWords and stuckJourneys of the 14 days before an anchor, by customer. */
export type TextFeatures = Map<string, [number, number, number]>;

export interface RiskStore {
	/** Customers with an event in [at − 14 d, at), with labels from [at, labelTo). */
	features(at: number, labelTo: number): Promise<FeatureRow[]>;
	/**
	 * Every customer's week parts of [origin, end) (end − origin whole weeks), in batches, by customer (the order of
	 * `features`) then week then part: one scan of the events for all weekly anchors of a training.
	 */
	weekParts(origin: number, end: number, onBatch: (parts: WeekPart[]) => void): Promise<void>;
	/** The text and journey features of the 14 days before `at` (the customers who have any). */
	textFeatures(at: number): Promise<TextFeatures>;
	/** Stores a trained model and replaces every score with the given ones, in one transaction. */
	saveModel(model: NewRiskModel, scores: NewRiskScore[], scoredAt: number): Promise<number>;
	latestModel(): Promise<RiskModelRow | null>;
	scores(filter: ScoreFilter): Promise<RiskScoreRow[]>;
	customerScore(customerId: string): Promise<RiskScoreRow | null>;
	/** Customers whose current score is at or above minScore, by id (an outreach audience's `risk` rule). */
	customersAtOrAbove(minScore: number): Promise<string[]>;
	/** Current scores at or above minScore on either probability (an alert rule's watch), highest first. */
	scoresOver(filter: OverFilter): Promise<RiskScoreRow[]>;
	/** How many current scores are at or above minScore, per team (null: no team). */
	countsOver(filter: Omit<OverFilter, 'limit'>): Promise<{ teamId: string | null; n: number }[]>;
}

export interface OverFilter {
	outcome: 'complaint' | 'regulator';
	minScore: number;
	/** null: every team; an empty list matches nothing. */
	teams: string[] | null;
	/** null: every segment. */
	segments: readonly string[] | null;
	limit: number;
}

/** The alert rule's query with `?` placeholders (the same on both engines). */
function overQuery(filter: OverFilter, count = false): { text: string; params: (string | number)[] } {
	const column = filter.outcome === 'regulator' ? 'regulator_score' : 'score';
	const where = [`${column} >= ?`];
	const params: (string | number)[] = [filter.minScore];
	for (const [name, list] of [
		['team_id', filter.teams],
		['segment', filter.segments]
	] as const) {
		if (list === null) continue;
		if (list.length === 0) where.push('1 = 0');
		else {
			where.push(`${name} IN (${list.map(() => '?').join(', ')})`);
			params.push(...list);
		}
	}
	if (count)
		return {
			text: `SELECT team_id AS "teamId", COUNT(*) AS n FROM risk_scores WHERE ${where.join(' AND ')}
				GROUP BY team_id ORDER BY team_id`,
			params
		};
	params.push(filter.limit);
	return {
		text: `SELECT ${SCORE_COLUMNS} FROM risk_scores WHERE ${where.join(' AND ')}
			ORDER BY ${column} DESC, customer_id ASC LIMIT ?`,
		params
	};
}

const toCounts = (rows: { teamId: string | null; n: unknown }[]) =>
	rows.map((r) => ({ teamId: r.teamId ?? null, n: Number(r.n) }));

const AT_OR_ABOVE = 'SELECT customer_id FROM risk_scores WHERE score >= ? ORDER BY customer_id';

const counted = (condition: string) => `SUM(CASE WHEN ts < @at AND ${condition} THEN 1 ELSE 0 END)`;

/** `pad(expr)`: the timestamp as fixed-width text, so MAX(pad(ts) || value) is the latest value. */
function featuresSql(pad: (expr: string) => string): string {
	const columns: Record<(typeof COUNT_FEATURES)[number], string> = {
		contacts: counted(`type = 'contact'`),
		// Only chains whose 48-hour follow-up had passed by the anchor: the flag looks forward, and a repeat after the
		// anchor would leak the future into the features.
		repeatChains: counted(
			`type = 'contact' AND chain_last = 1 AND repeat_48h = 1 AND ts < @at - ${REPEAT_WINDOW_MS}`
		),
		transfers: counted(`type = 'contact' AND (outcome = 'transferred' OR transferred_to_agent = 1)`),
		abandoned: counted(`type = 'contact' AND outcome = 'abandoned'`),
		longWaits: counted(`type = 'contact' AND wait_s >= ${LONG_WAIT_S}`),
		negativeTexts: 'COALESCE(tx.negative, 0)',
		riskWords: 'COALESCE(tx.risk, 0)',
		stuckJourneys: 'COALESCE(jy.stuck, 0)',
		detractors: counted(`type = 'feedback' AND metric = 'nps' AND score <= 6`),
		priorComplaints: counted(`type = 'complaint'`)
	};
	const fromText = new Set(['negativeTexts', 'riskWords', 'stuckJourneys']);
	return `
WITH ev AS (
	SELECT customer_id,
		SUM(CASE WHEN ts < @at THEN 1 ELSE 0 END) AS active,
		${COUNT_FEATURES.filter((f) => !fromText.has(f))
			.map((f) => `${columns[f]} AS "f_${f}"`)
			.join(',\n\t\t')},
		MAX(CASE WHEN ts >= @at AND type = 'complaint' THEN 1 ELSE 0 END) AS complained,
		MAX(CASE WHEN ts >= @at AND type = 'complaint' AND regulator = 1 THEN 1 ELSE 0 END) AS regulator_complained,
		MAX(CASE WHEN ts < @at AND team_id IS NOT NULL THEN ${pad('ts')} || team_id END) AS latest_team,
		MAX(CASE WHEN ts < @at AND segment IS NOT NULL THEN ${pad('ts')} || segment END) AS latest_segment
	FROM events
	WHERE ts >= @from AND ts < @labelTo
	GROUP BY customer_id
),
tx AS (
	SELECT customer_id,
		SUM(CASE WHEN sentiment < ${NEGATIVE_SENTIMENT} THEN 1 ELSE 0 END) AS negative,
		SUM(CASE WHEN (tag_mask & ${RISK_TAG_BIT}) <> 0 THEN 1 ELSE 0 END) AS risk
	FROM text_docs
	WHERE ts >= @from AND ts < @at
	GROUP BY customer_id
),
jy AS (
	SELECT customer_id, COUNT(*) AS stuck
	FROM journey_instances
	WHERE started_at < @at AND deadline >= @from
		AND ((status = 'failed' AND ended_at < @at) OR (status <> 'completed' AND status <> 'failed' AND deadline < @at))
	GROUP BY customer_id
)
SELECT ev.customer_id AS "customerId",
	substr(ev.latest_team, 16) AS "teamId",
	substr(ev.latest_segment, 16) AS "segment",
	${COUNT_FEATURES.map((f) => (fromText.has(f) ? `${columns[f]} AS "f_${f}"` : `ev."f_${f}"`)).join(', ')},
	ev.complained AS "complained", ev.regulator_complained AS "regulatorComplained"
FROM ev
LEFT JOIN tx ON tx.customer_id = ev.customer_id
LEFT JOIN jy ON jy.customer_id = ev.customer_id
WHERE ev.active > 0
ORDER BY ev.customer_id`;
}

/** The per-part sums of events (WeekPart), in WEEK_PART_COUNTS order. */
export const WEEK_PART_COUNTS = [
	'contacts',
	'repeatChains',
	'transfers',
	'abandoned',
	'longWaits',
	'detractors',
	'priorComplaints'
] as const;

const WEEK = 7 * 86_400_000;

function weekPartsSql(pad: (expr: string) => string): string {
	const sum = (condition: string) => `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
	const conditions: Record<(typeof WEEK_PART_COUNTS)[number], string> = {
		contacts: `type = 'contact'`,
		repeatChains: `type = 'contact' AND chain_last = 1 AND repeat_48h = 1`,
		transfers: `type = 'contact' AND (outcome = 'transferred' OR transferred_to_agent = 1)`,
		abandoned: `type = 'contact' AND outcome = 'abandoned'`,
		longWaits: `type = 'contact' AND wait_s >= ${LONG_WAIT_S}`,
		detractors: `type = 'feedback' AND metric = 'nps' AND score <= 6`,
		priorComplaints: `type = 'complaint'`
	};
	return `
SELECT customer_id, CAST((ts - @origin) / ${WEEK} AS BIGINT) AS k_week,
	CASE WHEN ts >= @origin + (CAST((ts - @origin) / ${WEEK} AS BIGINT) + 1) * ${WEEK} - ${REPEAT_WINDOW_MS} THEN 1 ELSE 0 END AS k_late,
	COUNT(*) AS n,
	${WEEK_PART_COUNTS.map((f) => sum(conditions[f])).join(',\n\t')},
	${sum(`type = 'complaint'`)},
	${sum(`type = 'complaint' AND regulator = 1`)},
	MAX(CASE WHEN team_id IS NOT NULL THEN ${pad('ts')} || team_id END),
	MAX(CASE WHEN segment IS NOT NULL THEN ${pad('ts')} || segment END)
FROM events
WHERE ts >= @origin AND ts < @end
GROUP BY customer_id, k_week, k_late
ORDER BY customer_id, k_week, k_late`;
}

const TEXT_SQL = `
SELECT customer_id,
	SUM(CASE WHEN sentiment < ${NEGATIVE_SENTIMENT} THEN 1 ELSE 0 END) AS negative,
	SUM(CASE WHEN (tag_mask & ${RISK_TAG_BIT}) <> 0 THEN 1 ELSE 0 END) AS risk
FROM text_docs
WHERE ts >= @from AND ts < @at
GROUP BY customer_id`;

const STUCK_SQL = `
SELECT customer_id, COUNT(*) AS stuck
FROM journey_instances
WHERE started_at < @at AND deadline >= @from
	AND ((status = 'failed' AND ended_at < @at) OR (status <> 'completed' AND status <> 'failed' AND deadline < @at))
GROUP BY customer_id`;

/** A raw week-part row (column order of weekPartsSql) as a WeekPart. */
function toWeekPart(r: unknown[]): WeekPart {
	const counts = new Array<number>(WEEK_PART_COUNTS.length);
	for (let j = 0; j < counts.length; j++) counts[j] = Number(r[4 + j] ?? 0);
	const at = 4 + WEEK_PART_COUNTS.length;
	return {
		customerId: r[0] as string,
		week: Number(r[1]),
		late: Number(r[2]),
		events: Number(r[3]),
		counts,
		complaints: Number(r[at] ?? 0),
		regulatorComplaints: Number(r[at + 1] ?? 0),
		team: (r[at + 2] as string | null) ?? null,
		segment: (r[at + 3] as string | null) ?? null
	};
}

function textFeatureMap(
	texts: { customer_id: string; negative: unknown; risk: unknown }[],
	stuck: { customer_id: string; stuck: unknown }[]
): TextFeatures {
	const out: TextFeatures = new Map();
	for (const t of texts) out.set(t.customer_id, [Number(t.negative), Number(t.risk), 0]);
	for (const j of stuck) {
		const row = out.get(j.customer_id) ?? [0, 0, 0];
		row[2] = Number(j.stuck);
		out.set(j.customer_id, row);
	}
	return out;
}

/** Week-part rows handed over at a time (streamed, so a training never holds every part). */
const PART_BATCH = 5_000;

/** Customers per week-part statement on PostgreSQL. */
const WEEK_PART_CUSTOMERS = 5_000;

/**
 * On PostgreSQL, the events of the customers after $3 (up to $4 when `bounded`) in [$1, $2), with the columns the
 * week parts read: journey steps and the other events each through their per-customer partial index
 * (events_journey_steps, events_customer_interactions), so a slice costs its own rows, not a scan of the history.
 */
function customerSlice(bounded: boolean): string {
	const columns = `customer_id, ts, type, chain_last, repeat_48h, outcome, transferred_to_agent, wait_s, metric, score,
		regulator, team_id, segment`;
	const where = `customer_id > $3::text${bounded ? ' AND customer_id <= $4::text' : ''} AND ts >= $1::bigint AND ts < $2::bigint`;
	return `(SELECT ${columns} FROM events WHERE type <> 'journey' AND ${where}
		UNION ALL SELECT ${columns} FROM events WHERE type = 'journey' AND ${where})`;
}

type RawFeatureRow = Omit<FeatureRow, 'counts'> & Record<string, unknown>;

function toFeatureRow(raw: RawFeatureRow): FeatureRow {
	return {
		customerId: raw.customerId,
		teamId: raw.teamId ?? null,
		segment: raw.segment ?? null,
		counts: COUNT_FEATURES.map((f) => Number(raw[`f_${f}`] ?? 0)),
		complained: Number(raw.complained),
		regulatorComplained: Number(raw.regulatorComplained)
	};
}

const SCORE_COLUMNS = `customer_id AS "customerId", model_id AS "modelId", scored_at AS "scoredAt", score,
	regulator_score AS "regulatorScore", team_id AS "teamId", segment, reasons`;

/** The list query with `?` placeholders and its parameters (the same on both engines). */
function scoresQuery(filter: ScoreFilter): { text: string; params: (string | number)[] } {
	const where = ['score >= ?'];
	const params: (string | number)[] = [filter.minScore];
	if (filter.teams !== null) {
		if (filter.teams.length === 0) where.push('1 = 0');
		else {
			where.push(`team_id IN (${filter.teams.map(() => '?').join(', ')})`);
			params.push(...filter.teams);
		}
	}
	if (filter.after) {
		where.push('(score < ? OR (score = ? AND customer_id > ?))');
		params.push(filter.after.score, filter.after.score, filter.after.customerId);
	}
	params.push(filter.limit);
	return {
		text: `SELECT ${SCORE_COLUMNS} FROM risk_scores WHERE ${where.join(' AND ')}
			ORDER BY score DESC, customer_id ASC LIMIT ?`,
		params
	};
}

function parseScore(row: RiskScoreRow & { reasons: unknown }): RiskScoreRow {
	return {
		...row,
		reasons: typeof row.reasons === 'string' ? JSON.parse(row.reasons) : row.reasons
	} as RiskScoreRow;
}

function parseModel(row: Record<string, unknown> | undefined): RiskModelRow | null {
	if (!row) return null;
	const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
	return {
		id: Number(row.id),
		trainedAt: Number(row.trainedAt),
		trainFrom: Number(row.trainFrom),
		trainTo: Number(row.trainTo),
		testFrom: Number(row.testFrom),
		testTo: Number(row.testTo),
		model: json(row.model),
		quality: json(row.quality),
		scored: Number(row.scored)
	};
}

const MODEL_COLUMNS = `id, trained_at AS "trainedAt", train_from AS "trainFrom", train_to AS "trainTo",
	test_from AS "testFrom", test_to AS "testTo", model, quality, scored`;
const LATEST_MODEL = `SELECT ${MODEL_COLUMNS} FROM risk_models ORDER BY id DESC LIMIT 1`;

function sqliteRiskStore(db: Db): RiskStore {
	const client = db.$client;
	const featureStatement = client.prepare(featuresSql((ts) => `printf('%015d', ${ts})`));
	const weekPartStatement = client.prepare(weekPartsSql((ts) => `printf('%015d', ${ts})`)).raw(true);
	const textStatement = client.prepare(TEXT_SQL);
	const stuckStatement = client.prepare(STUCK_SQL);
	const insertScore = client.prepare(
		`INSERT INTO risk_scores (customer_id, model_id, scored_at, score, regulator_score, team_id, segment, reasons)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	);
	const insertModel = client.prepare(
		`INSERT INTO risk_models (trained_at, train_from, train_to, test_from, test_to, model, quality, scored)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	);
	const save = client.transaction((model: NewRiskModel, scores: NewRiskScore[], scoredAt: number) => {
		const id = Number(
			insertModel.run(
				model.trainedAt,
				model.trainFrom,
				model.trainTo,
				model.testFrom,
				model.testTo,
				JSON.stringify(model.model),
				JSON.stringify(model.quality),
				scores.length
			).lastInsertRowid
		);
		client.prepare('DELETE FROM risk_scores').run();
		for (const s of scores)
			insertScore.run(
				s.customerId,
				id,
				scoredAt,
				s.score,
				s.regulatorScore,
				s.teamId,
				s.segment,
				JSON.stringify(s.reasons)
			);
		return id;
	});
	return {
		async features(at, labelTo) {
			const rows = featureStatement.all({ at, from: at - WINDOW_MS, labelTo }) as RawFeatureRow[];
			return rows.map(toFeatureRow);
		},
		async weekParts(origin, end, onBatch) {
			let batch: WeekPart[] = [];
			for (const r of weekPartStatement.iterate({ origin, end }) as Iterable<unknown[]>) {
				batch.push(toWeekPart(r));
				if (batch.length >= PART_BATCH) {
					onBatch(batch);
					batch = [];
				}
			}
			if (batch.length) onBatch(batch);
		},
		async textFeatures(at) {
			const range = { from: at - WINDOW_MS, at };
			return textFeatureMap(
				textStatement.all(range) as { customer_id: string; negative: number; risk: number }[],
				stuckStatement.all(range) as { customer_id: string; stuck: number }[]
			);
		},
		async saveModel(model, scores, scoredAt) {
			return save(model, scores, scoredAt);
		},
		async latestModel() {
			return parseModel(client.prepare(LATEST_MODEL).get() as Record<string, unknown> | undefined);
		},
		async scores(filter) {
			const { text, params } = scoresQuery(filter);
			return (client.prepare(text).all(...params) as RiskScoreRow[]).map(parseScore);
		},
		async customerScore(customerId) {
			const row = client
				.prepare(`SELECT ${SCORE_COLUMNS} FROM risk_scores WHERE customer_id = ?`)
				.get(customerId) as RiskScoreRow | undefined;
			return row ? parseScore(row) : null;
		},
		async customersAtOrAbove(minScore) {
			return client.prepare(AT_OR_ABOVE).pluck().all(minScore) as string[];
		},
		async scoresOver(filter) {
			const { text, params } = overQuery(filter);
			return (client.prepare(text).all(...params) as RiskScoreRow[]).map(parseScore);
		},
		async countsOver(filter) {
			const { text, params } = overQuery({ ...filter, limit: 0 }, true);
			return toCounts(client.prepare(text).all(...params) as { teamId: string | null; n: number }[]);
		}
	};
}

function numbered(text: string): string {
	let n = 0;
	return text.replace(/\?/g, () => `$${++n}`);
}

/** Rows per INSERT of scores (one JSON parameter each). */
const SCORE_BATCH = 20_000;

/** `sliceCustomers`: customers per week-part statement (default WEEK_PART_CUSTOMERS; tests make it small). */
function postgresRiskStore(db: PgDb, options: { sliceCustomers?: number } = {}): RiskStore {
	const slice = options.sliceCustomers ?? WEEK_PART_CUSTOMERS;
	const sql = db.$client;
	const featureText = featuresSql((ts) => `lpad(${ts}::text, 15, '0')`)
		.replaceAll('@from', '$1::bigint')
		.replaceAll('@at', '$2::bigint')
		.replaceAll('@labelTo', '$3::bigint');
	const weekPartText = (bounded: boolean) =>
		weekPartsSql((ts) => `lpad(${ts}::text, 15, '0')`)
			.replace('FROM events', `FROM ${customerSlice(bounded)} AS events`)
			.replaceAll('@origin', '$1::bigint')
			.replaceAll('@end', '$2::bigint');
	const weekPartSlice = weekPartText(true);
	const weekPartLast = weekPartText(false);
	const ranged = (text: string) => text.replaceAll('@from', '$1::bigint').replaceAll('@at', '$2::bigint');
	return {
		async features(at, labelTo) {
			const rows = (await sql.unsafe(featureText, [
				at - WINDOW_MS,
				at,
				labelTo
			])) as unknown as RawFeatureRow[];
			return rows.map(toFeatureRow);
		},
		async weekParts(origin, end, onBatch) {
			// A slice of customers at a time (the whole history in one GROUP BY ran into the statement timeout on a
			// busy server): each slice is read through the per-customer indexes, its parts in customer order.
			const bounds = (
				await sql.unsafe(
					`SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM customers) AS c
					 WHERE n % $1 = 0 ORDER BY id`,
					[slice]
				)
			).map((r) => String(r.id));
			let after = '';
			for (const hi of [...bounds, null]) {
				const rows = (await sql
					.unsafe(hi === null ? weekPartLast : weekPartSlice, [
						origin,
						end,
						after,
						...(hi === null ? [] : [hi])
					])
					.values()) as unknown as unknown[][];
				for (let i = 0; i < rows.length; i += PART_BATCH)
					onBatch(rows.slice(i, i + PART_BATCH).map(toWeekPart));
				if (hi !== null) after = hi;
			}
		},
		async textFeatures(at) {
			const range = [at - WINDOW_MS, at];
			return textFeatureMap(
				(await sql.unsafe(ranged(TEXT_SQL), range)) as unknown as {
					customer_id: string;
					negative: unknown;
					risk: unknown;
				}[],
				(await sql.unsafe(ranged(STUCK_SQL), range)) as unknown as { customer_id: string; stuck: unknown }[]
			);
		},
		async saveModel(model, scores, scoredAt) {
			return sql.begin(async (tx: postgres.TransactionSql) => {
				const [row] = await tx.unsafe(
					`INSERT INTO risk_models (trained_at, train_from, train_to, test_from, test_to, model, quality, scored)
					 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
					[
						model.trainedAt,
						model.trainFrom,
						model.trainTo,
						model.testFrom,
						model.testTo,
						JSON.stringify(model.model),
						JSON.stringify(model.quality),
						scores.length
					]
				);
				const id = Number(row.id);
				await tx.unsafe('DELETE FROM risk_scores');
				for (let i = 0; i < scores.length; i += SCORE_BATCH) {
					const batch = scores.slice(i, i + SCORE_BATCH).map((s) => ({
						c: s.customerId,
						s: s.score,
						r: s.regulatorScore,
						t: s.teamId,
						g: s.segment,
						why: JSON.stringify(s.reasons)
					}));
					await tx.unsafe(
						`INSERT INTO risk_scores (customer_id, model_id, scored_at, score, regulator_score, team_id, segment, reasons)
						 SELECT c, $2::bigint, $3::bigint, s, r, t, g, why
						 FROM jsonb_to_recordset($1::jsonb)
						   AS v(c text, s double precision, r double precision, t text, g text, why text)`,
						[JSON.stringify(batch), id, scoredAt]
					);
				}
				return id;
			}) as Promise<number>;
		},
		async latestModel() {
			const [row] = await sql.unsafe(LATEST_MODEL);
			return parseModel(row as Record<string, unknown> | undefined);
		},
		async scores(filter) {
			const { text, params } = scoresQuery(filter);
			const rows = await sql.unsafe(numbered(text), params);
			return (rows as unknown as RiskScoreRow[]).map(parseScore);
		},
		async customerScore(customerId) {
			const [row] = await sql.unsafe(`SELECT ${SCORE_COLUMNS} FROM risk_scores WHERE customer_id = $1`, [
				customerId
			]);
			return row ? parseScore(row as unknown as RiskScoreRow) : null;
		},
		async customersAtOrAbove(minScore) {
			const rows = await sql.unsafe(numbered(AT_OR_ABOVE), [minScore]);
			return rows.map((r) => (r as unknown as { customer_id: string }).customer_id);
		},
		async scoresOver(filter) {
			const { text, params } = overQuery(filter);
			const rows = await sql.unsafe(numbered(text), params);
			return (rows as unknown as RiskScoreRow[]).map(parseScore);
		},
		async countsOver(filter) {
			const { text, params } = overQuery({ ...filter, limit: 0 }, true);
			const rows = await sql.unsafe(numbered(text), params);
			return toCounts(rows as unknown as { teamId: string | null; n: unknown }[]);
		}
	};
}

export const riskStores = { sqlite: sqliteRiskStore, postgres: postgresRiskStore };
