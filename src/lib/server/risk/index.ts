import type { Db } from '$lib/server/db';
import { runExclusive } from '$lib/server/db/jobs';
import { audit } from '$lib/server/auth/audit';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import type { RiskModelRow, RiskScoreRow } from '$lib/server/db/schema';
import {
	AnchorScan,
	DAY_MS,
	WINDOW_MS,
	concatTables,
	featureNamesOf,
	featureRows,
	tableMatrix,
	type Anchor,
	type FeatureTable,
	type KeyedFeatureTable
} from './features';
import {
	constantModel,
	fitLogistic,
	heldOutQuality,
	predict,
	topReasons,
	type HeldOutQuality,
	type LogisticModel
} from './model';
import { SCORE_BATCH, riskStores, type NewRiskScore, type OverFilter, type RiskStore } from './store';

/**
 * Complaint-escalation risk (风险防范, DOMAIN.md "Acting on what is measured"): for every customer active in the
 * last 14 days, the probability of a complaint (and of a regulator complaint) in the next 14 days, from a
 * logistic regression on features of the last 14 days, with its held-out quality.
 *
 * Training, in order:
 * 1. anchors: the latest anchor whose 14-day label window has closed, and weekly ones before it; the latest
 *    `testWindows` are held out, the training anchors are those whose label windows end before the first test
 *    anchor (so no test outcome is seen in training);
 * 2. features and labels per customer for every anchor and for now, from one pass over the events in time order
 *    (store.ts scans, streamed; features.ts AnchorScan keeps the counts in typed arrays by a dense customer index);
 * 3. fit both models on the training rows, measure them on every held-out row (AUC with 95% interval, Brier,
 *    calibration by decile);
 * 4. score every customer active in the 14 days before now, with the top reasons, and store model and scores
 *    together (one transaction, written in batches), once across processes (db/jobs.ts).
 */

export { COUNT_FEATURES, SEGMENT_PREFIX } from './features';
export type { HeldOutQuality, LogisticModel } from './model';

const WEEK_MS = 7 * DAY_MS;

export interface TrainOptions {
	/** The moment scores are for (default now); history after it is ignored. */
	now?: number;
	trainWindows?: number;
	testWindows?: number;
	lambda?: number;
	/** Training rows beyond this are thinned evenly (the fit's cost grows with rows × features²). */
	maxTrainRows?: number;
	/** Fewer complaints than this in training (or none in the test weeks) is not enough history to train on. */
	minPositives?: number;
	/** Wait for a pass already running in this process (it may have read less history), then train anew. */
	fresh?: boolean;
	/** Why it trains, for the audit log (default `on_demand`). */
	trigger?: 'nightly' | 'on_demand' | 'demo';
	/** Who asked (an admin through the API); nobody for the nightly job and the demo. */
	actor?: { id: string | null; email: string | null } | null;
	ip?: string | null;
}

export type TrainOutcome =
	| { trained: true; modelId: number; trainRows: number; testRows: number; scored: number; ms: number }
	| { trained: false; reason: 'insufficient_history' | 'running_elsewhere'; detail: string };

/** What a stored model holds (risk_models.model). */
export interface RiskModelBody {
	complaint: LogisticModel;
	regulator: LogisticModel;
	trainAnchors: number[];
	testAnchors: number[];
}

export interface RiskQualities {
	complaint: HeldOutQuality;
	regulator: HeldOutQuality;
	trainRows: number;
	trainPositives: number;
}

function store(target: Db | Storage): RiskStore {
	return byEngine(asStorage(target), riskStores);
}

/** Anchors (ms, whole UTC days) of the held-out and training windows for a training at `now`. */
export function anchors(
	now: number,
	trainWindows: number,
	testWindows: number
): { train: number[]; test: number[] } {
	const latest = Math.floor((now - WINDOW_MS) / DAY_MS) * DAY_MS;
	const test = Array.from({ length: testWindows }, (_, k) => latest - k * WEEK_MS).reverse();
	// The last training label window [t, t + 14 d) ends at or before the first test anchor.
	const lastTrain = test[0] - WINDOW_MS;
	const train = Array.from({ length: trainWindows }, (_, k) => lastTrain - k * WEEK_MS).reverse();
	return { train, test };
}

