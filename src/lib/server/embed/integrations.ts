import { randomBytes } from 'node:crypto';
import type { Db } from '$lib/server/db';
import type { embedIntegrations } from '$lib/server/db/schema';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { parseOrigins } from '$lib/server/auth/keys';
import { generateSecret, openSecret, sealSecret } from './secret';
import { embedStores } from './store';
import { invalidate } from '$lib/server/live/relay';

const store = (target: Db | Storage) => byEngine(asStorage(target), embedStores);

/** A refused change to integrations (unknown id, bad name or origins); the CLI answers exit code 1, pages 400. */
export class EmbedError extends Error {
	constructor(
		readonly code: 'not_found' | 'invalid',
		message: string
	) {
		super(message);
	}
}

export interface Integration {
	id: string;
	name: string;
	origins: string[];
	revokedBefore: number;
	createdAt: number;
	createdBy: string | null;
}

function publicView(row: typeof embedIntegrations.$inferSelect): Integration {
	return {
		id: row.id,
		name: row.name,
		origins: row.origins,
		revokedBefore: row.revokedBefore,
		createdAt: row.createdAt,
		createdBy: row.createdBy
	};
}

/** Origins like https://portal.example (parsed as write-key origins are); at least one is required. */
export function embedOrigins(text: string | readonly string[]): string[] {
	let origins: string[];
	try {
		origins = parseOrigins(text);
	} catch (e) {
		throw new EmbedError('invalid', e instanceof Error ? e.message : String(e));
	}
	if (origins.length === 0)
		throw new EmbedError('invalid', 'Give at least one origin allowed to embed, like https://portal.example');
	return origins;
}

/** Creates an integration; the answer carries the secret, which is never shown again. */
export async function addIntegration(
	db: Db | Storage,
	input: { name: string; origins: string | readonly string[]; createdBy?: string | null },
	now = Date.now()
): Promise<Integration & { secret: string }> {
	const name = input.name.trim();
	if (!name || name.length > 100) throw new EmbedError('invalid', 'The name must be 1 to 100 characters');
	const origins = embedOrigins(input.origins);
	const id = `emb_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
	const secret = generateSecret();
	const row = await store(db).insertIntegration({
		id,
		name,
		origins,
		secret: sealSecret(secret),
		createdAt: now,
		createdBy: input.createdBy ?? null
	});
	return { ...publicView(row), secret };
}

export async function listIntegrations(db: Db | Storage): Promise<Integration[]> {
	return (await store(db).listIntegrations()).map(publicView);
}

export async function getIntegration(db: Db | Storage, id: string): Promise<Integration | null> {
	const row = await store(db).integration(id);
	return row ? publicView(row) : null;
}

/** The integration with its secret opened, for verifying and signing tokens; null when unknown or unreadable. */
export async function integrationWithSecret(
	db: Db | Storage,
	id: string
): Promise<(Integration & { secret: string }) | null> {
	const row = await store(db).integration(id);
	if (!row) return null;
	const secret = openSecret(row.secret);
	return secret === null ? null : { ...publicView(row), secret };
}

/** Revokes every token issued before now (tokens issued later still work). */
export async function revokeIntegration(
	db: Db | Storage,
	id: string,
	now = Date.now()
): Promise<Integration> {
	const row = await store(db).revoke(id, now);
	if (!row) throw new EmbedError('not_found', `No embed integration with the id ${id}`);
	// Open streams of this integration, on every process, recheck now rather than within seconds.
	await invalidate('embed.integration', id);
	return publicView(row);
}

/** Deletes the integration (its tokens stop at once); its usage record stays. */
export async function removeIntegration(db: Db | Storage, id: string): Promise<Integration> {
	const row = await store(db).remove(id);
	if (!row) throw new EmbedError('not_found', `No embed integration with the id ${id}`);
	await invalidate('embed.integration', id);
	return publicView(row);
}
