import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { audit } from '$lib/server/auth/audit';
import { requireRole } from '$lib/server/auth/guard';
import { actorOf, clientIp } from '$lib/server/auth/request';
import { listTeamsWithAgents } from '$lib/server/directory/teams';
import * as embed from '$lib/server/embed';

const DAY_MS = 86_400_000;

/** /admin/embed: signed-embed integrations, their usage and live viewers, and TV links for wallboards. */
export const load: PageServerLoad = async ({ locals }) => {
	requireRole(locals, 'admin');
	const s = storage();
	const since = Date.now() - 14 * DAY_MS;
	return {
		integrations: (await embed.listIntegrations(s)).map((i) => ({
			...i,
			viewers: embed.viewerCount(i.id)
		})),
		views: await embed.viewsByDay(s, since),
		recent: await embed.recentViews(s, 20),
		knownTeams: (await listTeamsWithAgents(s, null)).map((t) => ({ id: t.id, name: t.name }))
	};
};

const Add = z.object({ name: z.string().trim().min(1).max(100), origins: z.string().max(4000) });
const Id = z.object({ id: z.string().min(1).max(64) });
const Tv = z.object({
	id: z.string().min(1).max(64),
	hours: z.coerce.number().int().min(1).max(24),
	range: z.enum(['today', '7d', '30d', '90d']),
	theme: z.enum(['light', 'dark']).default('dark'),
	locale: z.enum(['zh-CN', 'en']).default('zh-CN')
});

function refused(action: string, error: unknown) {
	if (error instanceof embed.EmbedError)
		return fail(error.code === 'not_found' ? 404 : 400, { action, code: error.code, message: error.message });
	throw error;
}

export const actions: Actions = {
	add: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const parsed = Add.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'add', code: 'invalid', message: null });
		const db = storage();
		try {
			const created = await embed.addIntegration(db, { ...parsed.data, createdBy: admin.email });
			await audit(db, {
				action: 'embed.created',
				actor: actorOf(admin),
				target: `embed:${created.id}`,
				ip: clientIp(event),
				details: { name: created.name, origins: created.origins }
			});
			// The secret leaves the server this once.
			return { action: 'add', done: true, id: created.id, secret: created.secret };
		} catch (error) {
			return refused('add', error);
		}
	},
	revoke: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const parsed = Id.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'revoke', code: 'invalid', message: null });
		const db = storage();
		try {
			const revoked = await embed.revokeIntegration(db, parsed.data.id);
			await audit(db, {
				action: 'embed.revoked',
				actor: actorOf(admin),
				target: `embed:${revoked.id}`,
				ip: clientIp(event),
				details: { name: revoked.name }
			});
			return { action: 'revoke', done: true };
		} catch (error) {
			return refused('revoke', error);
		}
	},
	remove: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const parsed = Id.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'remove', code: 'invalid', message: null });
		const db = storage();
		try {
			const removed = await embed.removeIntegration(db, parsed.data.id);
			await audit(db, {
				action: 'embed.removed',
				actor: actorOf(admin),
				target: `embed:${removed.id}`,
				ip: clientIp(event),
				details: { name: removed.name }
			});
			return { action: 'remove', done: true };
		} catch (error) {
			return refused('remove', error);
		}
	},
	/** A display token for a wallboard on a TV, signed here with the integration's secret (renew = issue again). */
	tv: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const form = await event.request.formData();
		const parsed = Tv.safeParse(Object.fromEntries(form));
		if (!parsed.success) return fail(400, { action: 'tv', code: 'invalid', message: null });
		const teamIds = form.getAll('team').filter((v): v is string => typeof v === 'string' && v !== '');
		const db = storage();
		try {
			const issued = await embed.issueTvLink(db, {
				...parsed.data,
				teams: teamIds,
				origin: event.url.origin,
				sub: `tv:${admin.email}`
			});
			await audit(db, {
				action: 'embed.token_issued',
				actor: actorOf(admin),
				target: `embed:${parsed.data.id}`,
				ip: clientIp(event),
				details: { hours: parsed.data.hours, range: parsed.data.range, teams: teamIds }
			});
			return {
				action: 'tv',
				done: true,
				url: issued.url,
				expiresAt: issued.expiresAt,
				form: parsed.data,
				teams: teamIds
			};
		} catch (error) {
			return refused('tv', error);
		}
	}
};
