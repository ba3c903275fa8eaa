import type { PgDb } from '$lib/server/db/postgres';
import type { Selector } from './breakpoints';
import { compileCatalog, ensured, toRecord, type DefinitionRow } from './catalog';
import type { AffectedRaw } from './drill';
import type { Answer, AnswerCount } from './gap';
import type { GroupRaw } from './groups';
import { EFFECTIVE_STATUS, instanceFilter, teamScopeFilter } from './query';
import type { EventNameMapping, EventNameVolume } from './registry';
import { FUNNEL_WINDOW_MS, funnelLineSql, funnelWindows, TIMELINE_COLUMNS, TIMELINE_FROM } from './sqlite';
import type { FunnelText, JourneyStore } from './store';
import type { CustomerTimeline, TimelineEventRow, TimelineInstanceRow } from './timeline';
import { DEFAULT_JOURNEYS } from './definitions';
import { instanceGroupsRollupSql } from './path-days';

/**
 * The journey store on PostgreSQL (store.ts). The analyses' SQL is SQLite's where it reads the same (named
 * `@params` become `$n`); the differences: no rowid (definitions are listed built-in first in the default order,
 * then by key), `sum(boolean)` is a FILTERed count, `instr` is `strpos`, `min`/`max` of two values are
 * LEAST/GREATEST, camelCase aliases are quoted, and ties are broken explicitly where the order shows.
 */

/** `@name` parameters → `$n` and the values in order. */
export function positional(sql: string, params: Record<string, unknown>): [string, unknown[]] {
	const names: string[] = [];
	const text = sql.replace(/@([A-Za-z_]\w*)/g, (_, name: string) => {
		let i = names.indexOf(name);
		if (i < 0) i = names.push(name) - 1;
		return `$${i + 1}`;
	});
	return [text, names.map((n) => params[n] ?? null)];
}

const DEFINITION_ORDER = `ORDER BY built_in DESC,
	coalesce(array_position($1::text[], key), 2147483647), key`;

function selectorSql(selector: Selector): { sql: string; params: Record<string, string | number> } {
	switch (selector.kind) {
		case 'lost':
			return {
				sql: `depth = @depth AND ${EFFECTIVE_STATUS} IN ('failed', 'abandoned')`,
				params: { depth: selector.step + 1 }
			};
		case 'transition':
			return {
				sql: `shape_id IN (SELECT id FROM journey_shapes WHERE journey_key = @journeyKey AND strpos(path, @needle) > 0)`,
				params: { needle: `|${selector.from}|${selector.to}|` }
			};
		case 'switch':
			return {
				sql: `shape_id IN (SELECT id FROM journey_shapes WHERE journey_key = @journeyKey AND strpos(switches, @needle) > 0)`,
				params: { needle: `,${selector.signature},` }
			};
	}
}

