import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { audit } from '$lib/server/auth/audit';
import { requireRole } from '$lib/server/auth/guard';
import { actorOf, clientIp } from '$lib/server/auth/request';
import {
	getIndexWeights,
	getKpiSettings,
	INDEX_COMPONENTS,
	KPI_KEYS,
	REGISTRY,
	setIndexWeights,
	setKpiSettings,
	SettingsError
} from '$lib/server/metrics';

/** KPI targets and amber/red thresholds, and the CX index weights (settings.ts holds the rules). */
export const load: PageServerLoad = async ({ locals }) => {
	requireRole(locals, 'admin');
	const db = storage();
	const settings = await getKpiSettings(db);
	return {
		kpis: REGISTRY.map((d) => ({
			key: d.key,
			label: d.label,
			unit: d.unit,
			direction: d.direction,
			defaults: d.defaults,
			current: settings[d.key]
		})),
		weights: await getIndexWeights(db),
		components: INDEX_COMPONENTS.map((c) => ({ key: c.key, layer: c.layer }))
	};
};

type FieldErrors = Record<string, string>;

/** A number typed in a form field; refused with the message shown under the field. */
const toNumber = (s: string, ctx: z.RefinementCtx) => {
	const n = s === '' ? NaN : Number(s);
	if (Number.isFinite(n)) return n;
	ctx.addIssue({ code: 'custom', message: 'must be a number' });
	return z.NEVER;
};
const requiredNumber = z.string({ message: 'must be a number' }).trim().transform(toNumber);
/** A KPI threshold: empty goes back to the default (null), absent leaves it as it is (undefined). */
const optionalNumber = z
	.string()
	.trim()
	.optional()
	.transform((s, ctx) => (s === undefined ? undefined : s === '' ? null : toNumber(s, ctx)));

const Kpi = z.object({
	key: z.enum(KPI_KEYS),
	target: optionalNumber,
	amber: optionalNumber,
	red: optionalNumber
});

const Weights = z.object(
	Object.fromEntries([
		['layer.perception', requiredNumber],
		['layer.operations', requiredNumber],
		...INDEX_COMPONENTS.map((c) => [`component.${c.key}`, requiredNumber])
	]) as Record<string, typeof requiredNumber>
);

function fieldErrors(error: z.ZodError): FieldErrors {
	const out: FieldErrors = {};
	for (const issue of error.issues) {
		const field = String(issue.path[0] ?? 'form');
		out[field] ??= `${field}: ${issue.message}`;
	}
	return out;
}

/** SettingsError messages start with the field ("red: must be …"); a layer problem names the layer. */
function settingsField(message: string): string {
	const field = /^(target|amber|red):/.exec(message)?.[1];
	if (field) return field;
	const layer = /layer (perception|operations)/.exec(message)?.[1];
	return layer ? `layer.${layer}` : 'form';
}

export const actions: Actions = {
	kpi: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const form = Object.fromEntries(await event.request.formData());
		const parsed = Kpi.safeParse(form);
		const key = typeof form.key === 'string' ? form.key : '';
		if (!parsed.success) return fail(400, { action: 'kpi', key, errors: fieldErrors(parsed.error) });
		const { key: kpi, ...change } = parsed.data;
		const db = storage();
		try {
			const saved = await setKpiSettings(db, kpi, change, admin.email);
			await audit(db, {
				action: 'settings.changed',
				actor: actorOf(admin),
				target: `kpi:${kpi}`,
				ip: clientIp(event),
				details: { change, effective: saved }
			});
			return { action: 'kpi', key: kpi, done: true };
		} catch (error) {
			if (!(error instanceof SettingsError)) throw error;
			return fail(400, {
				action: 'kpi',
				key: kpi,
				errors: { [settingsField(error.message)]: error.message }
			});
		}
	},
	weights: async (event) => {
		const admin = requireRole(event.locals, 'admin');
		const parsed = Weights.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'weights', key: '', errors: fieldErrors(parsed.error) });
		const v = parsed.data;
		const change = {
			layers: { perception: v['layer.perception'], operations: v['layer.operations'] },
			components: Object.fromEntries(INDEX_COMPONENTS.map((c) => [c.key, v[`component.${c.key}`]]))
		};
		const db = storage();
		try {
			const saved = await setIndexWeights(db, change, admin.email);
			await audit(db, {
				action: 'settings.changed',
				actor: actorOf(admin),
				target: 'cx_index_weights',
				ip: clientIp(event),
				details: { weights: saved }
			});
			return { action: 'weights', key: '', done: true };
		} catch (error) {
			if (!(error instanceof SettingsError)) throw error;
			return fail(400, {
				action: 'weights',
				key: '',
				errors: { [settingsField(error.message)]: error.message }
			});
		}
	}
};
