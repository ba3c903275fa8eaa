import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { audit } from '$lib/server/auth/audit';
import { requireRole } from '$lib/server/auth/guard';
import { actorOf, clientIp } from '$lib/server/auth/request';
import { getTagRules, resetTagRules, setTagRules, TAG_KINDS, tagRuleSchema } from '$lib/server/text';

/** Voice-of-customer tag rules: edit, add, reset to the defaults (the next recompute re-tags every text). */
export const load: PageServerLoad = async ({ locals }) => {
	requireRole(locals, 'admin');
	return { rules: await getTagRules(storage()), tags: TAG_KINDS };
};

/** Phrases typed one per line or separated by commas (ASCII or Chinese) or 、. */
const words = (value: FormDataEntryValue | null) =>
	String(value ?? '')
		.split(/[\n,，、;；]+/)
		.map((w) => w.trim())
		.filter(Boolean);

function ruleFrom(form: FormData) {
	return {
		id: String(form.get('id') ?? ''),
		tag: String(form.get('tag') ?? ''),
		label: String(form.get('label') ?? ''),
		labelEn: String(form.get('labelEn') ?? ''),
		any: words(form.get('any')),
		with: words(form.get('with')),
		not: words(form.get('not')),
		enabled: form.get('enabled') === 'on' || form.get('enabled') === '1'
	};
}

/** The first problem of each field, prefixed with its name ("any: …"). */
function fieldErrors(error: z.ZodError): Record<string, string> {
	const out: Record<string, string> = {};
	for (const issue of error.issues) {
		const field = String(issue.path[0] ?? 'form');
		out[field] ??= `${field}: ${issue.message}`;
	}
	return out;
}

const Id = z.object({ id: z.string().min(1) });

export const actions: Actions = {
	update: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const form = await event.request.formData();
		const id = Id.safeParse({ id: form.get('id') });
		if (!id.success) return fail(400, { action: 'update', id: '', errors: { id: 'id: missing' } });
		const db = storage();
		const rules = await getTagRules(db);
		const before = rules.find((r) => r.id === id.data.id);
		if (!before) return fail(404, { action: 'update', id: id.data.id, errors: { id: 'id: no such rule' } });
		// The words and the enabled flag are edited here; id, tag and labels stay.
		const { any, with: within, not, enabled } = ruleFrom(form);
		const parsed = tagRuleSchema.safeParse({ ...before, any, with: within, not, enabled });
		if (!parsed.success)
			return fail(400, { action: 'update', id: before.id, errors: fieldErrors(parsed.error) });
		await setTagRules(
			db,
			rules.map((r) => (r.id === before.id ? parsed.data : r)),
			admin.email
		);
		await record(event, admin, `tag_rule:${before.id}`, { before, after: parsed.data });
		return { action: 'update', id: before.id, done: true };
	},
	add: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const parsed = tagRuleSchema.safeParse(ruleFrom(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'add', id: '', errors: fieldErrors(parsed.error) });
		const db = storage();
		const rules = await getTagRules(db);
		if (rules.some((r) => r.id === parsed.data.id))
			return fail(400, { action: 'add', id: '', errors: { id: 'id: already used by another rule' } });
		await setTagRules(db, [...rules, parsed.data], admin.email);
		await record(event, admin, `tag_rule:${parsed.data.id}`, { added: parsed.data });
		return { action: 'add', id: parsed.data.id, done: true };
	},
	reset: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		await resetTagRules(storage(), admin.email);
		await record(event, admin, 'tag_rules', { reset: true });
		return { action: 'reset', id: '', done: true };
	}
};

async function record(
	event: Parameters<Actions[string]>[0],
	admin: ReturnType<typeof requireRole>,
	target: string,
	details: Record<string, unknown>
) {
	await audit(storage(), {
		action: 'settings.changed',
		actor: actorOf(admin),
		target,
		ip: clientIp(event),
		details
	});
}
