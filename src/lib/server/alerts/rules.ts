import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { ALERT_SEVERITIES, type AlertRuleRow, type AlertSeverity } from '$lib/server/db/schema';
import type { Scope } from '$lib/server/auth/scope';
import { DIMENSIONS, KPI_KEYS, type Dimension, type KpiKey } from '$lib/server/metrics';
import { ANOMALY_METHODS } from './detectors';
import { destinationProblem } from './destinations';
import { alertStore } from './stores';
import type { NewRuleRow, StarterPlan } from './store-api';

/**
 * Alert rules: validation (zod, errors naming the field), storage and the starter set. The API shape is flat
 * (DESIGN.md): `{"name","kind","kpi","op","value","windowMinutes","minN","filters","webhook"}`; the kind's own
 * settings are stored as `config`, the common ones as columns.
 */

export const RISK_SIGNALS = [
	'regulator',
	'complaint_spike',
	'risk_words',
	'case_sla',
	'emerging_topic'
] as const;
export type RiskSignal = (typeof RISK_SIGNALS)[number];
export const OPERATORS = ['<', '<=', '>', '>='] as const;
export type Operator = (typeof OPERATORS)[number];

/** KPIs an anomaly rule can watch (the composite index has no per-observation moments). */
export const ANOMALY_KPIS = KPI_KEYS.filter((k) => k !== 'cx_index') as Exclude<KpiKey, 'cx_index'>[];

const filterValues = z
	.union([z.string().trim().min(1).max(128), z.array(z.string().trim().min(1).max(128)).min(1).max(50)])
	.transform((v) => (typeof v === 'string' ? [v] : [...new Set(v)]));
const filtersSchema = z
	.object(
		Object.fromEntries(DIMENSIONS.map((d) => [d, filterValues.optional()])) as Record<
			Dimension,
			z.ZodOptional<typeof filterValues>
		>
	)
	.strict()
	.default({});
export type RuleFilters = Partial<Record<Dimension, string[]>>;

const teamList = z.array(z.string().trim().min(1).max(64)).min(1).max(100);

const webhookSchema = z
	.object({
		url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
		/** The HMAC key; generated when left out (and shown once). */
		secret: z.string().min(16, 'at least 16 characters').max(200).optional()
	})
	.strict();

const common = {
	name: z.string().trim().min(1).max(100),
	severity: z.enum(ALERT_SEVERITIES).default('warning'),
	enabled: z.boolean().default(true),
	/** Teams watched (null: the whole center). */
	teams: teamList.nullable().default(null),
	perTeam: z.boolean().default(false),
	webhook: webhookSchema.nullable().default(null),
	/** E-mail recipients of the rule's alerts (sent when the server has RESONANCE_SMTP_URL). */
	emails: z
		.array(z.email({ error: 'must be an e-mail address' }).max(254))
		.max(20)
		.transform((list) => [...new Set(list.map((e) => e.toLowerCase()))])
		.default([]),
	/** An alert resolves once its condition has been clear this long. */
	resolveAfterMinutes: z.number().int().min(0).max(1440).default(5)
};

const thresholdSchema = z
	.object({
		...common,
		kind: z.literal('threshold'),
		kpi: z.enum(KPI_KEYS),
		op: z.enum(OPERATORS),
		value: z.number().finite(),
		windowMinutes: z
			.number()
			.int()
			.min(5)
			.max(7 * 1440),
		/** Below this many observations nothing is judged (the KPI registry's minimum of 30 applies too). */
		minN: z.number().int().min(1).max(1_000_000).default(30),
		filters: filtersSchema,
		/** Only when the whole 95% interval lies beyond the threshold (a breach, not a wobble around it). */
		significant: z.boolean().default(false)
	})
	.strict();

