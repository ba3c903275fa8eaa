import { createHash } from 'node:crypto';
import type { Db } from '$lib/server/db';
import type { PgDb } from '$lib/server/db/postgres';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { audit, type AuditEntry } from '$lib/server/auth/audit';
import * as sqlite from './sqlite';
import * as postgres from './postgres';
import type { RemovedRows } from './sqlite';

/** The engine's side (sqlite.ts, postgres.ts), one async shape. */
const privacyStores = {
	sqlite: (db: Db) => ({
		deleteCustomerRows: async (customerId: string, now: number) =>
			sqlite.deleteCustomerRows(db, customerId, now)
	}),
	postgres: (db: PgDb) => ({
		deleteCustomerRows: (customerId: string, now: number) => postgres.deleteCustomerRows(db, customerId, now)
	})
};

/**
 * Deleting one customer's personal data on request (PIPL, 个人信息保护法): their events, texts, journey instances,
 * follow-up cases and customer row, and every writer's cached copy of the customer. Anonymous aggregates (rollups,
 * and so the KPIs) stay. Idempotent: a second request removes nothing and says so.
 */

export interface CustomerDeletion {
	/** SHA-256 of the id (hex): what the audit log keeps, so the log itself holds no customer id. */
	customerHash: string;
	removed: RemovedRows;
	/** Rows removed in all. */
	total: number;
}

export const customerHash = (customerId: string) =>
	createHash('sha256').update(customerId, 'utf8').digest('hex');

export async function deleteCustomer(
	target: Db | Storage,
	customerId: string,
	actor: AuditEntry['actor'],
	options: { ip?: string | null; now?: number } = {}
): Promise<CustomerDeletion> {
	const db = asStorage(target);
	const now = options.now ?? Date.now();
	const removed = await byEngine(db, privacyStores).deleteCustomerRows(customerId, now);
	const total = Object.values(removed).reduce((a, b) => a + b, 0);
	const hash = customerHash(customerId);
	await audit(db, {
		action: 'customer.deleted',
		actor,
		target: `customer-sha256:${hash}`,
		ip: options.ip ?? null,
		details: { removed, total },
		ts: now
	});
	return { customerHash: hash, removed, total };
}
