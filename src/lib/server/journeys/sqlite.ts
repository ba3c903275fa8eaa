import type { Db } from '$lib/server/db';
import type { Selector } from './breakpoints';
import {
	catalogs,
	compileCatalog,
	ensured,
	forgetCatalog,
	toRecord,
	type DefinitionRow,
	type JourneyCatalog
} from './catalog';
import { DEFAULT_JOURNEYS, type JourneyDefinition } from './definitions';
import type { AffectedRaw } from './drill';
import type { Answer, AnswerCount } from './gap';
import type { GroupRaw } from './groups';
import { EFFECTIVE_STATUS, instanceFilter, teamScopeFilter } from './query';
import type { EventNameMapping, EventNameVolume } from './registry';
import type { FunnelText, JourneyStore } from './store';
import type { CustomerTimeline, TimelineEventRow, TimelineInstanceRow } from './timeline';
import { instanceGroupsRollupSql } from './path-days';
import { placeholders, statement } from './statements';

/**
 * The journey store on SQLite (store.ts): prepared statements, synchronous underneath. The synchronous functions
 * are also what the stitcher uses inside the writer's transaction.
 */

const INSERT_DEFAULT = `INSERT OR IGNORE INTO journey_definitions (key, name, name_en, definition, built_in, enabled, version, updated_at)
		 VALUES (?, ?, ?, ?, 1, 1, 1, ?)`;

/**
 * Inserts the eight journeys of DOMAIN.md into a database that lacks them; never overwrites an admin's edits.
 * Synchronous (the stitcher and the SQLite test fixtures call it); elsewhere use `ensureDefaultJourneys`.
 */
export function ensureDefaultJourneysSync(
	db: Db,
	now = Date.now(),
	defaults: readonly JourneyDefinition[] = DEFAULT_JOURNEYS
): number {
	const insert = db.$client.prepare(INSERT_DEFAULT);
	let inserted = 0;
	db.$client.transaction(() => {
		for (const d of defaults)
			inserted += insert.run(d.key, d.name.zh, d.name.en, JSON.stringify(d), now).changes;
	})();
	ensured.add(db);
	if (inserted) forgetCatalog(db);
	return inserted;
}

function definitionRows(db: Db): DefinitionRow[] {
	if (!ensured.has(db)) ensureDefaultJourneysSync(db);
	return db.$client
		.prepare('SELECT * FROM journey_definitions ORDER BY built_in DESC, rowid')
		.all() as DefinitionRow[];
}

function mappingRows(db: Db): EventNameMapping[] {
	return db.$client
		.prepare(
			`SELECT event_name AS eventName, journey_key AS journeyKey, step_event AS stepEvent,
			   created_at AS createdAt, created_by AS createdBy
			 FROM journey_event_mappings ORDER BY journey_key, event_name`
		)
		.all() as EventNameMapping[];
}

/** Creates or replaces a definition, synchronously (no validation: `saveJourney` validates). */
export function upsertDefinitionSync(db: Db, d: JourneyDefinition, actor: string | null, now: number): void {
	db.$client
		.prepare(
			`INSERT INTO journey_definitions (key, name, name_en, definition, built_in, enabled, version, updated_at, updated_by)
			 VALUES (@key, @name, @nameEn, @definition, 0, @enabled, 1, @now, @actor)
			 ON CONFLICT (key) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
			   definition = excluded.definition, enabled = excluded.enabled, version = version + 1,
			   updated_at = excluded.updated_at, updated_by = excluded.updated_by`
		)
		.run({
			key: d.key,
			name: d.name.zh,
			nameEn: d.name.en,
			definition: JSON.stringify(d),
			enabled: d.enabled ? 1 : 0,
			now,
			actor
		});
	forgetCatalog(db);
}

/** The enabled journeys compiled with their mappings; cached until a definition or mapping changes. */
export function journeyCatalog(db: Db): JourneyCatalog {
	const cached = catalogs.get(db);
	if (cached) return cached;
	const catalog = compileCatalog(definitionRows(db).map(toRecord), mappingRows(db));
	catalogs.set(db, catalog);
	return catalog;
}

