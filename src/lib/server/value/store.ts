import type { ValueSettingsRow } from '$lib/server/db/schema';

/**
 * The value ledger's storage, one implementation per engine (sqlite.ts, postgres.ts; chosen once with `byEngine`):
 * the versions of the rates, and the follow-up cases of a period with the customer's next answer. Everything else
 * the ledger needs it reads from the metrics rollups, journey instances and outreach results through their modules.
 */
export interface ValueStore {
	/** Every version, oldest effective day first. */
	versions(): Promise<ValueSettingsRow[]>;
	/** Inserts a version, or replaces the one with the same effective day. Returns the stored row. */
	putVersion(row: Omit<ValueSettingsRow, 'id'>): Promise<ValueSettingsRow>;
	/** Cases opened in [from, to) (of these teams; null: all) with the customer's next answer (recovery.ts). */
	recoveryRows(from: number, to: number, teams: string[] | null): Promise<RecoveryRow[]>;
}

/** A follow-up case with the first answer of its customer after the follow-up (or, not followed up, after it opened). */
export interface RecoveryRow {
	id: number;
	customerId: string;
	reason: string;
	metric: string | null;
	score: number | null;
	openedAt: number;
	dueAt: number;
	contactedAt: number | null;
	nextMetric: string | null;
	nextScore: number | null;
}

/**
 * The cases opened in [?, ?) (then the teams, when limited), each with the customer's first answer (same metric as
 * the one that opened the case, when it has one) after the follow-up, or after the case opened when nobody followed
 * it up: the not-followed-up baseline. The same text on both engines (index on customer_id, ts).
 */
export function recoverySql(teams: string[] | null): string {
	const teamSql =
		teams === null
			? ''
			: teams.length
				? ` AND c.team_id IN (${teams.map(() => '?').join(',')})`
				: ' AND 1 = 0';
	return `SELECT c.id, c.customer_id AS "customerId", c.reason, c.metric, c.score, c.opened_at AS "openedAt",
	   c.due_at AS "dueAt", c.contacted_at AS "contactedAt", n.metric AS "nextMetric", n.score AS "nextScore"
	 FROM follow_up_cases c
	 LEFT JOIN events n ON n.seq = (
	   SELECT e.seq FROM events e
	   WHERE e.customer_id = c.customer_id AND e.type <> 'journey' AND e.type = 'feedback'
	     AND e.ts > COALESCE(c.contacted_at, c.opened_at) AND e.score IS NOT NULL
	     AND (c.metric IS NULL OR e.metric = c.metric)
	   ORDER BY e.ts, e.seq LIMIT 1)
	 WHERE c.opened_at >= ? AND c.opened_at < ?${teamSql}
	 ORDER BY c.id`;
}

/** `?` placeholders numbered for PostgreSQL ($1, $2 …). */
export function numbered(text: string): string {
	let n = 0;
	return text.replace(/\?/g, () => `$${++n}`);
}