const anomalySchema = z
	.object({
		...common,
		kind: z.literal('anomaly'),
		kpi: z.enum(ANOMALY_KPIS as [Exclude<KpiKey, 'cx_index'>, ...Exclude<KpiKey, 'cx_index'>[]]),
		/** 'worse' follows the KPI's direction (CSAT falling, abandonment rising). */
		direction: z.enum(['worse', 'better', 'both']).default('worse'),
		methods: z.array(z.enum(ANOMALY_METHODS)).min(1).default(['ewma', 'cusum']),
		lambda: z.number().min(0.05).max(0.5).default(0.25),
		L: z.number().min(2).max(4).default(3),
		k: z.number().min(0.1).max(1.5).default(0.5),
		h: z.number().min(2).max(8).default(5),
		baselineWeeks: z.number().int().min(4).max(8).default(6),
		/** Smallest change worth an alert, in the KPI's display units (points, seconds). */
		minChange: z.number().min(0).default(0),
		filters: filtersSchema
	})
	.strict();

const riskSchema = z
	.object({
		...common,
		kind: z.literal('risk'),
		signal: z.enum(RISK_SIGNALS),
		windowMinutes: z
			.number()
			.int()
			.min(1)
			.max(30 * 1440)
			.default(60),
		/**
		 * The count that raises the alert (referrals, risk texts, complaints, overdue cases; emerging_topic: the texts a
		 * topic needs this week before its growth is judged).
		 */
		value: z.number().int().min(1).max(100_000).default(1),
		/**
		 * complaint_spike: how many times the usual complaint rate counts as a spike; emerging_topic: how many times
		 * last week's share of texts a topic must reach.
		 */
		ratio: z.number().min(1).max(100).default(2),
		/**
		 * complaint_spike and risk_words: the one-sided Poisson p-value below which the window's count is more than
		 * the usual rate explains; emerging_topic: the family-wise level of the week-over-week growth tests
		 * (Bonferroni over the topics).
		 */
		alpha: z.number().min(1e-9).max(0.1).default(0.001),
		/** complaint_spike: contacts the window needs before it is judged. */
		minN: z.number().int().min(1).max(1_000_000).default(30),
		/** complaint_spike: weeks of the hour-of-week baseline. */
		baselineWeeks: z.number().int().min(1).max(8).default(6),
		/** risk_words: tag rules of the voice-of-customer module to count (default: every risk rule). */
		categories: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
		/** risk_words: an own word list instead of the tag rules. */
		words: z.array(z.string().trim().min(1).max(40)).min(1).max(200).optional(),
		filters: filtersSchema
	})
	.strict();

/** Modes of a risk-score rule: a customer crossing the level, or the count of customers over it rising. */
export const RISK_SCORE_MODES = ['customer', 'count'] as const;
/** Whose scores a risk-score rule watches: VIP customers (segments in VIP_SEGMENTS) or everyone. */
export const RISK_SCORE_CUSTOMERS = ['vip', 'any'] as const;
/** Which probability: a complaint in the next 14 days, or a regulator (12378) complaint. */
export const RISK_SCORE_OUTCOMES = ['complaint', 'regulator'] as const;
/** VIP customers: the 贵宾 (affluent) and 私行 (private) segments (DOMAIN.md segments; the demo's segment lines). */
export const VIP_SEGMENTS = ['affluent', 'private'] as const;

const riskScoreSchema = z
	.object({
		...common,
		kind: z.literal('risk_score'),
		/** customer: an alert per customer whose score reaches minScore; count: the count over minScore rising. */
		mode: z.enum(RISK_SCORE_MODES).default('customer'),
		customers: z.enum(RISK_SCORE_CUSTOMERS).default('vip'),
		outcome: z.enum(RISK_SCORE_OUTCOMES).default('complaint'),
		/** The probability (0–1) a score must reach. */
		minScore: z.number().gt(0, 'must be above 0').lt(1, 'must be below 1'),
		/** count: the fewest customers over minScore that can raise the alert. */
		value: z.number().int().min(1).max(1_000_000).default(5),
		/** count: how many times the usual count the count must reach. */
		ratio: z.number().min(1).max(100).default(1.5),
		/** count: the one-sided Poisson p-value below which the count is more than the usual level explains. */
		alpha: z.number().min(1e-9).max(0.1).default(0.001),
		/** count: the usual level is the mean count at the same moment 1…baselineWeeks weeks before (current model). */
		baselineWeeks: z.number().int().min(1).max(8).default(4)
	})
	.strict();