/** Counts journey event names of a batch (one upsert per distinct name). Runs inside the writer's transaction. */
export function countEventNames(
	db: Db,
	counts: Map<string, { n: number; first: number; last: number }>
): void {
	if (counts.size === 0) return;
	const upsert = db.$client.prepare(
		`INSERT INTO journey_event_names (name, events, first_seen, last_seen) VALUES (?, ?, ?, ?)
		 ON CONFLICT (name) DO UPDATE SET events = events + excluded.events,
		   first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`
	);
	for (const [name, c] of counts) upsert.run(name, c.n, c.first, c.last);
}

/** Funnel status codes (funnel.ts reads them back by position). */
export const STATUS_CODE = `CASE WHEN status = 'completed' THEN 1 WHEN status = 'failed' THEN 2
	WHEN status = 'abandoned' OR deadline <= @now THEN 3 ELSE 0 END`;

/**
 * One instance's funnel line (SQL, both engines): `customer_key;depth;status code;group;step_offsets`, the group its
 * segment or start channel with `by` ('' for none), else ''.
 */
export function funnelLineSql(by: 'segment' | 'channel' | null): string {
	const group =
		by === 'segment' ? "coalesce(segment, '')" : by === 'channel' ? "coalesce(first_channel, '')" : null;
	// Without a group, its two separators are one constant: a concatenation less per instance.
	return `customer_key || ';' || depth || ';' || ${STATUS_CODE} || ${group ? `';' || ${group} || ';'` : "';;'"} || step_offsets`;
}

/**
 * The windows of start times `funnelText` reads one text each: one string per window instead of one per instance
 * is what makes a long range cheap to read (a JS string and an array slot per instance cost more than SQLite's
 * whole scan); windows keep each string far below a JS string's maximum length at any volume a window can hold.
 */
export const FUNNEL_WINDOW_MS = 15 * 86_400_000;

/** The windows of [from, to) of `windowMs` each, in order (the last one cut at `to`). */
export function funnelWindows(from: number, to: number, windowMs: number): [number, number][] {
	const windows: [number, number][] = [];
	for (let start = from; start < to; start += windowMs) windows.push([start, Math.min(to, start + windowMs)]);
	return windows;
}

function selectorSql(selector: Selector): { sql: string; params: Record<string, string | number> } {
	switch (selector.kind) {
		case 'lost':
			return {
				sql: `depth = @depth AND ${EFFECTIVE_STATUS} IN ('failed', 'abandoned')`,
				params: { depth: selector.step + 1 }
			};
		case 'transition':
			return {
				sql: `shape_id IN (SELECT id FROM journey_shapes WHERE journey_key = @journeyKey AND instr(path, @needle) > 0)`,
				params: { needle: `|${selector.from}|${selector.to}|` }
			};
		case 'switch':
			return {
				sql: `shape_id IN (SELECT id FROM journey_shapes WHERE journey_key = @journeyKey AND instr(switches, @needle) > 0)`,
				params: { needle: `,${selector.signature},` }
			};
	}
}

/** Survey answers take team and agent from the contact they name, as the drill-down and the KPIs read them. */
export const TIMELINE_COLUMNS = `e.seq, e.type, e.ts, e.channel, e.name, e.journey, e.handled_by AS "handledBy", e.queue,
	coalesce(e.team_id, c.team_id) AS "teamId", coalesce(e.agent_id, c.agent_id) AS "agentId", e.reason, e.wait_s AS "waitS",
	e.handle_s AS "handleS", e.outcome, e.metric, e.score, e.text, e.category, e.severity, e.regulator, e.sentiment,
	e.properties`;
export const TIMELINE_FROM = `FROM events e LEFT JOIN events c ON c.seq = e.linked_contact_seq`;