/**
 * One pass over the history for all the given anchors: the events of [first anchor − 14 d, last label end) in time
 * order, then the texts and journey instances of the anchors' windows (features.ts AnchorScan; its `table(a)` gives
 * the same rows as store.features(at, labelTo)).
 */
export async function scanAnchors(target: Db | Storage, at: readonly Anchor[]): Promise<AnchorScan> {
	const s = store(target);
	const scan = new AnchorScan(at);
	const latest = Math.max(...at.map((a) => a.at));
	await s.scanEvents(scan.from, scan.to, scan.events);
	await s.scanTexts(scan.from, latest, scan.texts);
	await s.scanJourneys(Math.min(...at.map((a) => a.at)), latest, scan.journeys);
	return scan;
}

/** Each model's probability for every row of a table. */
function predictTable(
	models: readonly LogisticModel[],
	table: FeatureTable,
	features: string[]
): Float64Array[] {
	const out = models.map(() => new Float64Array(table.n));
	const read = featureRows(table, features);
	for (let i = 0; i < table.n; i++) {
		const x = read(i);
		for (let m = 0; m < models.length; m++) out[m][i] = predict(models[m], x);
	}
	return out;
}

/** The scores of a scored table with their reasons, SCORE_BATCH at a time (no object for every customer at once). */
function* scoreBatches(
	table: KeyedFeatureTable,
	features: string[],
	complaint: LogisticModel,
	regulator: LogisticModel
): Generator<NewRiskScore[]> {
	const read = featureRows(table, features);
	for (let from = 0; from < table.n; from += SCORE_BATCH) {
		const batch: NewRiskScore[] = [];
		for (let i = from; i < Math.min(table.n, from + SCORE_BATCH); i++) {
			const x = read(i);
			batch.push({
				customerId: table.customerIds[i],
				score: predict(complaint, x),
				regulatorScore: predict(regulator, x),
				teamId: table.teamIds[i],
				segment: table.segments[i],
				reasons: topReasons(complaint, x)
			});
		}
		yield batch;
	}
}

/** Row indices keeping at most `max` of `n`, evenly spread. */
function thinned(n: number, max: number): Int32Array | undefined {
	if (n <= max) return undefined;
	const step = n / max;
	return Int32Array.from({ length: max }, (_, i) => Math.floor(i * step));
}

const sum = (xs: Uint8Array) => xs.reduce((a, b) => a + b, 0);

function fit(features: string[], x: Float64Array, y: Float64Array, lambda: number, minPositives: number) {
	const positives = y.reduce((a, b) => a + b, 0);
	return positives >= minPositives && positives < y.length
		? fitLogistic(features, x, y, { lambda })
		: constantModel(features, positives, y.length);
}