export const ruleInputSchema = z.discriminatedUnion('kind', [
	thresholdSchema,
	anomalySchema,
	riskSchema,
	riskScoreSchema
]);
export type RuleInput = z.input<typeof ruleInputSchema>;
export type RuleSpec = z.output<typeof ruleInputSchema>;
export type ThresholdSpec = z.output<typeof thresholdSchema>;
export type AnomalySpec = z.output<typeof anomalySchema>;
export type RiskSpec = z.output<typeof riskSchema>;
export type RiskScoreSpec = z.output<typeof riskScoreSchema>;

/** A stored rule as the evaluator and the API see it (the webhook secret only here, never in `publicRule`). */
export type Rule = RuleSpec & {
	id: number;
	builtin: string | null;
	createdBy: string | null;
	createdAt: number;
	updatedAt: number;
};

export class RuleError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details?: unknown
	) {
		super(message);
	}
}

/** zod issues → one message naming the fields, and the list as details. */
export function describeIssues(error: z.ZodError): {
	message: string;
	details: { field: string; message: string }[];
} {
	const details = error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
	return { message: details.map((d) => `${d.field}: ${d.message}`).join('; '), details };
}

export function parseRule(input: unknown): RuleSpec {
	const parsed = ruleInputSchema.safeParse(input);
	if (!parsed.success) {
		const { message, details } = describeIssues(parsed.error);
		throw new RuleError(400, 'invalid_rule', message, details);
	}
	const spec = parsed.data;
	const destination = spec.webhook ? destinationProblem(spec.webhook.url) : null;
	if (destination)
		throw new RuleError(400, 'invalid_rule', `webhook.url: ${destination}`, [
			{ field: 'webhook.url', message: destination }
		]);
	if (spec.kind === 'risk_score' && spec.perTeam && spec.mode === 'customer')
		throw new RuleError(
			400,
			'invalid_rule',
			'perTeam: each customer is an alert of its own in customer mode',
			[{ field: 'perTeam', message: 'each customer is an alert of its own in customer mode' }]
		);
	if (spec.perTeam && 'filters' in spec && spec.filters.team)
		throw new RuleError(400, 'invalid_rule', 'perTeam: use teams, not filters.team, with perTeam', [
			{ field: 'perTeam', message: 'use teams, not filters.team, with perTeam' }
		]);
	return spec;
}

const COMMON_KEYS = ['name', 'severity', 'enabled', 'teams', 'perTeam', 'webhook', 'kind'] as const;

function toRule(row: AlertRuleRow): Rule {
	const stored = {
		...(row.config as Record<string, unknown>),
		name: row.name,
		kind: row.kind,
		severity: row.severity,
		enabled: row.enabled,
		teams: row.teams ?? null,
		perTeam: row.perTeam,
		webhook: row.webhookUrl ? { url: row.webhookUrl, secret: row.webhookSecret ?? undefined } : null
	};
	// A rule stored before one of its settings existed gets the setting's default.
	const parsed = ruleInputSchema.safeParse(stored);
	const spec = parsed.success ? parsed.data : (stored as RuleSpec);
	return {
		...spec,
		id: row.id,
		builtin: row.builtin,
		createdBy: row.createdBy,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	};
}

function configOf(spec: RuleSpec): Record<string, unknown> {
	const config: Record<string, unknown> = { ...spec };
	for (const key of COMMON_KEYS) delete config[key];
	return config;
}

/**
 * The rule as the API shows it: the flat input shape, the webhook without its secret. Webhook URLs (which often
 * carry tokens) and e-mail recipients are shown to admins only; others see whether a webhook is set (`url` null).
 */
export function publicRule(rule: Rule, viewer: { role: string } = { role: 'admin' }) {
	const { webhook, emails, ...rest } = rule;
	const admin = viewer.role === 'admin';
	return {
		...rest,
		emails: admin ? emails : [],
		webhook: webhook
			? { url: admin ? webhook.url : (null as string | null), hasSecret: Boolean(webhook.secret) }
			: null
	};
}

/** Only admins set webhooks and e-mail recipients (DESIGN.md "Webhooks"): they send alert texts off the server. */
function assertMaySetDestinations(actor: RuleActor | null, fields: readonly string[]): void {
	if (!actor || actor.role === 'admin' || fields.length === 0) return;
	throw new RuleError(
		403,
		'forbidden_field',
		`${fields.join(', ')}: only admins set webhooks and e-mail recipients`,
		fields.map((field) => ({ field, message: 'only admins set this' }))
	);
}
export type PublicRule = ReturnType<typeof publicRule>;

