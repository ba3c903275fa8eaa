import { and, asc, desc, eq, inArray, isNotNull, lte, ne, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import {
	alertHistory,
	alertRules,
	alerts,
	alertSettings,
	alertState,
	webhookDeliveries,
	type AlertRow
} from '$lib/server/db/schema';
import type { AlertStore, RowChange } from './store-api';

/** The alerts domain on SQLite: the module's SQL as it always was, behind the async store interface. */
export function sqliteAlertStore(db: Db): AlertStore {
	function history(alertId: number, ts: number, action: string, actor: string | null, note?: string | null) {
		db.insert(alertHistory)
			.values({ alertId, ts, action, actor, note: note ?? null })
			.run();
	}

	function unresolved(ruleId: number, scope: string): AlertRow | undefined {
		return db
			.select()
			.from(alerts)
			.where(and(eq(alerts.ruleId, ruleId), eq(alerts.scope, scope), ne(alerts.status, 'resolved')))
			.get();
	}

	function setSetting(key: string, value: number): void {
		db.insert(alertSettings)
			.values({ key, value })
			.onConflictDoUpdate({ target: alertSettings.key, set: { value } })
			.run();
	}

	return {
		async listRules() {
			return db.select().from(alertRules).orderBy(asc(alertRules.id)).all();
		},
		async getRule(id) {
			return db.select().from(alertRules).where(eq(alertRules.id, id)).get();
		},
		async insertRule(values) {
			return db.insert(alertRules).values(values).returning().get();
		},
		async updateRule(id, set) {
			return db.update(alertRules).set(set).where(eq(alertRules.id, id)).returning().get();
		},
		async deleteRule(id) {
			db.delete(alertRules).where(eq(alertRules.id, id)).run();
		},
		async starterRules(now, seededKey, versionKey, latest, plan) {
			const seeded = db.select().from(alertSettings).where(eq(alertSettings.key, seededKey)).get();
			const versionRow = db.select().from(alertSettings).where(eq(alertSettings.key, versionKey)).get();
			const version = seeded ? Number(versionRow?.value ?? 1) || 1 : 0;
			if (version >= latest) return 0;
			const write = db.$client.transaction(() => {
				const existing = db
					.select()
					.from(alertRules)
					.all()
					.filter((r) => r.builtin !== null);
				const { create, update } = plan(version, existing);
				for (const values of create) db.insert(alertRules).values(values).run();
				for (const { id, set } of update) db.update(alertRules).set(set).where(eq(alertRules.id, id)).run();
				if (!seeded) db.insert(alertSettings).values({ key: seededKey, value: now }).run();
				setSetting(versionKey, latest);
				return create.length + update.length;
			});
			return write.immediate();
		},

		async applyFindings(rule, findings, now) {
			// IMMEDIATE (here and below): take the write lock before reading. When another connection (the ingestion
			// writer thread) commits between a deferred transaction's first read and its first write, SQLite refuses the
			// write at once (SQLITE_BUSY_SNAPSHOT) instead of waiting for the lock.
			const write = db.$client.transaction(() => {
				const changes: RowChange[] = [];
				const byScope = new Map(findings.map((f) => [f.scope, f]));
				const states = db.select().from(alertState).where(eq(alertState.ruleId, rule.id)).all();
				const open = db
					.select()
					.from(alerts)
					.where(and(eq(alerts.ruleId, rule.id), ne(alerts.status, 'resolved')))
					.all();
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
					db.insert(alertState)
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
						})
						.run();

					const current = unresolved(rule.id, scope);
					if (firing && finding) {
						if (current) {
							db.update(alerts)
								.set({
									lastSeenAt: now,
									value: finding.value,
									summary: finding.summary,
									details: finding.details,
									severity: rule.severity,
									updatedAt: now
								})
								.where(eq(alerts.id, current.id))
								.run();
							continue;
						}
						const previous = db
							.select()
							.from(alerts)
							.where(and(eq(alerts.ruleId, rule.id), eq(alerts.scope, scope)))
							.orderBy(desc(alerts.id))
							.get();
						// Resolved by a person while the condition kept holding: wait for it to clear before reopening.
						if (previous && previous.resolvedBy !== null && (previous.resolvedAt ?? 0) >= since) continue;
						const snoozedUntil =
							previous?.snoozedUntil && previous.snoozedUntil > now ? previous.snoozedUntil : null;
						const row = db
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
							.returning()
							.get();
						history(row.id, now, 'opened', null, finding.summary);
						changes.push({ type: 'opened', row });
					} else if (current && clearSince !== null && now - clearSince >= resolveAfter) {
						const row = db
							.update(alerts)
							.set({ status: 'resolved', resolvedAt: now, resolvedBy: null, updatedAt: now })
							.where(eq(alerts.id, current.id))
							.returning()
							.get();
						history(row.id, now, 'resolved', null, 'condition cleared');
						changes.push({ type: 'resolved', row });
					}
				}
				return changes;
			});
			return write.immediate();
		},
		async resolveRuleAlerts(ruleId, actor, now, note) {
			const rows = db
				.update(alerts)
				.set({ status: 'resolved', resolvedAt: now, resolvedBy: actor, updatedAt: now })
				.where(and(eq(alerts.ruleId, ruleId), ne(alerts.status, 'resolved')))
				.returning()
				.all();
			for (const row of rows) history(row.id, now, 'resolved', actor, note);
			db.delete(alertState).where(eq(alertState.ruleId, ruleId)).run();
			return rows;
		},
		async getAlert(id) {
			return db.select().from(alerts).where(eq(alerts.id, id)).get();
		},
		async updateAlert(id, set, entry) {
			const write = db.$client.transaction(() => {
				const updated = set
					? db.update(alerts).set(set).where(eq(alerts.id, id)).returning().get()
					: (db.select().from(alerts).where(eq(alerts.id, id)).get() as AlertRow);
				history(id, entry.ts, entry.action, entry.actor, entry.note);
				return updated;
			});
			return write.immediate();
		},
		async listAlerts(filter, limit) {
			const conditions = [];
			if (filter.status) conditions.push(eq(alerts.status, filter.status as AlertRow['status']));
			if (filter.severity) conditions.push(eq(alerts.severity, filter.severity as AlertRow['severity']));
			if (filter.kind) conditions.push(eq(alerts.kind, filter.kind as AlertRow['kind']));
			if (filter.ruleId !== undefined) conditions.push(eq(alerts.ruleId, filter.ruleId));
			return db
				.select()
				.from(alerts)
				.where(conditions.length ? and(...conditions) : undefined)
				.orderBy(sql`${alerts.status} = 'resolved'`, desc(alerts.openedAt), desc(alerts.id))
				.limit(limit)
				.all();
		},
		async history(alertId) {
			return db
				.select()
				.from(alertHistory)
				.where(eq(alertHistory.alertId, alertId))
				.orderBy(alertHistory.ts, alertHistory.id)
				.all();
		},
		async unresolved() {
			return db
				.select({ status: alerts.status, teams: alerts.teams, snoozedUntil: alerts.snoozedUntil })
				.from(alerts)
				.where(inArray(alerts.status, ['open', 'acknowledged']))
				.all();
		},
		async snoozeEnded(since, now) {
			return db
				.select()
				.from(alerts)
				.where(
					and(
						ne(alerts.status, 'resolved'),
						isNotNull(alerts.snoozedUntil),
						sql`${alerts.snoozedUntil} > ${since} AND ${alerts.snoozedUntil} <= ${now}`
					)
				)
				.all();
		},

		async webhookRule(ruleId) {
			return db
				.select({
					id: alertRules.id,
					name: alertRules.name,
					kind: alertRules.kind,
					url: alertRules.webhookUrl,
					config: alertRules.config
				})
				.from(alertRules)
				.where(eq(alertRules.id, ruleId))
				.get();
		},
		async insertDeliveries(rows) {
			for (const row of rows) db.insert(webhookDeliveries).values(row).run();
		},
		async dueDeliveries(now, limit) {
			// One server process owns a SQLite file: each delivery is leased just before it is sent (leaseDelivery).
			return db
				.select()
				.from(webhookDeliveries)
				.where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
				.orderBy(webhookDeliveries.nextAttemptAt)
				.limit(limit)
				.all();
		},
		async leaseDelivery(id, until) {
			db.update(webhookDeliveries).set({ nextAttemptAt: until }).where(eq(webhookDeliveries.id, id)).run();
		},
		async ruleSecret(ruleId) {
			return db
				.select({ secret: alertRules.webhookSecret })
				.from(alertRules)
				.where(eq(alertRules.id, ruleId))
				.get()?.secret;
		},
		async finishDelivery(id, set) {
			db.update(webhookDeliveries).set(set).where(eq(webhookDeliveries.id, id)).run();
		},
		async listDeliveries(limit, status) {
			return db
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
				.where(status ? eq(webhookDeliveries.status, status) : sql`1`)
				.orderBy(desc(webhookDeliveries.id))
				.limit(limit)
				.all();
		},

		async rawAll<T>(query: { sql: string; params: unknown[] }) {
			return db.$client.prepare(query.sql).all(...query.params) as T[];
		}
	};
}
