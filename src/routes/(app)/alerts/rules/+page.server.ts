import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireRole, requireUser } from '$lib/server/auth/guard';
import { scopeOf } from '$lib/server/auth/scope';
import { listTeamsWithAgents } from '$lib/server/directory/teams';
import { CHANNELS } from '$lib/model';
import * as alerts from '$lib/server/alerts';
import { ruleActor } from '$lib/server/alerts/http';
import { kpiLabels } from '$lib/server/alerts/labels';
import { KPI_KEYS } from '$lib/server/metrics';

/** Alert rules: everyone reads them; admins edit all, managers the rules of their own teams. */
export const load: PageServerLoad = async ({ locals }) => {
	const user = requireUser(locals);
	const scope = scopeOf(user);
	const canEdit = user.role === 'admin' || user.role === 'manager';
	const db = storage();
	const list = await alerts.listRules(db);
	return {
		rules: list.map((r) => ({
			...alerts.publicRule(r, user),
			editable: canEdit && alerts.canEditRule(r, scope)
		})),
		/** Risk-score rules cannot fire before the risk model's first training (the page says so). */
		riskStatus: await alerts.riskScoreStatus(db),
		canEdit,
		isAdmin: user.role === 'admin',
		teams: (await listTeamsWithAgents(db, scope.teams)).map((t) => ({ id: t.id, name: t.name })),
		kpis: [...KPI_KEYS],
		anomalyKpis: alerts.ANOMALY_KPIS,
		signals: [...alerts.RISK_SIGNALS],
		channels: [...CHANNELS],
		kpiLabels: kpiLabels()
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

/** The flat API shape from the form (each kind's fields carry a prefix so one form holds all kinds). */
function ruleFromForm(form: FormData): Record<string, unknown> {
	const kind = text(form, 'kind');
	const teams = form.getAll('teams').filter((t): t is string => typeof t === 'string' && t !== '');
	const channel = text(form, 'channel');
	const url = text(form, 'webhookUrl');
	const emails = (text(form, 'emails') ?? '')
		.split(/[\s,，;；]+/)
		.map((e) => e.trim())
		.filter(Boolean);
	const rule: Record<string, unknown> = {
		name: text(form, 'name') ?? '',
		kind,
		severity: text(form, 'severity'),
		perTeam: form.get('perTeam') === 'on',
		resolveAfterMinutes: number(form, 'resolveAfterMinutes'),
		...(teams.length ? { teams } : {}),
		...(channel && kind !== 'risk_score' ? { filters: { channel } } : {}),
		...(emails.length ? { emails } : {}),
		...(url
			? { webhook: { url, ...(text(form, 'webhookSecret') ? { secret: text(form, 'webhookSecret') } : {}) } }
			: {})
	};
	if (kind === 'threshold')
		Object.assign(rule, {
			kpi: text(form, 't_kpi'),
			op: text(form, 't_op'),
			value: number(form, 't_value'),
			windowMinutes: number(form, 't_window'),
			minN: number(form, 't_minN'),
			significant: form.get('t_significant') === 'on'
		});
	else if (kind === 'anomaly')
		Object.assign(rule, {
			kpi: text(form, 'a_kpi'),
			direction: text(form, 'a_direction'),
			methods: form.getAll('a_methods'),
			lambda: number(form, 'a_lambda'),
			L: number(form, 'a_L'),
			baselineWeeks: number(form, 'a_weeks'),
			minChange: number(form, 'a_minChange')
		});
	else if (kind === 'risk') {
		const words = (text(form, 'r_words') ?? '')
			.split(/[\n,，、]/)
			.map((w) => w.trim())
			.filter(Boolean);
		Object.assign(rule, {
			signal: text(form, 'r_signal'),
			windowMinutes: number(form, 'r_window'),
			value: number(form, 'r_value'),
			ratio: number(form, 'r_ratio'),
			...(words.length ? { words } : {})
		});
	} else if (kind === 'risk_score') {
		const level = number(form, 's_level');
		Object.assign(rule, {
			mode: text(form, 's_mode'),
			customers: text(form, 's_customers'),
			outcome: text(form, 's_outcome'),
			// The form asks for a percentage; the rule keeps a probability.
			minScore: level === undefined ? undefined : level / 100
		});
		if (rule.mode === 'count')
			Object.assign(rule, {
				value: number(form, 's_value'),
				ratio: number(form, 's_ratio'),
				baselineWeeks: number(form, 's_weeks')
			});
	}
	for (const key of Object.keys(rule)) if (rule[key] === undefined) delete rule[key];
	return rule;
}

function refusal(action: string, error: unknown) {
	if (error instanceof alerts.RuleError) return fail(error.status, { action, message: error.message });
	throw error;
}

const idOf = (form: FormData) => Number(form.get('id'));

export const actions: Actions = {
	create: async (event) => {
		const user = requireRole(event.locals, 'admin', 'manager');
		try {
			const { rule, generatedSecret } = await alerts.addRule(
				storage(),
				ruleFromForm(await event.request.formData()),
				ruleActor(user, event)
			);
			return { action: 'create', done: true, name: rule.name, secret: generatedSecret };
		} catch (error) {
			return refusal('create', error);
		}
	},
	toggle: async (event) => {
		const user = requireRole(event.locals, 'admin', 'manager');
		const form = await event.request.formData();
		try {
			const { rule } = await alerts.changeRule(
				storage(),
				idOf(form),
				{ enabled: form.get('enabled') === '1' },
				ruleActor(user, event)
			);
			return { action: 'toggle', done: true, name: rule.name };
		} catch (error) {
			return refusal('toggle', error);
		}
	},
	remove: async (event) => {
		const user = requireRole(event.locals, 'admin', 'manager');
		const form = await event.request.formData();
		try {
			const rule = await alerts.removeRule(storage(), idOf(form), ruleActor(user, event));
			return { action: 'remove', done: true, name: rule.name };
		} catch (error) {
			return refusal('remove', error);
		}
	},
	test: async (event) => {
		requireRole(event.locals, 'admin');
		const form = await event.request.formData();
		if (!(await alerts.enqueueTest(storage(), idOf(form))))
			return fail(409, { action: 'test', message: 'webhook: none' });
		return { action: 'test', done: true, name: String(form.get('name') ?? '') };
	}
};
