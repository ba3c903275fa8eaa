import type postgres from 'postgres';
import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import type { RiskModelRow, RiskScoreRow } from '$lib/server/db/schema';
import { REPEAT_WINDOW_MS } from '$lib/server/metrics/measures';
import {
	COUNT_FEATURES,
	EVENT_FLAGS,
	LONG_WAIT_S,
	NEGATIVE_SENTIMENT,
	RISK_TAG_BIT,
	TEXT_FLAGS,
	WINDOW_MS
} from './features';

/**
 * The risk domain's storage, one implementation per engine (db/storage.ts). Training and scoring read the history
 * in one pass for every anchor: the events in time order with what each counts for (flags computed in SQL), the
 * texts and the journey instances, streamed (SQLite in slices, PostgreSQL through cursors), and added up per
 * customer and anchor in features.ts (AnchorScan). `features` aggregates one anchor in one SQL statement: the
 * reference definition the scan is checked against (tests, both engines). The SQL is shared; the engines differ
 * only in parameters and in how a timestamp is padded to carry "the latest value" through MAX.
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

/** Scores to store: a list, or `count` of them handed over in batches (a training scores a million customers). */
export type ScoreSource = NewRiskScore[] | { count: number; batches: Iterable<NewRiskScore[]> };

function scoreBatches(scores: ScoreSource): { count: number; batches: Iterable<NewRiskScore[]> } {
	return Array.isArray(scores) ? { count: scores.length, batches: [scores] } : scores;
}

export interface ScoreFilter {
	minScore: number;
	/** null: every team; an empty list matches nothing. */
	teams: string[] | null;
	limit: number;
	/** Keyset: rows after (score descending, customer descending). */
	after: { score: number; customerId: string } | null;
}

/**
 * A batch of rows of one scan (RiskStore.scanEvents / scanTexts / scanJourneys), as arrays in the scan's column
 * order. Scans stream: a training never holds every event.
 */
export type ScanBatch = unknown[][];

