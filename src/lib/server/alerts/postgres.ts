import { and, asc, desc, eq, inArray, isNotNull, lte, ne, sql } from 'drizzle-orm';
import { pgSchema, type PgDb } from '$lib/server/db/postgres';
import type { PgTx } from '$lib/server/db/pg-tx';
import type { AlertRow, AlertRuleRow, WebhookDeliveryRow } from '$lib/server/db/schema';
import type { AlertHistoryRow, AlertStore, DeliveryListRow, RowChange } from './store-api';

const { alertHistory, alertRules, alerts, alertSettings, alertState, webhookDeliveries } = pgSchema;

/** A transaction-scoped advisory lock per key: work on one rule (or the starter set) runs one process at a time. */
async function lock(tx: PgTx, key: string): Promise<void> {
	await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`resonance alerts ${key}`}, 0))`);
}

/** `?` placeholders (shared with SQLite) numbered for PostgreSQL. */
export function numbered(text: string): string {
	let n = 0;
	return text.replace(/\?/g, () => `$${++n}`);
}

/**
 * The alerts domain on PostgreSQL. Several server processes share the database: evaluation of a rule runs under a
 * per-rule advisory lock, opening an alert inserts ON CONFLICT DO NOTHING on alerts_one_unresolved (a process that
 * loses the race updates the alert the winner opened), and due webhook deliveries are claimed with FOR UPDATE SKIP
 * LOCKED so each is sent by one process.
 */
export function postgresAlertStore(db: PgDb): AlertStore {
	async function history(
		tx: PgTx | PgDb,
		alertId: number,
		ts: number,
		action: string,
		actor: string | null,
		note?: string | null
	) {
		await tx.insert(alertHistory).values({ alertId, ts, action, actor, note: note ?? null });
	}

	async function unresolved(tx: PgTx, ruleId: number, scope: string): Promise<AlertRow | undefined> {
		const [row] = await tx
			.select()
			.from(alerts)
			.where(and(eq(alerts.ruleId, ruleId), eq(alerts.scope, scope), ne(alerts.status, 'resolved')));
		return row as AlertRow | undefined;
	}

	return {
		async listRules() {
			return (await db.select().from(alertRules).orderBy(asc(alertRules.id))) as AlertRuleRow[];
		},
		async getRule(id) {
			const [row] = await db.select().from(alertRules).where(eq(alertRules.id, id));
			return row as AlertRuleRow | undefined;
		},
		async insertRule(values) {
			const [row] = await db.insert(alertRules).values(values).returning();
			return row as AlertRuleRow;
		},
		async updateRule(id, set) {
			const [row] = await db.update(alertRules).set(set).where(eq(alertRules.id, id)).returning();
			return row as AlertRuleRow;
		},
		async deleteRule(id) {
			await db.delete(alertRules).where(eq(alertRules.id, id));
		},
		async starterRules(now, seededKey, versionKey, latest, plan) {
			return db.transaction(async (tx) => {
				// Processes starting together seed the set once: the second waits here, then finds it up to date.
				await lock(tx, 'starter rules');
				const [seeded] = await tx.select().from(alertSettings).where(eq(alertSettings.key, seededKey));
				const [versionRow] = await tx.select().from(alertSettings).where(eq(alertSettings.key, versionKey));
				const version = seeded ? Number(versionRow?.value ?? 1) || 1 : 0;
				if (version >= latest) return 0;
				const existing = ((await tx.select().from(alertRules)) as AlertRuleRow[]).filter(
					(r) => r.builtin !== null
				);
				const { create, update } = plan(version, existing);
				for (const values of create) await tx.insert(alertRules).values(values);
				for (const { id, set } of update) await tx.update(alertRules).set(set).where(eq(alertRules.id, id));
				if (!seeded) await tx.insert(alertSettings).values({ key: seededKey, value: now });
				await tx
					.insert(alertSettings)
					.values({ key: versionKey, value: latest })
					.onConflictDoUpdate({ target: alertSettings.key, set: { value: latest } });
				return create.length + update.length;
			});
		},

		async applyFindings(rule, findings, now) {
			return db.transaction(async (tx) => {
				// One process at a time per rule (SQLite's IMMEDIATE transaction): the states read below stay true.
				await lock(tx, `rule ${rule.id}`);
				const changes: RowChange[] = [];
				const byScope = new Map(findings.map((f) => [f.scope, f]));
				const states = await tx.select().from(alertState).where(eq(alertState.ruleId, rule.id));
				const open = await tx
					.select({ scope: alerts.scope })
					.from(alerts)
					.where(and(eq(alerts.ruleId, rule.id), ne(alerts.status, 'resolved')));
				const scopes = new Set([
					...byScope.keys(),
					...states.map((s) => s.scope),
					...open.map((a) => a.scope)
				]);
				const resolveAfter = rule.resolveAfterMinutes * 60_000;

				for (const scope of scopes) {
					const finding = byScope.get(scope);
					const firing = finding?.state === 'firing';
					const state = states.find((s) => s.scope === scope);
					const since = firing
						? state?.firing
							? state.since
							: now
						: state && !state.firing
							? state.since
							: now;
					const clearSince = firing
						? null
						: (state?.clearSince ?? (state?.firing === false ? state.since : now));
					await tx
						.insert(alertState)
						.values({
							ruleId: rule.id,
							scope,
							firing,
							since,
							clearSince,
							evaluatedAt: now,
							value: finding?.value ?? null
						})
						.onConflictDoUpdate({
							target: [alertState.ruleId, alertState.scope],
							set: { firing, since, clearSince, evaluatedAt: now, value: finding?.value ?? null }
						});

					const seen = (id: number) =>
						tx
							.update(alerts)
							.set({
								lastSeenAt: now,
								value: finding?.value ?? null,
								summary: finding?.summary ?? '',
								details: finding?.details ?? {},
								severity: rule.severity,
								updatedAt: now
							})
							.where(eq(alerts.id, id));
					const current = await unresolved(tx, rule.id, scope);
					if (firing && finding) {
						if (current) {
							await seen(current.id);
							continue;
						}
						const [previous] = (await tx
							.select()
							.from(alerts)
							.where(and(eq(alerts.ruleId, rule.id), eq(alerts.scope, scope)))
							.orderBy(desc(alerts.id))
							.limit(1)) as AlertRow[];
						// Resolved by a person while the condition kept holding: wait for it to clear before reopening.
						if (previous && previous.resolvedBy !== null && (previous.resolvedAt ?? 0) >= since) continue;
						const snoozedUntil =
							previous?.snoozedUntil && previous.snoozedUntil > now ? previous.snoozedUntil : null;
						const [row] = (await tx
							.insert(alerts)
							.values({
								ruleId: rule.id,
								ruleName: rule.name,
								kind: rule.kind,
								scope,
								teams: finding.teams,
								severity: rule.severity,
								status: 'open',
								summary: finding.summary,
								details: finding.details,
								value: finding.value,
								openedAt: now,
								lastSeenAt: now,
								snoozedUntil,
								snoozedBy: snoozedUntil ? previous?.snoozedBy : null,
								updatedAt: now
							})
							.onConflictDoNothing({
								target: [alerts.ruleId, alerts.scope],
								where: sql`status <> 'resolved'`
							})
							.returning()) as AlertRow[];
						if (!row) {
							// Another process opened it meanwhile (the index held the line): this pass only saw it again.
							const winner = await unresolved(tx, rule.id, scope);
							if (winner) await seen(winner.id);
							continue;
						}
						await history(tx, row.id, now, 'opened', null, finding.summary);
						changes.push({ type: 'opened', row });
					} else if (current && clearSince !== null && now - clearSince >= resolveAfter) {
						const [row] = (await tx
							.update(alerts)
							.set({ status: 'resolved', resolvedAt: now, resolvedBy: null, updatedAt: now })
							.where(and(eq(alerts.id, current.id), ne(alerts.status, 'resolved')))
							.returning()) as AlertRow[];
						if (!row) continue;
						await history(tx, row.id, now, 'resolved', null, 'condition cleared');
						changes.push({ type: 'resolved', row });
					}
				}
				return changes;
			});
		},
		async resolveRuleAlerts(ruleId, actor, now, note) {
			return db.transaction(async (tx) => {
				const rows = (await tx
					.update(alerts)
					.set({ status: 'resolved', resolvedAt: now, resolvedBy: actor, updatedAt: now })
					.where(and(eq(alerts.ruleId, ruleId), ne(alerts.status, 'resolved')))
					.returning()) as AlertRow[];
				for (const row of rows) await history(tx, row.id, now, 'resolved', actor, note);
				await tx.delete(alertState).where(eq(alertState.ruleId, ruleId));
				return rows;
			});
		},
		async getAlert(id) {
			const [row] = await db.select().from(alerts).where(eq(alerts.id, id));
			return row as AlertRow | undefined;
		},
		async updateAlert(id, set, entry) {
			return db.transaction(async (tx) => {
				const [updated] = (
					set
						? await tx.update(alerts).set(set).where(eq(alerts.id, id)).returning()
						: await tx.select().from(alerts).where(eq(alerts.id, id))
				) as AlertRow[];
				await history(tx, id, entry.ts, entry.action, entry.actor, entry.note);
				return updated;
			});
		},
		async listAlerts(filter, limit) {
			const conditions = [];
			if (filter.status) conditions.push(eq(alerts.status, filter.status as AlertRow['status']));
			if (filter.severity) conditions.push(eq(alerts.severity, filter.severity as AlertRow['severity']));
			if (filter.kind) conditions.push(eq(alerts.kind, filter.kind as AlertRow['kind']));
			if (filter.ruleId !== undefined) conditions.push(eq(alerts.ruleId, filter.ruleId));
			return (await db
				.select()
				.from(alerts)
				.where(conditions.length ? and(...conditions) : undefined)
				.orderBy(sql`${alerts.status} = 'resolved'`, desc(alerts.openedAt), desc(alerts.id))
				.limit(limit)) as AlertRow[];
		},
		async history(alertId) {
			return (await db
				.select()
				.from(alertHistory)
				.where(eq(alertHistory.alertId, alertId))
				.orderBy(alertHistory.ts, alertHistory.id)) as AlertHistoryRow[];
		},
		async unresolved() {
			return (await db
				.select({ status: alerts.status, teams: alerts.teams, snoozedUntil: alerts.snoozedUntil })
				.from(alerts)
				.where(inArray(alerts.status, ['open', 'acknowledged']))) as Pick<
				AlertRow,
				'status' | 'teams' | 'snoozedUntil'
			>[];
		},
		async snoozeEnded(since, now) {
			return (await db
				.select()
				.from(alerts)
				.where(
					and(
						ne(alerts.status, 'resolved'),
						isNotNull(alerts.snoozedUntil),
						sql`${alerts.snoozedUntil} > ${since} AND ${alerts.snoozedUntil} <= ${now}`
					)
				)) as AlertRow[];
		},

		async webhookRule(ruleId) {
			const [row] = await db
				.select({
					id: alertRules.id,
					name: alertRules.name,
					kind: alertRules.kind,
					url: alertRules.webhookUrl,
					config: alertRules.config
				})
				.from(alertRules)
				.where(eq(alertRules.id, ruleId));
			return row as {
				id: number;
				name: string;
				kind: AlertRuleRow['kind'];
				url: string | null;
				config: unknown;
			};
		},
		async insertDeliveries(rows) {
			if (rows.length) await db.insert(webhookDeliveries).values(rows);
		},
		async dueDeliveries(now, limit, leaseUntil) {
			// Claimed in one statement: a delivery another process holds (row lock) or leased is skipped.
			const due = db
				.select({ id: webhookDeliveries.id })
				.from(webhookDeliveries)
				.where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
				.orderBy(webhookDeliveries.nextAttemptAt)
				.limit(limit)
				.for('update', { skipLocked: true });
			const rows = (await db
				.update(webhookDeliveries)
				.set({ nextAttemptAt: leaseUntil })
				.where(inArray(webhookDeliveries.id, due))
				.returning()) as WebhookDeliveryRow[];
			return rows.sort((a, b) => a.id - b.id);
		},
		async leaseDelivery(id, until) {
			await db.update(webhookDeliveries).set({ nextAttemptAt: until }).where(eq(webhookDeliveries.id, id));
		},
		async ruleSecret(ruleId) {
			const [row] = await db
				.select({ secret: alertRules.webhookSecret })
				.from(alertRules)
				.where(eq(alertRules.id, ruleId));
			return row?.secret;
		},
		async finishDelivery(id, set) {
			await db.update(webhookDeliveries).set(set).where(eq(webhookDeliveries.id, id));
		},
		async listDeliveries(limit, status) {
			return (await db
				.select({
					id: webhookDeliveries.id,
					ruleId: webhookDeliveries.ruleId,
					ruleName: alertRules.name,
					alertId: webhookDeliveries.alertId,
					event: webhookDeliveries.event,
					url: webhookDeliveries.url,
					status: webhookDeliveries.status,
					attempts: webhookDeliveries.attempts,
					lastStatus: webhookDeliveries.lastStatus,
					nextAttemptAt: webhookDeliveries.nextAttemptAt,
					createdAt: webhookDeliveries.createdAt,
					finishedAt: webhookDeliveries.finishedAt
				})
				.from(webhookDeliveries)
				.leftJoin(alertRules, eq(alertRules.id, webhookDeliveries.ruleId))
				.where(status ? eq(webhookDeliveries.status, status) : undefined)
				.orderBy(desc(webhookDeliveries.id))
				.limit(limit)) as DeliveryListRow[];
		},

		async rawAll<T>(query: { sql: string; params: unknown[] }) {
			return (await db.$client.unsafe(numbered(query.sql), query.params as never[])) as unknown as T[];
		}
	};
}
