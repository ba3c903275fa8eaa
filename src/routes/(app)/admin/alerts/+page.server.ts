import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import * as alerts from '$lib/server/alerts';
import * as cases from '$lib/server/cases';
import { incidentState, setIncident } from '$lib/server/alerts/incident';

/** Alerts administration: the webhook delivery log, the follow-up SLA and the demo's incident switch. */
export const load: PageServerLoad = async ({ locals }) => {
	requireRole(locals, 'admin');
	const db = storage();
	return {
		deliveries: await alerts.listDeliveries(db, { limit: 200 }),
		slaHours: await cases.getSlaHours(db),
		incident: await incidentState(db)
	};
};

const Sla = z.object({ hours: z.coerce.number().min(1).max(720) });

export const actions: Actions = {
	sla: async (event) => {
		requireRole(event.locals, 'admin');
		const parsed = Sla.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'sla', message: 'hours: 1–720' });
		await cases.setSlaHours(storage(), parsed.data.hours);
		return { action: 'sla', done: true };
	},
	incident: async (event) => {
		const user = requireRole(event.locals, 'admin');
		const form = await event.request.formData();
		if (!(await setIncident(storage(), form.get('on') === '1', user.email)))
			return fail(409, { action: 'incident', message: 'demo_not_running' });
		return { action: 'incident', done: true };
	}
};