export interface RiskStore {
	/**
	 * Customers with an event in [at − 14 d, at), with labels from [at, labelTo), aggregated by one SQL statement:
	 * the reference definition the scans (what training and scoring read) are checked against.
	 */
	features(at: number, labelTo: number): Promise<FeatureRow[]>;
	/**
	 * The events of [from, to) in time order (customer_id, ts, flags, team_id, segment), in batches: one scan for
	 * every anchor of a training (features.ts AnchorScan).
	 */
	scanEvents(from: number, to: number, onBatch: (rows: ScanBatch) => void): Promise<void>;
	/** The texts of [from, to) that are negative or carry risk words (customer_id, ts, flags), in batches. */
	scanTexts(from: number, to: number, onBatch: (rows: ScanBatch) => void): Promise<void>;
	/**
	 * Journey instances not completed that may count as stuck at an anchor in [from, to] (started before `to`,
	 * deadline at or after `from` − 14 d): customer_id, started_at, deadline, failed (0/1), ended_at.
	 */
	scanJourneys(from: number, to: number, onBatch: (rows: ScanBatch) => void): Promise<void>;
	/** Stores a trained model and replaces every score with the given ones, in one transaction. */
	saveModel(model: NewRiskModel, scores: ScoreSource, scoredAt: number): Promise<number>;
	latestModel(): Promise<RiskModelRow | null>;
	scores(filter: ScoreFilter): Promise<RiskScoreRow[]>;
	customerScore(customerId: string): Promise<RiskScoreRow | null>;
	/** Customers whose current score is at or above minScore, by id (an outreach audience's `risk` rule). */
	customersAtOrAbove(minScore: number): Promise<string[]>;
	/** Current scores at or above minScore on either probability (an alert rule's watch), highest first (ties: customer descending). */
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

/**
 * The alert rule's query with `?` placeholders (the same on both engines but for `from`). Ties are by customer
 * descending, as the list's, so the rows come straight off `risk_scores_score` (complaint probability) or
 * `risk_scores_regulator_score` (regulator probability) read backwards. `from` lets SQLite count with a table scan (`risk_scores NOT INDEXED`): without statistics it would
 * walk `risk_scores_team_score` for the GROUP BY's order and look every row up (≈ 27 s for 1M scores on the
 * regulator probability, bench/risk-list.ts).
 */
function overQuery(
	filter: OverFilter,
	count = false,
	from = 'risk_scores'
): { text: string; params: (string | number)[] } {
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
			text: `SELECT team_id AS "teamId", COUNT(*) AS n FROM ${from} WHERE ${where.join(' AND ')}
				GROUP BY team_id ORDER BY team_id`,
			params
		};
	params.push(filter.limit);
	return {
		text: `SELECT ${SCORE_COLUMNS} FROM risk_scores WHERE ${where.join(' AND ')}
			ORDER BY ${column} DESC, customer_id DESC LIMIT ?`,
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

const flag = (condition: string, bit: number) => `CASE WHEN ${condition} THEN ${bit} ELSE 0 END`;

/** The event scan: each event with its EVENT_FLAGS, in time order. */
const EVENT_SCAN_SQL = `
SELECT customer_id, ts,
	${flag(`type = 'contact'`, EVENT_FLAGS.contact)}
	+ ${flag(`type = 'contact' AND chain_last = 1 AND repeat_48h = 1`, EVENT_FLAGS.repeatChain)}
	+ ${flag(`type = 'contact' AND (outcome = 'transferred' OR transferred_to_agent = 1)`, EVENT_FLAGS.transfer)}
	+ ${flag(`type = 'contact' AND outcome = 'abandoned'`, EVENT_FLAGS.abandoned)}
	+ ${flag(`type = 'contact' AND wait_s >= ${LONG_WAIT_S}`, EVENT_FLAGS.longWait)}
	+ ${flag(`type = 'feedback' AND metric = 'nps' AND score <= 6`, EVENT_FLAGS.detractor)}
	+ ${flag(`type = 'complaint'`, EVENT_FLAGS.complaint)}
	+ ${flag(`type = 'complaint' AND regulator = 1`, EVENT_FLAGS.regulatorComplaint)} AS flags,
	team_id, segment
FROM events
WHERE ts >= @from AND ts < @to
ORDER BY ts`;

const TEXT_SCAN_SQL = `
SELECT customer_id, ts,
	${flag(`sentiment < ${NEGATIVE_SENTIMENT}`, TEXT_FLAGS.negative)}
	+ ${flag(`(tag_mask & ${RISK_TAG_BIT}) <> 0`, TEXT_FLAGS.riskWords)} AS flags
FROM text_docs
WHERE ts >= @from AND ts < @to AND (sentiment < ${NEGATIVE_SENTIMENT} OR (tag_mask & ${RISK_TAG_BIT}) <> 0)`;

const JOURNEY_SCAN_SQL = `
SELECT customer_id, started_at, deadline, CASE WHEN status = 'failed' THEN 1 ELSE 0 END AS failed, ended_at
FROM journey_instances
WHERE started_at < @to AND deadline >= @from AND status <> 'completed'`;

/** Event scan slices (SQLite reads each with one `all`: cheaper per row than stepping an iterator). */
const SCAN_SLICE_MS = 6 * 3_600_000;
/** Rows a PostgreSQL cursor hands over at a time. */
const SCAN_BATCH = 10_000;

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

/** A manager's teams beyond this are read with one `IN` instead of a branch each (SQLite allows 500 branches). */
const TEAM_BRANCHES = 40;

/**
 * The list query with `?` placeholders and its parameters (the same on both engines). The order is score
 * descending, then customer descending, so the keyset is one row-value comparison `(score, customer_id) < (?, ?)`
 * and each read is a backward range scan of an ascending index (`risk_scores_score`, or `risk_scores_team_score`
 * after its team): any page, inside ties as large as the center, reads only the rows it returns. Several teams (a
 * manager's) are a branch each, merged: one `team_id IN (…)` could not walk the team index in score order.
 * Exported for the list benchmark's query plans (bench/risk-list.ts).
 */
export function scoresQuery(filter: ScoreFilter): { text: string; params: (string | number)[] } {
	const branch = (teams: string[] | null) => {
		const where: string[] = [];
		const params: (string | number)[] = [];
		if (teams?.length === 1) {
			where.push('team_id = ?');
			params.push(teams[0]);
		}
		where.push('score >= ?');
		params.push(filter.minScore);
		if (teams !== null && teams.length !== 1) {
			where.push(teams.length ? `team_id IN (${teams.map(() => '?').join(', ')})` : '1 = 0');
			params.push(...teams);
		}
		if (filter.after) {
			where.push('(score, customer_id) < (?, ?)');
			params.push(filter.after.score, filter.after.customerId);
		}
		params.push(filter.limit);
		return {
			text: `SELECT ${SCORE_COLUMNS} FROM risk_scores WHERE ${where.join(' AND ')}
			ORDER BY score DESC, customer_id DESC LIMIT ?`,
			params
		};
	};
	const teams = filter.teams === null ? null : [...new Set(filter.teams)];
	if (teams === null || teams.length <= 1 || teams.length > TEAM_BRANCHES) return branch(teams);
	const branches = teams.map((team) => branch([team]));
	return {
		text: `${branches.map((b, i) => `SELECT * FROM (${b.text}) AS b${i}`).join('\nUNION ALL\n')}
			ORDER BY score DESC, "customerId" DESC LIMIT ?`,
		params: [...branches.flatMap((b) => b.params), filter.limit]
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
	const eventScan = client.prepare(EVENT_SCAN_SQL).raw(true);
	const textScan = client.prepare(TEXT_SCAN_SQL).raw(true);
	const journeyScan = client.prepare(JOURNEY_SCAN_SQL).raw(true);
	const insertScore = client.prepare(
		`INSERT INTO risk_scores (customer_id, model_id, scored_at, score, regulator_score, team_id, segment, reasons)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	);
	const insertModel = client.prepare(
		`INSERT INTO risk_models (trained_at, train_from, train_to, test_from, test_to, model, quality, scored)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	);
	const save = client.transaction((model: NewRiskModel, scores: ScoreSource, scoredAt: number) => {
		const { count, batches } = scoreBatches(scores);
		const id = Number(
			insertModel.run(
				model.trainedAt,
				model.trainFrom,
				model.trainTo,
				model.testFrom,
				model.testTo,
				JSON.stringify(model.model),
				JSON.stringify(model.quality),
				count
			).lastInsertRowid
		);
		client.prepare('DELETE FROM risk_scores').run();
		for (const batch of batches)
			for (const s of batch)
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
		async scanEvents(from, to, onBatch) {
			for (let start = from; start < to; start += SCAN_SLICE_MS) {
				const rows = eventScan.all({ from: start, to: Math.min(to, start + SCAN_SLICE_MS) }) as ScanBatch;
				if (rows.length) onBatch(rows);
			}
		},
		async scanTexts(from, to, onBatch) {
			onBatch(textScan.all({ from, to }) as ScanBatch);
		},
		async scanJourneys(from, to, onBatch) {
			onBatch(journeyScan.all({ from: from - WINDOW_MS, to }) as ScanBatch);
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
			const { text, params } = overQuery({ ...filter, limit: 0 }, true, 'risk_scores NOT INDEXED');
			return toCounts(client.prepare(text).all(...params) as { teamId: string | null; n: number }[]);
		}
	};
}

function numbered(text: string): string {
	let n = 0;
	return text.replace(/\?/g, () => `$${++n}`);
}

/** Scores handed to saveModel at a time (on PostgreSQL one INSERT of one JSON parameter each). */
export const SCORE_BATCH = 20_000;

function postgresRiskStore(db: PgDb): RiskStore {
	const sql = db.$client;
	const featureText = featuresSql((ts) => `lpad(${ts}::text, 15, '0')`)
		.replaceAll('@from', '$1::bigint')
		.replaceAll('@at', '$2::bigint')
		.replaceAll('@labelTo', '$3::bigint');
	const ranged = (text: string) => text.replaceAll('@from', '$1::bigint').replaceAll('@to', '$2::bigint');
	/** Streams a query through a cursor (PostgreSQL never hands over a whole table). */
	const stream = async (text: string, params: number[], onBatch: (rows: ScanBatch) => void) => {
		const cursor = sql.unsafe(ranged(text), params).values().cursor(SCAN_BATCH);
		for await (const rows of cursor) onBatch(rows as unknown as ScanBatch);
	};
	return {
		async features(at, labelTo) {
			const rows = (await sql.unsafe(featureText, [
				at - WINDOW_MS,
				at,
				labelTo
			])) as unknown as RawFeatureRow[];
			return rows.map(toFeatureRow);
		},
		async scanEvents(from, to, onBatch) {
			await stream(EVENT_SCAN_SQL, [from, to], onBatch);
		},
		async scanTexts(from, to, onBatch) {
			await stream(TEXT_SCAN_SQL, [from, to], onBatch);
		},
		async scanJourneys(from, to, onBatch) {
			await stream(JOURNEY_SCAN_SQL, [from - WINDOW_MS, to], onBatch);
		},
		async saveModel(model, scores, scoredAt) {
			const { count, batches } = scoreBatches(scores);
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
						count
					]
				);
				const id = Number(row.id);
				await tx.unsafe('DELETE FROM risk_scores');
				for (const all of batches)
					for (let i = 0; i < all.length; i += SCORE_BATCH) {
						const batch = all.slice(i, i + SCORE_BATCH).map((s) => ({
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
