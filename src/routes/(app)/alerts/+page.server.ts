import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { ALERT_KINDS, ALERT_SEVERITIES } from '$lib/server/db/schema';
import * as alerts from '$lib/server/alerts';
import { AlertActionError } from '$lib/server/alerts';
import { incidentState, setIncident } from '$lib/server/alerts/incident';
import { kpiLabels } from '$lib/server/alerts/labels';

const Filter = z.object({
	status: z.enum(['active', 'open', 'acknowledged', 'resolved', 'all']).catch('active'),
	severity: z.enum(ALERT_SEVERITIES).optional().catch(undefined),
	kind: z.enum(ALERT_KINDS).optional().catch(undefined)
});

/** The alert feed: live (the page listens to the alerts stream), filtered by status, severity and kind. */
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals);
	const filter = Filter.parse(Object.fromEntries(url.searchParams));
	const scope = scopeOf(user);
	const db = storage();
	const base = { severity: filter.severity, kind: filter.kind, limit: 200 };
	const list =
		filter.status === 'active'
			? (await alerts.listAlerts(db, scope, base)).filter((a) => a.status !== 'resolved')
			: await alerts.listAlerts(db, scope, {
					...base,
					status: filter.status === 'all' ? undefined : filter.status
				});
	return {
		filter,
		alerts: list,
		counts: await alerts.alertCounts(db, scope),
		kpiLabels: kpiLabels(),
		canAct: user.role === 'admin' || user.role === 'manager',
		isAdmin: user.role === 'admin',
		incident: user.role === 'admin' ? await incidentState(storage()) : null,
		now: Date.now()
	};
};

const Act = z.object({
	id: z.coerce.number().int().positive(),
	minutes: z.coerce
		.number()
		.int()
		.min(5)
		.max(7 * 1440)
		.optional()
});

async function act(event: Parameters<NonNullable<Actions['acknowledge']>>[0], action: alerts.AlertAction) {
	const user = requireRole(event.locals, 'admin', 'manager');
	const parsed = Act.safeParse(Object.fromEntries(await event.request.formData()));
	if (!parsed.success) return fail(400, { message: 'id: missing' });
	try {
		await alerts.act(
			storage(),
			parsed.data.id,
			{ action, minutes: parsed.data.minutes },
			{ email: user.email, scope: scopeOf(user) }
		);
		return { done: action };
	} catch (error) {
		if (error instanceof AlertActionError) return fail(error.status, { message: error.message });
		throw error;
	}
}

export const actions: Actions = {
	acknowledge: (event) => act(event, 'acknowledge'),
	resolve: (event) => act(event, 'resolve'),
	snooze: (event) => act(event, 'snooze'),
	incident: async (event) => {
		const user = requireRole(event.locals, 'admin');
		const form = await event.request.formData();
		const state = await setIncident(storage(), form.get('on') === '1', user.email);
		if (!state) return fail(409, { message: 'demo_not_running' });
		return { done: 'incident' };
	}
};
