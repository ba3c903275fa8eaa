import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import * as cases from '$lib/server/cases';
import { idParam } from '$lib/server/alerts/http';

/** One follow-up case: what opened it, its notes, and (for managers and admins) the work on it. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireUser(locals);
	const id = idParam(params.id);
	const db = storage();
	const found = id === null ? undefined : await cases.getCase(db, id, scopeOf(user));
	if (!found) error(404, { code: 'not_found', message: `No case ${params.id}` });
	const canWork = user.role === 'admin' || user.role === 'manager';
	return {
		case: found,
		assignees: canWork ? await cases.assignees(db, found.team) : [],
		canWork,
		now: Date.now()
	};
};

async function work(
	event: Parameters<NonNullable<Actions['status']>>[0],
	field: 'status' | 'assigneeId' | 'note'
) {
	const user = requireRole(event.locals, 'admin', 'manager');
	const id = idParam(event.params.id);
	if (id === null) error(404, { code: 'not_found', message: 'No such case' });
	const form = await event.request.formData();
	const raw = form.get(field);
	const value = field === 'assigneeId' && raw === '' ? null : typeof raw === 'string' ? raw : undefined;
	const note =
		field !== 'note' && typeof form.get('note') === 'string' && String(form.get('note')).trim()
			? String(form.get('note'))
			: undefined;
	const patch = cases.casePatchSchema.safeParse({ [field]: value, ...(note ? { note } : {}) });
	if (!patch.success) return fail(400, { message: patch.error.issues[0]?.message ?? 'invalid' });
	try {
		await cases.updateCase(storage(), id, patch.data, { ...user, scope: scopeOf(user) });
		return { done: field };
	} catch (e) {
		if (e instanceof cases.CaseError) return fail(e.status, { message: e.message });
		throw e;
	}
}

export const actions: Actions = {
	status: (event) => work(event, 'status'),
	assign: (event) => work(event, 'assigneeId'),
	note: (event) => work(event, 'note')
};