export async function listRules(target: Db | Storage): Promise<Rule[]> {
	return (await alertStore(target).listRules()).map(toRule);
}

export async function getRule(target: Db | Storage, id: number): Promise<Rule | undefined> {
	const row = await alertStore(target).getRule(id);
	return row ? toRule(row) : undefined;
}

/** Who is changing rules: admins anything, managers only rules limited to their own teams. */
export interface RuleActor {
	email: string;
	role: string;
	scope: Scope;
	/** A person acting through the app: their changes are written to the audit log (engine.ts). */
	audit?: { id: string; ip: string | null };
}

/** A manager's rule must name teams, all of them their own (they default to all their teams). */
function scopeTeams(spec: RuleSpec, actor: RuleActor): RuleSpec {
	const own = actor.scope.teams;
	if (own === null) return spec;
	const filterTeams = 'filters' in spec ? spec.filters.team : undefined;
	const teams = spec.teams ?? (filterTeams?.length ? filterTeams : own);
	const outside = teams.filter((t) => !own.includes(t));
	if (teams.length === 0 || outside.length)
		throw new RuleError(
			403,
			'forbidden_team',
			`teams: outside your teams: ${outside.join(', ') || '(none)'}`,
			[{ field: 'teams', message: 'a manager’s rules watch their own teams only' }]
		);
	return { ...spec, teams };
}

/** Whether an actor may change (or delete) a stored rule. */
export function canEditRule(rule: Pick<Rule, 'teams'>, scope: Scope): boolean {
	if (scope.teams === null) return true;
	const own = scope.teams;
	return rule.teams !== null && rule.teams.length > 0 && rule.teams.every((t) => own.includes(t));
}

function newSecret(): string {
	return randomBytes(24).toString('base64url');
}

/** A new rule's row, validated; with the webhook secret when one was generated. */
function newRuleRow(
	input: unknown,
	actor: RuleActor | null,
	now: number,
	builtin: string | null
): { values: NewRuleRow; generatedSecret: string | null } {
	let spec = parseRule(input);
	assertMaySetDestinations(actor, [
		...(spec.webhook ? ['webhook'] : []),
		...(spec.emails.length ? ['emails'] : [])
	]);
	if (actor) spec = scopeTeams(spec, actor);
	let generatedSecret: string | null = null;
	if (spec.webhook && !spec.webhook.secret)
		spec.webhook = { ...spec.webhook, secret: (generatedSecret = newSecret()) };
	return {
		values: {
			name: spec.name,
			kind: spec.kind,
			config: configOf(spec),
			severity: spec.severity,
			teams: spec.teams,
			perTeam: spec.perTeam,
			enabled: spec.enabled,
			webhookUrl: spec.webhook?.url ?? null,
			webhookSecret: spec.webhook?.secret ?? null,
			builtin,
			createdBy: actor?.email ?? null,
			createdAt: now,
			updatedAt: now
		},
		generatedSecret
	};
}

/** Creates a rule; returns it with the webhook secret (shown once to the creator when generated). */
export async function createRule(
	target: Db | Storage,
	input: unknown,
	actor: RuleActor | null,
	now = Date.now(),
	builtin: string | null = null
): Promise<{ rule: Rule; generatedSecret: string | null }> {
	const { values, generatedSecret } = newRuleRow(input, actor, now, builtin);
	return { rule: toRule(await alertStore(target).insertRule(values)), generatedSecret };
}

/**
 * Applies a partial change (any field of the input shape; `webhook: null` removes the webhook, a webhook without
 * a secret keeps the stored one). The kind cannot change.
 */
