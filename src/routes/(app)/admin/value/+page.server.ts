import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { CHANNELS } from '$lib/model';
import { storage } from '$lib/server/db';
import { requireRole } from '$lib/server/auth/guard';
import { clientIp } from '$lib/server/auth/request';
import * as value from '$lib/server/value';

/** The value ledger's unit costs and values with their effective days (value/settings.ts holds the rules). */
export const load: PageServerLoad = async ({ locals }) => {
	requireRole(locals, 'admin');
	return { settings: await value.getValueSettings(storage()), channels: [...CHANNELS] };
};

/** A number typed in a form field: empty stays absent (refused as required), anything else goes to validation. */
const numberOf = (v: FormDataEntryValue | null) => {
	if (typeof v !== 'string' || v.trim() === '') return undefined;
	const n = Number(v.trim());
	return Number.isFinite(n) ? n : v;
};

export const actions: Actions = {
	default: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const form = await event.request.formData();
		const effectiveFrom = String(form.get('effectiveFrom') ?? '').trim();
		const body = {
			agentMinute: Object.fromEntries(CHANNELS.map((c) => [c, numberOf(form.get(`agentMinute.${c}`))])),
			ivrSession: numberOf(form.get('ivrSession')),
			botSession: numberOf(form.get('botSession')),
			outboundCall: numberOf(form.get('outboundCall')),
			valuePerConversion: numberOf(form.get('valuePerConversion')),
			valuePerRetainedCustomer: numberOf(form.get('valuePerRetainedCustomer')),
			...(effectiveFrom ? { effectiveFrom } : {})
		};
		try {
			await value.putValueSettings(storage(), body, {
				id: admin.id,
				email: admin.email,
				ip: clientIp(event)
			});
			return { done: true, effectiveFrom: effectiveFrom || null };
		} catch (error) {
			if (!(error instanceof value.ValueSettingsError)) throw error;
			return fail(400, { errors: { [error.field]: error.message } as Record<string, string> });
		}
	}
};
