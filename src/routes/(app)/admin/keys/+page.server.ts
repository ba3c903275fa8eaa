import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { ROLES } from '$lib/server/db/schema';
import { listTeamsWithAgents } from '$lib/server/directory/teams';
import { audit } from '$lib/server/auth/audit';
import { refusal, teamsFromForm } from '$lib/server/auth/forms';
import { requireRole } from '$lib/server/auth/guard';
import {
	addReadKey,
	addWriteKey,
	getKey,
	getSource,
	listKeys,
	listSources,
	parseOrigins,
	revokeKey,
	setSourceOrigins
} from '$lib/server/auth/keys';
import { actorOf, clientIp } from '$lib/server/auth/request';
import { ingestContext } from '$lib/server/ingest/context';

export const load: PageServerLoad = async ({ locals }) => {
	requireRole(locals, 'admin');
	const db = storage();
	return {
		sources: await listSources(db),
		keys: await listKeys(db),
		// Origins whose browser pages were refused lately (ingestion monitor): offered as one-click additions.
		refusedOrigins: ingestContext(storage())
			.monitor.status()
			.refusedOrigins.map((r) => r.origin),
		knownTeams: (await listTeamsWithAgents(db, null)).map(({ id, name }) => ({ id, name }))
	};
};

const WriteKey = z.object({
	name: z.string().trim().max(100),
	sourceId: z.union([z.literal(''), z.coerce.number().int().positive()]).default(''),
	origins: z.string().max(4000).default('')
});
const ReadKey = z.object({ name: z.string().trim().max(100), role: z.enum(ROLES) });
const Revoke = z.object({ id: z.coerce.number().int().positive() });
const Origins = z.object({ sourceId: z.coerce.number().int().positive(), origins: z.string().max(4000) });
const AllowOrigin = z.object({ sourceId: z.coerce.number().int().positive(), origin: z.string().max(300) });

/** Saves a source's allowed origins and writes the audit entry. */
async function saveOrigins(
	event: Parameters<Actions[string]>[0],
	admin: ReturnType<typeof requireRole>,
	sourceId: number,
	allowedOrigins: string[]
) {
	const db = storage();
	await setSourceOrigins(db, sourceId, allowedOrigins);
	await audit(db, {
		action: 'source.updated',
		actor: actorOf(admin),
		target: `source:${sourceId}`,
		ip: clientIp(event),
		details: { allowedOrigins }
	});
}

export const actions: Actions = {
	createWrite: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const parsed = WriteKey.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'createWrite', code: 'missing' });
		const db = storage();
		try {
			const { name, sourceId, origins } = parsed.data;
			const created = await addWriteKey(db, {
				name,
				sourceId: sourceId === '' ? undefined : sourceId,
				allowedOrigins: parseOrigins(origins),
				createdBy: admin.email
			});
			await audit(db, {
				action: 'key.created',
				actor: actorOf(admin),
				target: `key:${created.id}`,
				ip: clientIp(event),
				details: { kind: 'write', name, sourceId: created.sourceId, prefix: created.prefix }
			});
			// The key text leaves the server this once; only its hash is kept.
			return { action: 'createWrite', done: true, key: created.key, name };
		} catch (error) {
			return refusal('createWrite', error);
		}
	},
	createRead: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const form = await event.request.formData();
		const parsed = ReadKey.safeParse(Object.fromEntries(form));
		if (!parsed.success) return fail(400, { action: 'createRead', code: 'missing' });
		const db = storage();
		try {
			const created = await addReadKey(db, {
				...parsed.data,
				teams: teamsFromForm(form),
				createdBy: admin.email
			});
			await audit(db, {
				action: 'key.created',
				actor: actorOf(admin),
				target: `key:${created.id}`,
				ip: clientIp(event),
				details: { kind: 'read', name: parsed.data.name, role: parsed.data.role, prefix: created.prefix }
			});
			return { action: 'createRead', done: true, key: created.key, name: parsed.data.name };
		} catch (error) {
			return refusal('createRead', error);
		}
	},
	revoke: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const parsed = Revoke.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'revoke', code: 'missing' });
		const db = storage();
		const key = await getKey(db, parsed.data.id);
		if (!key) return fail(404, { action: 'revoke', code: 'not_found' });
		if (await revokeKey(db, key.id))
			await audit(db, {
				action: 'key.revoked',
				actor: actorOf(admin),
				target: `key:${key.id}`,
				ip: clientIp(event),
				details: { kind: key.kind, name: key.name, prefix: key.prefix }
			});
		return { action: 'revoke', done: true, name: key.name };
	},
	origins: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const parsed = Origins.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'origins', code: 'missing' });
		try {
			await saveOrigins(event, admin, parsed.data.sourceId, parseOrigins(parsed.data.origins));
			return { action: 'origins', done: true, name: `#${parsed.data.sourceId}` };
		} catch (error) {
			return refusal('origins', error);
		}
	},
	/** Adds one origin (a refused one, offered from the ingestion monitor) to a source's allowed origins. */
	allowOrigin: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const parsed = AllowOrigin.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'origins', code: 'missing' });
		const source = await getSource(storage(), parsed.data.sourceId);
		if (!source) return fail(404, { action: 'origins', code: 'source_not_found' });
		try {
			const allowed = parseOrigins([...source.allowedOrigins, parsed.data.origin]);
			await saveOrigins(event, admin, source.id, [...new Set(allowed)]);
			return { action: 'origins', done: true, name: source.name };
		} catch (error) {
			return refusal('origins', error);
		}
	}
};