async function train(storage: Storage, options: TrainOptions): Promise<TrainOutcome> {
	const started = performance.now();
	const s = store(storage);
	const now = options.now ?? Date.now();
	const minPositives = options.minPositives ?? 10;
	const windows = anchors(now, options.trainWindows ?? 6, options.testWindows ?? 2);
	const weekly = [...windows.train, ...windows.test];
	const scan = await scanAnchors(storage, [
		...weekly.map((at) => ({ at, labelTo: at + WINDOW_MS })),
		// Scoring: the 14 days before now, no label window.
		{ at: now, labelTo: now }
	]);
	const trainTables = windows.train.map((_, a) => scan.table(a));
	const trainRows = concatTables(
		trainTables,
		thinned(
			trainTables.reduce((n, t) => n + t.n, 0),
			options.maxTrainRows ?? 400_000
		)
	);
	trainTables.length = 0;
	const testRows = concatTables(windows.test.map((_, k) => scan.table(windows.train.length + k)));
	const current = scan.table(weekly.length, true);
	const trainPositives = sum(trainRows.complained);
	const testPositives = sum(testRows.complained);
	if (trainPositives < minPositives || testPositives === 0 || testPositives === testRows.n)
		return {
			trained: false,
			reason: 'insufficient_history',
			detail: `${trainPositives} complaints in ${trainRows.n} training rows, ${testPositives} in ${testRows.n} held-out rows`
		};
	const features = featureNamesOf(trainRows.segments);
	const x = tableMatrix(trainRows, features);
	const lambda = options.lambda ?? 1;
	const complaint = fit(features, x, Float64Array.from(trainRows.complained), lambda, minPositives);
	const regulator = fit(features, x, Float64Array.from(trainRows.regulatorComplained), lambda, minPositives);
	const [testComplaint, testRegulator] = predictTable([complaint, regulator], testRows, features);
	const quality: RiskQualities = {
		complaint: heldOutQuality(testComplaint, testRows.complained),
		regulator: heldOutQuality(testRegulator, testRows.regulatorComplained),
		trainRows: trainRows.n,
		trainPositives
	};
	const body: RiskModelBody = {
		complaint,
		regulator,
		trainAnchors: windows.train,
		testAnchors: windows.test
	};
	const modelId = await s.saveModel(
		{
			trainedAt: Date.now(),
			trainFrom: windows.train[0],
			trainTo: windows.train[windows.train.length - 1] + WINDOW_MS,
			testFrom: windows.test[0],
			testTo: windows.test[windows.test.length - 1] + WINDOW_MS,
			model: body as unknown as Record<string, unknown>,
			quality: quality as unknown as Record<string, unknown>
		},
		{ count: current.n, batches: scoreBatches(current, features, complaint, regulator) },
		now
	);
	const ms = Math.round(performance.now() - started);
	// Every stored model is audited, on demand and nightly: the scores people act on changed.
	await audit(storage, {
		action: 'risk.model_trained',
		actor: options.actor ?? null,
		target: `risk_model:${modelId}`,
		ip: options.ip ?? null,
		details: {
			trigger: options.trigger ?? 'on_demand',
			trainRows: trainRows.n,
			testRows: testRows.n,
			positives: quality.complaint.positives,
			auc: quality.complaint.auc,
			auc95: quality.complaint.auc95,
			scored: current.n,
			ms
		}
	});
	return {
		trained: true,
		modelId,
		trainRows: trainRows.n,
		testRows: testRows.n,
		scored: current.n,
		ms
	};
}

const running = new WeakMap<object, Promise<TrainOutcome>>();

/**
 * Trains the models and rescores every recently active customer (nightly and on demand). Concurrent callers in a
 * process share the running pass; on PostgreSQL one process trains, the others answer `running_elsewhere`.
 */
export function trainRisk(target: Db | Storage, options: TrainOptions = {}): Promise<TrainOutcome> {
	const storage = asStorage(target);
	const pending = running.get(storage.db);
	if (pending && options.fresh)
		return pending.then(
			() => trainRisk(target, { ...options, fresh: false }),
			() => trainRisk(target, { ...options, fresh: false })
		);
	if (pending) return pending;
	const pass = runExclusive(storage, 'risk-train', () => train(storage, options))
		.then((outcome): TrainOutcome =>
			outcome.ran
				? outcome.value
				: { trained: false, reason: 'running_elsewhere', detail: 'another process is training' }
		)
		.finally(() => running.delete(storage.db));
	running.set(storage.db, pass);
	return pass;
}

/** The time of the latest nightly training slot at or before `now`: 02:00 China time (18:00 UTC). */
export function lastNightlySlot(now: number): number {
	const slot = Math.floor(now / DAY_MS) * DAY_MS + 18 * 3_600_000;
	return slot <= now ? slot : slot - DAY_MS;
}

/**
 * Trains when no model exists or the latest is older than the last nightly slot; checks every `intervalMs`
 * (default hourly) until the returned function is called.
 */
export function scheduleRiskTraining(
	target: Db | Storage,
	options: {
		intervalMs?: number;
		onError?: (error: unknown) => void;
		onTrained?: (o: TrainOutcome) => void;
	} = {}
): () => void {
	const onError = options.onError ?? ((e: unknown) => console.error('[resonance] risk training failed', e));
	const tick = async () => {
		const latest = await currentModel(target);
		if (latest && latest.trainedAt >= lastNightlySlot(Date.now())) return;
		options.onTrained?.(await trainRisk(target, { trigger: 'nightly' }));
	};
	const run = () => void tick().catch(onError);
	const first = setTimeout(run, 60_000);
	first.unref?.();
	const timer = setInterval(run, options.intervalMs ?? 3_600_000);
	timer.unref?.();
	return () => {
		clearTimeout(first);
		clearInterval(timer);
	};
}

export async function currentModel(target: Db | Storage): Promise<RiskModelRow | null> {
	return store(target).latestModel();
}

