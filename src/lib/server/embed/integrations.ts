import { asc, eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import type { Db } from '$lib/server/db';
import { embedIntegrations } from '$lib/server/db/schema';
import { parseOrigins } from '$lib/server/auth/keys';
import { generateSecret, openSecret, sealSecret } from './secret';

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
export function addIntegration(
	db: Db,
	input: { name: string; origins: string | readonly string[]; createdBy?: string | null },
	now = Date.now()
): Integration & { secret: string } {
	const name = input.name.trim();
	if (!name || name.length > 100) throw new EmbedError('invalid', 'The name must be 1 to 100 characters');
	const origins = embedOrigins(input.origins);
	const id = `emb_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
	const secret = generateSecret();
	const row = db
		.insert(embedIntegrations)
		.values({
			id,
			name,
			origins,
			secret: sealSecret(secret),
			createdAt: now,
			createdBy: input.createdBy ?? null
		})
		.returning()
		.get();
	return { ...publicView(row), secret };
}

export function listIntegrations(db: Db): Integration[] {
	return db.select().from(embedIntegrations).orderBy(asc(embedIntegrations.createdAt)).all().map(publicView);
}

export function getIntegration(db: Db, id: string): Integration | null {
	const row = db.select().from(embedIntegrations).where(eq(embedIntegrations.id, id)).get();
	return row ? publicView(row) : null;
}

/** The integration with its secret opened, for verifying and signing tokens; null when unknown or unreadable. */
export function integrationWithSecret(db: Db, id: string): (Integration & { secret: string }) | null {
	const row = db.select().from(embedIntegrations).where(eq(embedIntegrations.id, id)).get();
	if (!row) return null;
	const secret = openSecret(row.secret);
	return secret === null ? null : { ...publicView(row), secret };
}

/** Revokes every token issued before now (tokens issued later still work). */
export function revokeIntegration(db: Db, id: string, now = Date.now()): Integration {
	const row = db
		.update(embedIntegrations)
		.set({ revokedBefore: now })
		.where(eq(embedIntegrations.id, id))
		.returning()
		.get();
	if (!row) throw new EmbedError('not_found', `No embed integration with the id ${id}`);
	return publicView(row);
}

/** Deletes the integration (its tokens stop at once); its usage record stays. */
export function removeIntegration(db: Db, id: string): Integration {
	const row = db.delete(embedIntegrations).where(eq(embedIntegrations.id, id)).returning().get();
	if (!row) throw new EmbedError('not_found', `No embed integration with the id ${id}`);
	return publicView(row);
}