export function sqliteJourneyStore(db: Db): JourneyStore {
	return {
		async insertDefaults(defaults, now) {
			return ensureDefaultJourneysSync(db, now, defaults);
		},
		async definitions() {
			return definitionRows(db);
		},
		async definition(key) {
			if (!ensured.has(db)) ensureDefaultJourneysSync(db);
			return db.$client.prepare('SELECT * FROM journey_definitions WHERE key = ?').get(key) as
				DefinitionRow | undefined;
		},
		async upsertDefinition(d, actor, now) {
			upsertDefinitionSync(db, d, actor, now);
		},
		async mappings() {
			return mappingRows(db);
		},
		async upsertMapping(mapping, actor, now) {
			db.$client
				.prepare(
					`INSERT INTO journey_event_mappings (event_name, journey_key, step_event, created_at, created_by)
					 VALUES (?, ?, ?, ?, ?)
					 ON CONFLICT (event_name, journey_key) DO UPDATE SET step_event = excluded.step_event,
					   created_at = excluded.created_at, created_by = excluded.created_by`
				)
				.run(mapping.eventName, mapping.journeyKey, mapping.stepEvent, now, actor);
			forgetCatalog(db);
		},
		async deleteMapping(eventName, journeyKey) {
			const changes = db.$client
				.prepare('DELETE FROM journey_event_mappings WHERE event_name = ? AND journey_key = ?')
				.run(eventName, journeyKey).changes;
			forgetCatalog(db);
			return changes;
		},
		async eventNames() {
			return db.$client
				.prepare(
					'SELECT name, events, first_seen AS firstSeen, last_seen AS lastSeen FROM journey_event_names ORDER BY events DESC, name'
				)
				.all() as Omit<EventNameVolume, 'steps'>[];
		},
		async catalog() {
			return journeyCatalog(db);
		},
		async funnelLines(journeyKey, q, now, by) {
			const { where, params } = instanceFilter(journeyKey, q);
			return statement(
				db,
				`SELECT ${funnelLineSql(by)} FROM journey_instances WHERE ${where} ORDER BY started_at`
			)
				.pluck()
				.all({ ...params, now }) as string[];
		},
		async funnelText(journeyKey, q, now, by, windowMs = FUNNEL_WINDOW_MS) {
			const { where, params } = instanceFilter(journeyKey, q);
			// group_concat takes the rows in the order the ordered subquery gives them (a co-routine over the covering
			// index, read in start order): the order funnel.ts needs to keep the first of equals.
			const read = statement(
				db,
				`SELECT count(*), coalesce(group_concat(line, char(10)), '') FROM (
				   SELECT ${funnelLineSql(by)} AS line FROM journey_instances WHERE ${where} ORDER BY started_at
				 )`
			).raw();
			const texts: FunnelText[] = [];
			for (const [from, to] of funnelWindows(q.from, q.to, windowMs)) {
				const [lines, text] = read.get({ ...params, from, to, now }) as [number, string];
				if (lines > 0) texts.push({ lines, text });
			}
			return texts;
		},
		async instanceGroups(journeyKey, q, now, options) {
			const rollup = options?.scan ? null : instanceGroupsRollupSql(journeyKey, q, now, false);
			if (rollup) return statement(db, rollup.sql).raw().all(rollup.params) as GroupRaw[];
			const { where, params } = instanceFilter(journeyKey, q);
			// Grouped by the small shape id over the covering index; the shapes' texts are joined to the groups only.
			return statement(
				db,
				`SELECT s.path, s.switches, g.* FROM (
				   SELECT shape_id, depth, ${EFFECTIVE_STATUS} AS eff, count(*),
				     count(nps), coalesce(sum(nps >= 9), 0), coalesce(sum(nps <= 6), 0),
				     count(csat), coalesce(sum(csat >= 4), 0),
				     count(journey_nps), coalesce(sum(journey_nps >= 9), 0), coalesce(sum(journey_nps <= 6), 0),
				     count(journey_csat), coalesce(sum(journey_csat >= 4), 0)
				   FROM journey_instances WHERE ${where}
				   GROUP BY shape_id, depth, eff
				 ) g JOIN journey_shapes s ON s.id = g.shape_id
				 ORDER BY g.shape_id, g.depth, g.eff`
			)
				.raw()
				.all({ ...params, now }) as GroupRaw[];
		},
		async gapAnswers(journeyKey, q, options) {
			if (options?.scan) {
				const { where, params } = instanceFilter(journeyKey, q, 'i');
				return statement(
					db,
					`SELECT DISTINCT e.seq, e.channel, e.metric, e.score, e.journey IS NOT NULL AS tagged, e.team_id AS teamId
					 FROM journey_instances i
					 JOIN journey_interactions l ON l.instance_id = i.id AND l.type = 'feedback'
					 JOIN events e ON e.seq = l.seq
					 WHERE ${where} AND i.feedbacks > 0
					   AND e.metric IN ('csat', 'nps') AND e.score IS NOT NULL`
				).all(params) as Answer[];
			}
			// One range of journey_gap_answers (kept by triggers); an answer linked to two instances of the range comes
			// twice and is counted once by gap.ts.
			const { where, params } = instanceFilter(journeyKey, q);
			if (options?.seqs)
				return statement(
					db,
					`SELECT seq, channel, metric, score, tagged, team_id AS teamId FROM journey_gap_answers
					 WHERE ${where} AND seq IN (SELECT value FROM json_each(@seqs))`
				).all({ ...params, seqs: JSON.stringify(options.seqs) }) as Answer[];
			return statement(
				db,
				`SELECT seq, channel, metric, score, tagged, team_id AS teamId FROM journey_gap_answers WHERE ${where}`
			).all(params) as Answer[];
		},
		async gapAnswerCounts(journeyKey, q) {
			const { where, params } = instanceFilter(journeyKey, q);
			const counts = statement(
				db,
				`SELECT tagged, metric, channel, team_id, score, count(*) FROM journey_gap_answers WHERE ${where}
				 GROUP BY tagged, metric, channel, team_id, score`
			)
				.raw()
				.all(params) as AnswerCount[];
			const seqs = statement(db, `SELECT seq FROM journey_gap_answers WHERE ${where}`)
				.pluck()
				.all(params) as number[];
			return { counts, seqs };
		},
		async affected(journeyKey, q, selector, { now, limit, offset, teams }) {
			const base = instanceFilter(journeyKey, q);
			const sel = selectorSql(selector);
			const scope = teamScopeFilter(teams);
			const where = `${base.where} AND ${sel.sql} AND ${scope.where}`;
			const params = { ...base.params, ...sel.params, ...scope.params, now };
			const total = statement(db, `SELECT count(*) FROM journey_instances WHERE ${where}`)
				.pluck()
				.get(params) as number;
			const rows = statement(
				db,
				`SELECT id, customer_id, started_at, last_event_at, status, deadline, last_step, depth, duration_s, contacts,
				   complaints, channels, segment, nps, csat
				 FROM journey_instances WHERE ${where} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset`
			)
				.raw()
				.all({ ...params, limit, offset }) as AffectedRaw[];
			return { total, rows };
		},
		async timelineCustomer(customerId) {
			return statement(
				db,
				`SELECT id, segment, tier, region, first_seen AS firstSeen, last_seen AS lastSeen FROM customers WHERE id = ?`
			).get(customerId) as CustomerTimeline['customer'] | undefined;
		},
		async timelineEvents(customerId, journey, limit) {
			return statement(
				db,
				`SELECT ${TIMELINE_COLUMNS} ${TIMELINE_FROM} WHERE e.customer_id = ? AND e.type ${journey ? '=' : '<>'} 'journey' ORDER BY e.ts DESC LIMIT ?`
			).all(customerId, limit) as TimelineEventRow[];
		},
		async timelineInstances(customerId) {
			return statement(
				db,
				`SELECT id, journey_key AS journeyKey, started_at AS startedAt, last_event_at AS lastEventAt, ended_at AS endedAt,
				   status, deadline, last_step AS lastStep, depth, step_events AS steps, contacts, channels, nps, csat,
				   step_seqs AS stepSeqs
				 FROM journey_instances WHERE customer_id = ? ORDER BY started_at, id`
			).all(customerId) as TimelineInstanceRow[];
		},
		async timelineLinks(ids) {
			if (ids.length === 0) return [];
			return statement(
				db,
				`SELECT instance_id AS instanceId, seq FROM journey_interactions WHERE instance_id IN (${placeholders(ids.length)})`
			).all(...ids) as { instanceId: number; seq: number }[];
		}
	};
}