/** The API's view of a model (DESIGN.md `GET /api/v1/risk/model`). */
export interface ModelSummary {
	id: number;
	trainedAt: string;
	scoredCustomers: number;
	trainWindow: { from: string; to: string };
	testWindow: { from: string; to: string };
	n: number;
	positives: number;
	auc: number | null;
	auc95: [number, number] | null;
	brier: number | null;
	calibration: HeldOutQuality['calibration'];
	regulator: Pick<HeldOutQuality, 'n' | 'positives' | 'auc' | 'auc95' | 'brier'>;
	trainRows: number;
	features: { feature: string; coefficient: number }[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const round = (v: number | null, digits = 4) =>
	v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

export function summarizeModel(row: RiskModelRow): ModelSummary {
	const body = row.model as unknown as RiskModelBody;
	const quality = row.quality as unknown as RiskQualities;
	const q = quality.complaint;
	return {
		id: row.id,
		trainedAt: iso(row.trainedAt),
		scoredCustomers: row.scored,
		trainWindow: { from: iso(row.trainFrom), to: iso(row.trainTo) },
		testWindow: { from: iso(row.testFrom), to: iso(row.testTo) },
		n: q.n,
		positives: q.positives,
		auc: round(q.auc),
		auc95: q.auc95 ? [round(q.auc95[0]) as number, round(q.auc95[1]) as number] : null,
		brier: round(q.brier, 5),
		calibration: q.calibration.map((b) => ({
			bin: b.bin,
			predicted: round(b.predicted) as number,
			observed: round(b.observed) as number,
			n: b.n
		})),
		regulator: {
			n: quality.regulator.n,
			positives: quality.regulator.positives,
			auc: round(quality.regulator.auc),
			auc95: quality.regulator.auc95,
			brier: round(quality.regulator.brier, 5)
		},
		trainRows: quality.trainRows,
		features: body.complaint.features.map((feature, j) => ({
			feature,
			coefficient: round(body.complaint.coefficients[j]) as number
		}))
	};
}

export interface RiskListFilter {
	minScore?: number;
	/** From auth's `restrictTeams`: null for every team. */
	teams: string[] | null;
	limit?: number;
	cursor?: string | null;
}

export interface RiskListPage {
	customers: {
		customerId: string;
		score: number;
		regulatorScore: number;
		team: string | null;
		segment: string | null;
		reasons: RiskScoreRow['reasons'];
	}[];
	next: string | null;
}

export function encodeCursor(score: number, customerId: string): string {
	return Buffer.from(JSON.stringify([score, customerId])).toString('base64url');
}

/** The keyset position of a cursor, or null when it is not one of ours. */
export function decodeCursor(cursor: string): { score: number; customerId: string } | null {
	try {
		const [score, customerId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
		return typeof score === 'number' && typeof customerId === 'string' ? { score, customerId } : null;
	} catch {
		return null;
	}
}

/** Customers by descending score (keyset-paged), limited to the given teams. */
export async function listRisk(target: Db | Storage, filter: RiskListFilter): Promise<RiskListPage> {
	const limit = Math.max(1, Math.min(500, filter.limit ?? 50));
	const rows = await store(target).scores({
		minScore: filter.minScore ?? 0,
		teams: filter.teams,
		limit: limit + 1,
		after: filter.cursor ? decodeCursor(filter.cursor) : null
	});
	const page = rows.slice(0, limit);
	const last = page.at(-1);
	return {
		customers: page.map((r) => ({
			customerId: r.customerId,
			score: r.score,
			regulatorScore: r.regulatorScore,
			team: r.teamId,
			segment: r.segment,
			reasons: r.reasons
		})),
		next: rows.length > limit && last ? encodeCursor(last.score, last.customerId) : null
	};
}

/** One customer's current score (the timeline and the customer card), or null when not scored. */
export async function customerRisk(target: Db | Storage, customerId: string): Promise<RiskScoreRow | null> {
	return store(target).customerScore(customerId);
}

/** The risk scores as an outreach audience's `risk` rule reads them (outreach/risk-source.ts). */
export function riskScoreSource(target: Db | Storage): {
	customersAtOrAbove(minScore: number): Promise<string[]>;
} {
	return { customersAtOrAbove: (minScore) => store(target).customersAtOrAbove(minScore) };
}

/** A customer's score as the timeline and the customer card show it: always beside the model's held-out quality. */
export interface CustomerRiskView {
	/** null: not scored (not active in the 14 days before the model's scoring, or outside the caller's teams). */
	score: {
		score: number;
		regulatorScore: number;
		reasons: { feature: string; contribution: number }[];
		scoredAt: string;
	} | null;
	model: Pick<ModelSummary, 'id' | 'trainedAt' | 'n' | 'positives' | 'auc' | 'auc95'>;
}

/**
 * The complaint risk of one customer with the model's held-out AUC (n and interval), or null when no model exists.
 * `teams` (auth's `restrictTeams`; null: every team) hides a score whose customer's latest team is not one of them.
 */
export async function customerRiskView(
	target: Db | Storage,
	customerId: string,
	teams: string[] | null
): Promise<CustomerRiskView | null> {
	const row = await currentModel(target);
	if (!row) return null;
	const summary = summarizeModel(row);
	const score = await customerRisk(target, customerId);
	const visible =
		score !== null && (teams === null || (score.teamId !== null && teams.includes(score.teamId)));
	return {
		score: visible
			? {
					score: score.score,
					regulatorScore: score.regulatorScore,
					reasons: score.reasons,
					scoredAt: iso(score.scoredAt)
				}
			: null,
		model: {
			id: summary.id,
			trainedAt: summary.trainedAt,
			n: summary.n,
			positives: summary.positives,
			auc: summary.auc,
			auc95: summary.auc95
		}
	};
}

// ------------------------------------------------------------------------------------------------ alert rules' reads

/** Current scores at or above a level on one probability, highest first (the alert rule kind "risk score"). */
export async function scoresOver(target: Db | Storage, filter: OverFilter): Promise<RiskScoreRow[]> {
	return store(target).scoresOver(filter);
}

/** Per database: the counts of `countsOver` under the current model, by filter. */
const countsCache = new WeakMap<
	object,
	{ modelId: number; byFilter: Map<string, { teamId: string | null; n: number }[]> }
>();

/**
 * How many current scores are at or above a level, per team. Scores change only when a model is stored (every score
 * replaced with it, in one transaction), so the counts are kept per model and filter: an alert rule asks every pass,
 * and counting reads every score above the level (≈ 1M at a low one). A customer deleted since the model was stored
 * still counts until the next one (scores are never added between models).
 */
export async function countsOver(
	target: Db | Storage,
	filter: Omit<OverFilter, 'limit'>
): Promise<{ teamId: string | null; n: number }[]> {
	const storage = asStorage(target);
	const s = store(storage);
	const model = await s.latestModel();
	if (!model) return s.countsOver(filter);
	let cached = countsCache.get(storage.db);
	if (!cached || cached.modelId !== model.id)
		countsCache.set(storage.db, (cached = { modelId: model.id, byFilter: new Map() }));
	const key = JSON.stringify([filter.outcome, filter.minScore, filter.teams, filter.segments]);
	const hit = cached.byFilter.get(key);
	if (hit) return hit.map((c) => ({ ...c }));
	const counts = await s.countsOver(filter);
	cached.byFilter.set(key, counts);
	return counts.map((c) => ({ ...c }));
}

/** A customer's scores at an earlier moment under a stored model. */
export interface PastScore {
	customerId: string;
	teamId: string | null;
	segment: string | null;
	score: number;
	regulatorScore: number;
}

/**
 * Every customer active in the 14 days before `at`, scored by the given model on the features of those 14 days:
 * what the current model would have said then (an alert rule compares today's count over a level with these, so a
 * retrained model's shift is not read as a rise).
 */
export async function scoresAt(target: Db | Storage, model: RiskModelRow, at: number): Promise<PastScore[]> {
	const body = model.model as unknown as RiskModelBody;
	const table = (await scanAnchors(target, [{ at, labelTo: at }])).table(0, true);
	const [complaint, regulator] = predictTable(
		[body.complaint, body.regulator],
		table,
		body.complaint.features
	);
	return Array.from({ length: table.n }, (_, i) => ({
		customerId: table.customerIds[i],
		teamId: table.teamIds[i],
		segment: table.segments[i],
		score: complaint[i],
		regulatorScore: regulator[i]
	}));
}
