import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import * as outreach from '$lib/server/outreach';
import { audienceActor, audienceId } from '$lib/server/outreach/http';

/** One audience: both groups side by side, the lift with its interval, interim or final, and the lift by day. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireRole(locals, 'admin', 'manager', 'executive');
	const id = audienceId(params.id);
	if (id === null) error(404, `No audience ${params.id}`);
	try {
		return {
			results: await outreach.audienceResults(storage(), id, scopeOf(user)),
			canExport: user.role === 'admin' || user.role === 'manager'
		};
	} catch (e) {
		if (e instanceof outreach.AudienceError) error(e.status, e.message);
		throw e;
	}
};

export const actions: Actions = {
	push: async (event) => {
		const user = requireRole(event.locals, 'admin', 'manager');
		const id = audienceId(event.params.id);
		if (id === null) error(404, `No audience ${event.params.id}`);
		const form = await event.request.formData();
		try {
			const result = await outreach.pushAudience(
				storage(),
				id,
				{ url: String(form.get('url') ?? ''), secret: String(form.get('secret') ?? '') },
				audienceActor(user, event)
			);
			return result.delivered ? { pushed: result } : fail(502, { pushed: result });
		} catch (e) {
			if (e instanceof outreach.AudienceError) return fail(e.status, { message: e.message });
			throw e;
		}
	}
};