export async function updateRule(
	target: Db | Storage,
	id: number,
	patch: unknown,
	actor: RuleActor,
	now = Date.now()
): Promise<{ rule: Rule; generatedSecret: string | null }> {
	const current = await getRule(target, id);
	if (!current) throw new RuleError(404, 'not_found', `No alert rule ${id}`);
	if (!canEditRule(current, actor.scope))
		throw new RuleError(403, 'forbidden_team', 'This rule watches teams outside yours');
	if (!patch || typeof patch !== 'object' || Array.isArray(patch))
		throw new RuleError(400, 'invalid_rule', '(body): expected an object', [
			{ field: '(body)', message: 'expected an object' }
		]);
	const changes = patch as Record<string, unknown>;
	assertMaySetDestinations(
		actor,
		['webhook', 'emails'].filter((field) => field in changes)
	);
	if ('kind' in changes && changes.kind !== current.kind)
		throw new RuleError(400, 'invalid_rule', 'kind: cannot change; create a new rule', [
			{ field: 'kind', message: 'cannot change' }
		]);
	const base: Record<string, unknown> = { ...current };
	for (const key of ['id', 'builtin', 'createdBy', 'createdAt', 'updatedAt']) delete base[key];
	const merged: Record<string, unknown> = { ...base, ...changes };
	let generatedSecret: string | null = null;
	if (changes.webhook && typeof changes.webhook === 'object') {
		const hook = changes.webhook as Record<string, unknown>;
		if (hook.secret === undefined) {
			const keep = current.webhook?.secret;
			merged.webhook = { ...hook, secret: keep ?? (generatedSecret = newSecret()) };
		}
	}
	let spec = parseRule(merged);
	spec = scopeTeams(spec, actor);
	const row = await alertStore(target).updateRule(id, {
		name: spec.name,
		config: configOf(spec),
		severity: spec.severity,
		teams: spec.teams,
		perTeam: spec.perTeam,
		enabled: spec.enabled,
		webhookUrl: spec.webhook?.url ?? null,
		webhookSecret: spec.webhook?.secret ?? null,
		updatedAt: now
	});
	return { rule: toRule(row), generatedSecret };
}

/** Deletes a rule; its alerts stay (with the rule's name) as history. */
export async function deleteRule(target: Db | Storage, id: number, actor: RuleActor): Promise<Rule> {
	const current = await getRule(target, id);
	if (!current) throw new RuleError(404, 'not_found', `No alert rule ${id}`);
	if (!canEditRule(current, actor.scope))
		throw new RuleError(403, 'forbidden_team', 'This rule watches teams outside yours');
	await alertStore(target).deleteRule(id);
	return current;
}

// ------------------------------------------------------------------------------------------------ starter rules

/** A starter rule, with the version of the starter set that introduced it and the one that last changed it. */
export type StarterRule = RuleInput & { builtin: string; since: number; revised: number };

/** The version of the starter set; databases seeded by an earlier one are brought up to date at start. */
export const STARTER_RULES_VERSION = 2;

/**
 * The starter set a new database gets, so the demo raises alerts when its incident is switched on.
 * Two layers for the queues: 30-minute thresholds catch a sustained breach (at a busy hour a 30-minute service
 * level of 69.6% ± 1.3 is not yet a breach of 70%, so they ask for significance), and 5-minute "collapse" rules
 * catch an outage within a minute: levels far outside the normal range (5-minute service level of the demo runs
 * 58–87%, abandonment 2–20%), judged only with 100 calls offered and only when the whole 95% interval lies past
 * the level. Complaint spikes are judged on 5 minutes against the hour-of-week baseline, risk words on 5 minutes
 * against their usual share, both by a one-sided Poisson test at p < 0.0001 (see evaluate.ts: with under one
 * complaint or risk text expected in 5 minutes, the old 3σ limit on risk words fired about eight times a day on the
 * normal demo). Over 72 hours of the normal demo at 120 events a minute none of these four rules fired. Also a
 * CSAT anomaly, 12378 referrals, and a backlog of overdue follow-ups (5 or more in a team: one overdue case shows
 * in the queue, a backlog deserves an alert).
 */
