import type { PgDb } from './postgres';

/** A drizzle transaction on PostgreSQL (`db.transaction(async (tx) => …)`): what derived writes run inside. */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];
