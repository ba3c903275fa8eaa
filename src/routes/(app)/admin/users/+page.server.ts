import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { ROLES } from '$lib/server/db/schema';
import { listTeamsWithAgents } from '$lib/server/directory/teams';
import { audit } from '$lib/server/auth/audit';
import { refusal, teamsFromForm } from '$lib/server/auth/forms';
import { requireRole } from '$lib/server/auth/guard';
import { generatePassword } from '$lib/server/auth/password';
import { actorOf, clientIp } from '$lib/server/auth/request';
import {
	createUser,
	getUser,
	listUsers,
	setUserDisabled,
	setUserPassword,
	updateUser
} from '$lib/server/auth/users';

export const load: PageServerLoad = async ({ locals }) => {
	requireRole(locals, 'admin');
	const db = storage();
	return {
		users: await listUsers(db),
		knownTeams: (await listTeamsWithAgents(db, null)).map(({ id, name }) => ({ id, name }))
	};
};

const Create = z.object({
	email: z.string().trim().min(1).max(254),
	name: z.string().trim().max(100).default(''),
	role: z.enum(ROLES),
	password: z.string().max(256)
});
const Update = z.object({
	id: z.string().min(1),
	role: z.enum(ROLES),
	name: z.string().trim().max(100).default('')
});
const ById = z.object({ id: z.string().min(1) });
const Reset = z.object({ id: z.string().min(1), password: z.string().max(256).default('') });

export const actions: Actions = {
	create: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const form = await event.request.formData();
		const parsed = Create.safeParse(Object.fromEntries(form));
		if (!parsed.success) return fail(400, { action: 'create', code: 'missing' });
		const db = storage();
		try {
			const user = await createUser(db, { ...parsed.data, teams: teamsFromForm(form) });
			await audit(db, {
				action: 'user.created',
				actor: actorOf(admin),
				target: user.email,
				ip: clientIp(event),
				details: { role: user.role, teams: user.teams }
			});
			return { action: 'create', done: true, email: user.email };
		} catch (error) {
			return refusal('create', error);
		}
	},
	update: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const form = await event.request.formData();
		const parsed = Update.safeParse(Object.fromEntries(form));
		if (!parsed.success) return fail(400, { action: 'update', code: 'missing' });
		const db = storage();
		try {
			const before = await getUser(db, parsed.data.id);
			const { teams: bound } = await updateUser(db, parsed.data.id, {
				...parsed.data,
				teams: teamsFromForm(form)
			});
			await audit(db, {
				action: 'user.updated',
				actor: actorOf(admin),
				target: before?.email ?? parsed.data.id,
				ip: clientIp(event),
				details: { role: parsed.data.role, previousRole: before?.role, teams: bound }
			});
			return { action: 'update', done: true, email: before?.email };
		} catch (error) {
			return refusal('update', error);
		}
	},
	disable: async (event) => toggle(event, true),
	enable: async (event) => toggle(event, false),
	resetPassword: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const parsed = Reset.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'resetPassword', code: 'missing' });
		const db = storage();
		const generated = parsed.data.password ? null : generatePassword();
		try {
			await setUserPassword(db, parsed.data.id, parsed.data.password || (generated as string));
		} catch (error) {
			return refusal('resetPassword', error);
		}
		const email = (await getUser(db, parsed.data.id))?.email;
		await audit(db, {
			action: 'user.password_reset',
			actor: actorOf(admin),
			target: email,
			ip: clientIp(event)
		});
		// A generated password is shown once, here, and never stored in clear.
		return { action: 'resetPassword', done: true, email, generated };
	}
};

async function toggle(event: Parameters<Actions[string]>[0], disabled: boolean) {
	const admin = requireRole(event.locals, 'admin');
	const parsed = ById.safeParse(Object.fromEntries(await event.request.formData()));
	const action = disabled ? 'disable' : 'enable';
	if (!parsed.success) return fail(400, { action, code: 'missing' });
	if (disabled && parsed.data.id === admin.id) return fail(400, { action, code: 'self_disable' });
	const db = storage();
	try {
		await setUserDisabled(db, parsed.data.id, disabled);
	} catch (error) {
		return refusal(action, error);
	}
	const email = (await getUser(db, parsed.data.id))?.email;
	await audit(db, {
		action: disabled ? 'user.disabled' : 'user.enabled',
		actor: actorOf(admin),
		target: email,
		ip: clientIp(event)
	});
	return { action, done: true, email };
}