export const STARTER_RULES: readonly StarterRule[] = [
	{
		builtin: 'default.service_level',
		since: 1,
		revised: 1,
		name: '服务水平低于70%（30分钟）· Service level below 70% (30 min)',
		kind: 'threshold',
		kpi: 'service_level',
		op: '<',
		value: 70,
		windowMinutes: 30,
		minN: 100,
		significant: true,
		severity: 'critical'
	},
	{
		builtin: 'default.service_level_collapse',
		since: 2,
		revised: 2,
		name: '服务水平骤降（5分钟低于60%）· Service level collapse (below 60%, 5 min)',
		kind: 'threshold',
		kpi: 'service_level',
		op: '<',
		value: 60,
		windowMinutes: 5,
		minN: 100,
		significant: true,
		severity: 'critical'
	},
	{
		builtin: 'default.abandonment',
		since: 1,
		revised: 1,
		name: '放弃率高于12%（30分钟）· Abandonment above 12% (30 min)',
		kind: 'threshold',
		kpi: 'abandonment_rate',
		op: '>',
		value: 12,
		windowMinutes: 30,
		minN: 100,
		significant: true,
		severity: 'warning'
	},
	{
		builtin: 'default.abandonment_surge',
		since: 2,
		revised: 2,
		name: '放弃率骤升（5分钟高于20%）· Abandonment surge (above 20%, 5 min)',
		kind: 'threshold',
		kpi: 'abandonment_rate',
		op: '>',
		value: 20,
		windowMinutes: 5,
		minN: 100,
		significant: true,
		severity: 'critical'
	},
	{
		builtin: 'default.csat_anomaly',
		since: 1,
		revised: 1,
		name: '满意度异常下降 · CSAT anomaly',
		kind: 'anomaly',
		kpi: 'csat',
		direction: 'worse',
		methods: ['ewma', 'cusum'],
		minChange: 3,
		severity: 'warning'
	},
	{
		builtin: 'default.regulator',
		since: 1,
		revised: 1,
		name: '12378监管转送投诉 · Regulator-referred complaint (12378)',
		kind: 'risk',
		signal: 'regulator',
		windowMinutes: 60,
		value: 1,
		severity: 'critical'
	},
	{
		builtin: 'default.risk_words',
		since: 1,
		revised: 2,
		name: '评论与录音中的风险词 · Risk words in comments and transcripts',
		kind: 'risk',
		signal: 'risk_words',
		windowMinutes: 5,
		value: 3,
		alpha: 0.0001,
		categories: ['risk.regulator', 'risk.media', 'risk.legal'],
		severity: 'critical',
		resolveAfterMinutes: 10
	},
	{
		builtin: 'default.complaint_spike',
		since: 1,
		revised: 2,
		name: '投诉激增（5分钟，对比同时段基线）· Complaint spike (5 min, against the usual for the hour)',
		kind: 'risk',
		signal: 'complaint_spike',
		windowMinutes: 5,
		value: 4,
		ratio: 3,
		alpha: 0.0001,
		minN: 100,
		baselineWeeks: 6,
		severity: 'warning'
	},
	{
		builtin: 'default.case_sla',
		since: 1,
		revised: 1,
		name: '回访积压超时 · Follow-ups past their SLA piling up',
		kind: 'risk',
		signal: 'case_sla',
		value: 5,
		perTeam: true,
		severity: 'warning'
	}
];

const SEEDED_KEY = 'starter_rules_seeded';
const VERSION_KEY = 'starter_rules_version';

/**
 * Seeds the starter rules once per database (an admin who deletes them keeps them deleted) and brings a set
 * seeded by an earlier version up to date: rules new since then are added, and revised rules that nobody has
 * changed since they were seeded take the new settings (a rule an admin edited stays as the admin left it).
 * Returns how many rules were created or revised.
 */
export async function ensureStarterRules(target: Db | Storage, now = Date.now()): Promise<number> {
	return alertStore(target).starterRules(
		now,
		SEEDED_KEY,
		VERSION_KEY,
		STARTER_RULES_VERSION,
		(version, existing) => {
			const plan: StarterPlan = { create: [], update: [] };
			const byBuiltin = new Map(existing.map((r) => [r.builtin as string, r]));
			for (const { builtin, since, revised, ...input } of STARTER_RULES) {
				const row = byBuiltin.get(builtin);
				if (!row) {
					if (since > version) plan.create.push(newRuleRow(input, null, now, builtin).values);
				} else if (revised > version && row.updatedAt === row.createdAt) {
					const spec = parseRule({ ...input, webhook: null });
					// The timestamps stay: updatedAt = createdAt marks a rule nobody has edited, for the next revision too.
					plan.update.push({
						id: row.id,
						set: { name: spec.name, config: configOf(spec), severity: spec.severity }
					});
				}
			}
			return plan;
		}
	);
}

export type { AlertSeverity };
