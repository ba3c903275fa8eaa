import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { listTeamsWithAgents } from '$lib/server/directory/teams';
import { listJourneys, stepKey } from '$lib/server/journeys';
import * as outreach from '$lib/server/outreach';
import { audienceActor } from '$lib/server/outreach/http';

/** Outreach audiences: the list, and a form to build one (managers for their teams, admins). */
export const load: PageServerLoad = async ({ locals }) => {
	const user = requireRole(locals, 'admin', 'manager', 'executive');
	const scope = scopeOf(user);
	const db = storage();
	return {
		audiences: await outreach.listAudiences(db, scope),
		canCreate: user.role === 'admin' || user.role === 'manager',
		journeys: (await listJourneys(db)).map((j) => ({
			key: j.definition.key,
			name: j.definition.name,
			steps: j.definition.steps.map(stepKey)
		})),
		teams: (await listTeamsWithAgents(db, scope.teams)).map((t) => ({ id: t.id, name: t.name })),
		isManager: user.role === 'manager'
	};
};

const text = (form: FormData, name: string) => {
	const v = form.get(name);
	return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};
const number = (form: FormData, name: string) => {
	const v = text(form, name);
	return v === undefined ? undefined : Number(v);
};

/** The API's shape from the form (each rule kind's fields carry a prefix so one form holds all kinds). */
function audienceFromForm(form: FormData): Record<string, unknown> {
	const kind = text(form, 'kind');
	const teams = form.getAll('teams').filter((t): t is string => typeof t === 'string' && t !== '');
	const rule =
		kind === 'breakpoint'
			? {
					kind,
					journey: text(form, 'b_journey'),
					step: text(form, 'b_step'),
					minDays: number(form, 'b_minDays')
				}
			: kind === 'detractors'
				? { kind, days: number(form, 'd_days') }
				: { kind, minScore: number(form, 'r_minScore') };
	return {
		name: text(form, 'name') ?? '',
		rule,
		holdoutPercent: number(form, 'holdoutPercent'),
		outcome: { kind: text(form, 'outcome'), days: number(form, 'outcomeDays') },
		...(teams.length ? { teams } : {})
	};
}

export const actions: Actions = {
	create: async (event) => {
		const user = requireRole(event.locals, 'admin', 'manager');
		let id: number;
		try {
			const form = await event.request.formData();
			id = (await outreach.createAudience(storage(), audienceFromForm(form), audienceActor(user, event))).id;
		} catch (error) {
			if (error instanceof outreach.AudienceInputError)
				return fail(400, { message: error.message, field: error.field });
			throw error;
		}
		redirect(303, `/outreach/${id}`);
	}
};
