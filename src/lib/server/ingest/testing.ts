import { openDatabase, type Db } from '$lib/server/db';
import { generateKey, hashKey } from '$lib/server/auth/keys';
import { apiKeys, sources, type EventRow } from '$lib/server/db/schema';
import { ingestConfig, type IngestConfig } from './config';
import { createIngestContext, type IngestContext } from './context';

/** A fresh migrated in-memory database with one source and its write key, and an ingestion context on it. */
export function ingestFixture(config: Partial<IngestConfig> = {}, origins: string[] = []) {
	const db: Db = openDatabase(':memory:');
	// Written directly (synchronously, SQLite) so the fixture stays synchronous; auth/keys.ts's createWriteKey is async.
	const key = generateKey('write');
	const sourceId = db
		.insert(sources)
		.values({ name: 'test source', allowedOrigins: origins, createdAt: Date.now() })
		.returning({ id: sources.id })
		.get().id;
	const keyId = db
		.insert(apiKeys)
		.values({
			kind: 'write',
			name: 'test source',
			sourceId,
			keyHash: hashKey(key),
			prefix: key.slice(0, 10),
			createdAt: Date.now()
		})
		.returning({ id: apiKeys.id })
		.get().id;
	const ctx: IngestContext = createIngestContext(db, { ...ingestConfig({}), groupCommitMs: 2, ...config });
	return { db, key, keyId, sourceId, ctx };
}

export type StoredEvent = EventRow & { properties: Record<string, unknown> };

/** Every stored event, in arrival order, with properties parsed. */
export function storedEvents(db: Db): StoredEvent[] {
	return (db.$client.prepare('SELECT * FROM events ORDER BY seq').all() as Record<string, unknown>[]).map(
		(row) =>
			({
				seq: row.seq,
				id: row.id,
				sourceId: row.source_id,
				type: row.type,
				ts: row.ts,
				receivedAt: row.received_at,
				customerId: row.customer_id,
				channel: row.channel,
				name: row.name,
				journey: row.journey,
				handledBy: row.handled_by,
				queue: row.queue,
				teamId: row.team_id,
				agentId: row.agent_id,
				reason: row.reason,
				waitS: row.wait_s,
				handleS: row.handle_s,
				outcome: row.outcome,
				metric: row.metric,
				score: row.score,
				text: row.text,
				contactId: row.contact_id,
				category: row.category,
				severity: row.severity,
				regulator: row.regulator === null ? null : row.regulator === 1,
				segment: row.segment,
				region: row.region,
				sentiment: row.sentiment,
				properties: JSON.parse(row.properties as string)
			}) as StoredEvent
	);
}

/** A POST `Request` as a client would send it. */
export function post(
	path: string,
	body: string | Uint8Array,
	headers: Record<string, string> = {},
	method = 'POST'
): Request {
	return new Request(`http://127.0.0.1${path}`, {
		method,
		headers: { 'content-type': 'application/json', ...headers },
		body: method === 'POST' ? (body as BodyInit) : undefined
	});
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
export const basic = (key: string) => ({
	authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`
});