export function postgresJourneyStore(db: PgDb): JourneyStore {
	const sql = db.$client;
	const defaultKeys = DEFAULT_JOURNEYS.map((d) => d.key);
	// The analyses' statements are prepared (a few texts per filter combination): one round trip each instead of
	// postgres.js's describe-then-execute for unprepared statements with parameters, and no planning after the first.
	const run = <T>(text: string, params: Record<string, unknown>) => {
		const [q, values] = positional(text, params);
		return sql.unsafe(q, values as never[], { prepare: true }) as unknown as Promise<T[]>;
	};
	const values = <T>(text: string, params: Record<string, unknown>) => {
		const [q, vs] = positional(text, params);
		return sql.unsafe(q, vs as never[], { prepare: true }).values() as unknown as Promise<T[]>;
	};
	const ensure = async () => {
		if (!ensured.has(db)) await store.insertDefaults(DEFAULT_JOURNEYS, Date.now());
	};
	const store: JourneyStore = {
		async insertDefaults(defaults, now) {
			let inserted = 0;
			await sql.begin(async (tx) => {
				for (const d of defaults) {
					const result = await tx`
						INSERT INTO journey_definitions (key, name, name_en, definition, built_in, enabled, version, updated_at)
						VALUES (${d.key}, ${d.name.zh}, ${d.name.en}, ${JSON.stringify(d)}, 1, 1, 1, ${now})
						ON CONFLICT (key) DO NOTHING`;
					inserted += result.count;
				}
			});
			ensured.add(db);
			return inserted;
		},
		async definitions() {
			await ensure();
			return (await sql.unsafe(`SELECT * FROM journey_definitions ${DEFINITION_ORDER}`, [
				defaultKeys
			])) as unknown as DefinitionRow[];
		},
		async definition(key) {
			await ensure();
			const [row] = await sql`SELECT * FROM journey_definitions WHERE key = ${key}`;
			return row as DefinitionRow | undefined;
		},
		async upsertDefinition(d, actor, now) {
			await sql`
				INSERT INTO journey_definitions (key, name, name_en, definition, built_in, enabled, version, updated_at, updated_by)
				VALUES (${d.key}, ${d.name.zh}, ${d.name.en}, ${JSON.stringify(d)}, 0, ${d.enabled ? 1 : 0}, 1, ${now}, ${actor})
				ON CONFLICT (key) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
				  definition = excluded.definition, enabled = excluded.enabled,
				  version = journey_definitions.version + 1,
				  updated_at = excluded.updated_at, updated_by = excluded.updated_by`;
		},
		async mappings() {
			return (await sql`
				SELECT event_name AS "eventName", journey_key AS "journeyKey", step_event AS "stepEvent",
				  created_at AS "createdAt", created_by AS "createdBy"
				FROM journey_event_mappings ORDER BY journey_key, event_name`) as unknown as EventNameMapping[];
		},
		async upsertMapping(mapping, actor, now) {
			await sql`
				INSERT INTO journey_event_mappings (event_name, journey_key, step_event, created_at, created_by)
				VALUES (${mapping.eventName}, ${mapping.journeyKey}, ${mapping.stepEvent}, ${now}, ${actor})
				ON CONFLICT (event_name, journey_key) DO UPDATE SET step_event = excluded.step_event,
				  created_at = excluded.created_at, created_by = excluded.created_by`;
		},
		async deleteMapping(eventName, journeyKey) {
			const result =
				await sql`DELETE FROM journey_event_mappings WHERE event_name = ${eventName} AND journey_key = ${journeyKey}`;
			return result.count;
		},
		async eventNames() {
			return (await sql`
				SELECT name, events, first_seen AS "firstSeen", last_seen AS "lastSeen" FROM journey_event_names
				ORDER BY events DESC, name`) as unknown as Omit<EventNameVolume, 'steps'>[];
		},
		async catalog() {
			// Not cached: another process may change definitions or mappings at any time.
			const [rows, mappings] = await Promise.all([store.definitions(), store.mappings()]);
			return compileCatalog(rows.map(toRecord), mappings);
		},
		async funnelLines(journeyKey, q, now, by) {
			const { where, params } = instanceFilter(journeyKey, q);
			const rows = await values<[string]>(
				`SELECT ${funnelLineSql(by)} FROM journey_instances WHERE ${where} ORDER BY started_at, id`,
				{ ...params, now }
			);
			return rows.map((r) => r[0]);
		},
		async funnelText(journeyKey, q, now, by, windowMs = FUNNEL_WINDOW_MS) {
			const { where, params } = instanceFilter(journeyKey, q);
			const texts: FunnelText[] = [];
			for (const [from, to] of funnelWindows(q.from, q.to, windowMs)) {
				const [row] = await values<[number, string]>(
					`SELECT count(*)::int, coalesce(string_agg(${funnelLineSql(by)}, E'\n' ORDER BY started_at, id), '')
					 FROM journey_instances WHERE ${where}`,
					{ ...params, from, to, now }
				);
				if (row && row[0] > 0) texts.push({ lines: row[0], text: row[1] });
			}
			return texts;
		},
		async instanceGroups(journeyKey, q, now, options) {
			const rollup = options?.scan ? null : instanceGroupsRollupSql(journeyKey, q, now, true);
			if (rollup) return values<GroupRaw>(rollup.sql, rollup.params);
			const { where, params } = instanceFilter(journeyKey, q);
			return values<GroupRaw>(
				`SELECT s.path, s.switches, g.* FROM (
				   SELECT shape_id, depth, ${EFFECTIVE_STATUS} AS eff, count(*) AS n,
				     count(nps) AS nps_n, count(*) FILTER (WHERE nps >= 9) AS nps_p, count(*) FILTER (WHERE nps <= 6) AS nps_d,
				     count(csat) AS csat_n, count(*) FILTER (WHERE csat >= 4) AS csat_s,
				     count(journey_nps) AS jnps_n, count(*) FILTER (WHERE journey_nps >= 9) AS jnps_p,
				     count(*) FILTER (WHERE journey_nps <= 6) AS jnps_d,
				     count(journey_csat) AS jcsat_n, count(*) FILTER (WHERE journey_csat >= 4) AS jcsat_s
				   FROM journey_instances WHERE ${where}
				   GROUP BY shape_id, depth, eff
				 ) g JOIN journey_shapes s ON s.id = g.shape_id
				 ORDER BY g.shape_id, g.depth, g.eff`,
				{ ...params, now }
			);
		},
		async gapAnswers(journeyKey, q, options) {
			if (options?.scan) {
				const { where, params } = instanceFilter(journeyKey, q, 'i');
				const rows = await run<Omit<Answer, 'tagged'> & { tagged: boolean }>(
					`SELECT DISTINCT e.seq, e.channel, e.metric, e.score, e.journey IS NOT NULL AS tagged, e.team_id AS "teamId"
					 FROM journey_instances i
					 JOIN journey_interactions l ON l.instance_id = i.id AND l.type = 'feedback'
					 JOIN events e ON e.seq = l.seq
					 WHERE ${where} AND i.feedbacks > 0
					   AND e.metric IN ('csat', 'nps') AND e.score IS NOT NULL
					 ORDER BY e.seq`,
					params
				);
				return rows.map((r) => ({ ...r, tagged: r.tagged ? 1 : 0 }));
			}
			const { where, params } = instanceFilter(journeyKey, q);
			return run<Answer>(
				`SELECT seq, channel, metric, score, tagged, team_id AS "teamId" FROM journey_gap_answers WHERE ${where}${
					options?.seqs ? ' AND seq IN (SELECT value::bigint FROM json_array_elements_text(@seqs::json))' : ''
				}`,
				options?.seqs ? { ...params, seqs: JSON.stringify(options.seqs) } : params
			);
		},
		async gapAnswerCounts(journeyKey, q) {
			const { where, params } = instanceFilter(journeyKey, q);
			const counts = await values<AnswerCount>(
				`SELECT tagged, metric, channel, team_id, score, count(*)::int FROM journey_gap_answers WHERE ${where}
				 GROUP BY tagged, metric, channel, team_id, score`,
				params
			);
			const seqs = (await values<[number]>(`SELECT seq FROM journey_gap_answers WHERE ${where}`, params)).map(
				(r) => Number(r[0])
			);
			return { counts, seqs };
		},
		async affected(journeyKey, q, selector, { now, limit, offset, teams }) {
			const base = instanceFilter(journeyKey, q);
			const sel = selectorSql(selector);
			const scope = teamScopeFilter(teams);
			const where = `${base.where} AND ${sel.sql} AND ${scope.where}`;
			const params = { ...base.params, ...sel.params, ...scope.params, now };
			const [count] = await values<[number]>(`SELECT count(*) FROM journey_instances WHERE ${where}`, params);
			const rows = await values<AffectedRaw>(
				`SELECT id, customer_id, started_at, last_event_at, status, deadline, last_step, depth, duration_s, contacts,
				   complaints, channels, segment, nps, csat
				 FROM journey_instances WHERE ${where} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset`,
				{ ...params, limit, offset }
			);
			return { total: Number(count?.[0] ?? 0), rows };
		},
		async timelineCustomer(customerId) {
			const [row] = await sql`
				SELECT id, segment, tier, region, first_seen AS "firstSeen", last_seen AS "lastSeen"
				FROM customers WHERE id = ${customerId}`;
			return row as CustomerTimeline['customer'] | undefined;
		},
		async timelineEvents(customerId, journey, limit) {
			return (await sql.unsafe(
				`SELECT ${TIMELINE_COLUMNS} ${TIMELINE_FROM} WHERE e.customer_id = $1 AND e.type ${journey ? '=' : '<>'} 'journey'
				 ORDER BY e.ts DESC, e.seq DESC LIMIT $2`,
				[customerId, limit]
			)) as unknown as TimelineEventRow[];
		},
		async timelineInstances(customerId) {
			return (await sql`
				SELECT id, journey_key AS "journeyKey", started_at AS "startedAt", last_event_at AS "lastEventAt",
				  ended_at AS "endedAt", status, deadline, last_step AS "lastStep", depth, step_events AS steps, contacts,
				  channels, nps, csat, step_seqs AS "stepSeqs"
				FROM journey_instances WHERE customer_id = ${customerId} ORDER BY started_at, id`) as unknown as TimelineInstanceRow[];
		},
		async timelineLinks(ids) {
			if (ids.length === 0) return [];
			return (await sql`
				SELECT instance_id AS "instanceId", seq FROM journey_interactions
				WHERE instance_id = ANY(${ids as number[]}::bigint[]) ORDER BY instance_id, seq`) as unknown as {
				instanceId: number;
				seq: number;
			}[];
		}
	};
	return store;
}

/** countEventNames on PostgreSQL (for the stitcher's port): scalar min/max are LEAST/GREATEST. */
export const COUNT_EVENT_NAMES_PG = `INSERT INTO journey_event_names (name, events, first_seen, last_seen) VALUES ($1, $2, $3, $4)
	ON CONFLICT (name) DO UPDATE SET events = journey_event_names.events + excluded.events,
	  first_seen = LEAST(journey_event_names.first_seen, excluded.first_seen),
	  last_seen = GREATEST(journey_event_names.last_seen, excluded.last_seen)`;
