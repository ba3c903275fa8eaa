import { z } from 'zod';

/**
 * Journey definitions: ordered steps keyed by the step event names of DOMAIN.md, alternatives at a step
 * (approved | declined), success and failure ends and a time window. Pure data and pure functions; storage is in
 * `registry.ts`.
 */

/** Step event names end up in path keys (`|channel:event|`), so the separators are not allowed in them. */
const eventName = z
	.string()
	.trim()
	.min(1)
	.max(100)
	.regex(/^[^|>,:;=[\]\n\r/]+$/, 'may not contain | > , : ; = [ ] / or line breaks');

export const JOURNEY_KEY_PATTERN = /^[a-z][a-z0-9_]{1,47}$/;
/** Keys that would collide with static routes under /journeys. */
const RESERVED_KEYS = new Set(['admin', 'new']);

const label = z.object({ zh: z.string().trim().min(1).max(100), en: z.string().trim().min(1).max(100) });

export const journeyStepSchema = z.object({
	/** The step's event names; more than one when the journey branches here (approved | declined). */
	events: z.array(eventName).min(1).max(8),
	/** Customers may skip it (password reset's fallback only follows a failed face check). */
	optional: z.boolean().optional()
});

export const endConditionSchema = z.object({
	event: eventName,
	/** Only when the event carries this property value (credit_decided with decision = declined). */
	property: z.object({ key: z.string().trim().min(1).max(100), value: z.string().max(200) }).optional()
});

export const journeyDefinitionSchema = z
	.object({
		key: z
			.string()
			.regex(JOURNEY_KEY_PATTERN, 'lower-case letters, digits and _, starting with a letter (2–48)')
			.refine((k) => !RESERVED_KEYS.has(k), 'is reserved'),
		name: label,
		steps: z.array(journeyStepSchema).min(2).max(24),
		/** Labels of the step event names, for screens. */
		labels: z.record(z.string(), label).default({}),
		success: z.array(endConditionSchema).min(1).max(16),
		failure: z.array(endConditionSchema).max(16).default([]),
		/** A journey not ended this long after its start is abandoned; later events start afresh. */
		windowHours: z
			.number()
			.positive()
			.max(24 * 366),
		enabled: z.boolean().default(true)
	})
	.superRefine((d, ctx) => {
		const seen = new Set<string>();
		d.steps.forEach((step, i) =>
			step.events.forEach((e, j) => {
				if (seen.has(e))
					ctx.addIssue({ code: 'custom', path: ['steps', i, 'events', j], message: `${e} is used twice` });
				seen.add(e);
			})
		);
		if (d.steps[0]?.optional)
			ctx.addIssue({ code: 'custom', path: ['steps', 0], message: 'cannot be optional' });
		for (const [field, ends] of [
			['success', d.success],
			['failure', d.failure]
		] as const)
			ends.forEach((end, i) => {
				if (!seen.has(end.event))
					ctx.addIssue({
						code: 'custom',
						path: [field, i, 'event'],
						message: `${end.event} is not a step event`
					});
			});
	});

export type JourneyStepDefinition = z.infer<typeof journeyStepSchema>;
export type EndCondition = z.infer<typeof endConditionSchema>;
export type JourneyDefinition = z.output<typeof journeyDefinitionSchema>;
export type JourneyDefinitionInput = z.input<typeof journeyDefinitionSchema>;

/** A step's key: its event names joined by `|`, as DOMAIN.md writes alternatives. */
export function stepKey(step: JourneyStepDefinition): string {
	return step.events.join('|');
}

const D = 24;
const L = (zh: string, en: string) => ({ zh, en });
const steps = (...names: (string | string[])[]): JourneyStepDefinition[] =>
	names.map((n) => ({ events: Array.isArray(n) ? n : [n] }));

/** The eight journeys of DOMAIN.md, keyed as the demo generator keys them (feedback carries these keys). */
export const DEFAULT_JOURNEYS: readonly JourneyDefinition[] = [
	{
		key: 'card_acquisition',
		name: L('信用卡申请', 'Credit card acquisition'),
		steps: steps(
			'card_app_started',
			'card_app_submitted',
			'id_face_verified',
			'credit_decided',
			'card_mailed',
			'card_activated',
			'first_txn'
		),
		labels: {
			card_app_started: L('开始申请', 'Application started'),
			card_app_submitted: L('提交申请', 'Application submitted'),
			id_face_verified: L('视频面签', 'Identity verified on video'),
			credit_decided: L('审批决定', 'Credit decision'),
			card_mailed: L('卡片寄出', 'Card mailed'),
			card_activated: L('卡片激活', 'Card activated'),
			first_txn: L('首笔交易', 'First transaction')
		},
		success: [{ event: 'first_txn' }],
		failure: [{ event: 'credit_decided', property: { key: 'decision', value: 'declined' } }],
		windowHours: 45 * D,
		enabled: true
	},
	{
		key: 'lost_card',
		name: L('挂失补卡', 'Lost card'),
		steps: steps(
			'loss_reported',
			'card_blocked',
			'identity_verified',
			'reissue_requested',
			'new_card_mailed',
			'new_card_activated'
		),
		labels: {
			loss_reported: L('挂失', 'Loss reported'),
			card_blocked: L('卡片冻结', 'Card blocked'),
			identity_verified: L('身份核验', 'Identity verified'),
			reissue_requested: L('申请补卡', 'Reissue requested'),
			new_card_mailed: L('新卡寄出', 'New card mailed'),
			new_card_activated: L('新卡激活', 'New card activated')
		},
		success: [{ event: 'new_card_activated' }],
		failure: [],
		windowHours: 21 * D,
		enabled: true
	},
	{
		key: 'fraud_dispute',
		name: L('盗刷争议', 'Fraud and dispute'),
		steps: steps(
			'fraud_alert_sms',
			'call_agent',
			'card_frozen',
			'police_report_uploaded',
			'dispute_filed',
			'investigation',
			['dispute_resolved', 'complaint_opened']
		),
		labels: {
			fraud_alert_sms: L('风险交易短信提醒', 'Fraud alert sent'),
			call_agent: L('致电人工', 'Called an agent'),
			card_frozen: L('卡片止付', 'Card frozen'),
			police_report_uploaded: L('上传报案回执', 'Police report uploaded'),
			dispute_filed: L('提交争议申请', 'Dispute filed'),
			investigation: L('调查处理', 'Investigation'),
			dispute_resolved: L('争议解决', 'Dispute resolved'),
			complaint_opened: L('转为投诉', 'Complaint opened')
		},
		success: [{ event: 'dispute_resolved' }],
		failure: [{ event: 'complaint_opened' }],
		windowHours: 60 * D,
		enabled: true
	},
	{
		key: 'personal_loan',
		name: L('个人贷款', 'Personal loan'),
		steps: steps(
			'loan_inquiry',
			'loan_app_submitted',
			'docs_uploaded',
			'credit_checked',
			['approved', 'declined'],
			'contract_esigned',
			'disbursed'
		),
		labels: {
			loan_inquiry: L('贷款咨询', 'Loan inquiry'),
			loan_app_submitted: L('提交贷款申请', 'Application submitted'),
			docs_uploaded: L('上传资料', 'Documents uploaded'),
			credit_checked: L('征信审核', 'Credit checked'),
			approved: L('审批通过', 'Approved'),
			declined: L('审批拒绝', 'Declined'),
			contract_esigned: L('电子签约', 'Contract e-signed'),
			disbursed: L('放款', 'Disbursed')
		},
		success: [{ event: 'disbursed' }],
		failure: [{ event: 'declined' }],
		windowHours: 30 * D,
		enabled: true
	},
	{
		key: 'remote_account_opening',
		name: L('远程开户', 'Remote account opening'),
		steps: steps(
			'open_started',
			'id_ocr',
			'face_liveness',
			'video_witness',
			'account_opened',
			'first_deposit'
		),
		labels: {
			open_started: L('开始开户', 'Opening started'),
			id_ocr: L('证件识别', 'ID document scanned'),
			face_liveness: L('活体检测', 'Liveness check'),
			video_witness: L('视频见证', 'Video witness'),
			account_opened: L('开户成功', 'Account opened'),
			first_deposit: L('首笔入金', 'First deposit')
		},
		success: [{ event: 'first_deposit' }],
		failure: [],
		windowHours: 21 * D,
		enabled: true
	},
	{
		key: 'password_reset',
		name: L('密码重置', 'Password reset'),
		steps: [
			{ events: ['reset_requested'] },
			{ events: ['sms_face_check'] },
			{ events: ['fallback_video_agent', 'branch_referral'], optional: true },
			{ events: ['reset_done'] }
		],
		labels: {
			reset_requested: L('申请重置', 'Reset requested'),
			sms_face_check: L('短信及人脸验证', 'SMS and face check'),
			fallback_video_agent: L('转视频坐席核验', 'Fallback to a video agent'),
			branch_referral: L('引导至网点办理', 'Referred to a branch'),
			reset_done: L('重置完成', 'Reset done')
		},
		success: [{ event: 'reset_done' }],
		failure: [],
		windowHours: 10 * D,
		enabled: true
	},
	{
		key: 'complaint',
		name: L('投诉处理', 'Complaint'),
		steps: steps(
			'complaint_received',
			'ticket_registered',
			'acknowledged',
			'investigated',
			'resolution_proposed',
			'callback',
			'closed'
		),
		labels: {
			complaint_received: L('受理投诉', 'Complaint received'),
			ticket_registered: L('工单登记', 'Ticket registered'),
			acknowledged: L('首次回复', 'Acknowledged'),
			investigated: L('调查核实', 'Investigated'),
			resolution_proposed: L('提出解决方案', 'Resolution proposed'),
			callback: L('回访', 'Callback'),
			closed: L('结案', 'Closed')
		},
		success: [{ event: 'closed' }],
		failure: [],
		windowHours: 30 * D,
		enabled: true
	},
	{
		key: 'wealth_product',
		name: L('理财购买', 'Wealth product'),
		steps: steps(
			'wm_inquiry',
			'risk_assessed',
			'product_matched',
			'outbound_call',
			'double_recorded',
			'purchase_confirmed',
			'post_sale_visit'
		),
		labels: {
			wm_inquiry: L('理财咨询', 'Wealth inquiry'),
			risk_assessed: L('风险测评', 'Risk assessed'),
			product_matched: L('产品匹配', 'Product matched'),
			outbound_call: L('理财经理外呼', 'Outbound call'),
			double_recorded: L('双录', 'Dual recording (双录)'),
			purchase_confirmed: L('确认购买', 'Purchase confirmed'),
			post_sale_visit: L('售后回访', 'Post-sale visit')
		},
		success: [{ event: 'post_sale_visit' }],
		failure: [],
		windowHours: 45 * D,
		enabled: true
	}
];

/** Where one incoming event name lands in a journey. */
export interface StepMatch {
	step: number;
	/** Which alternative of the step (index into its events). */
	alt: number;
	/** The step event name it stands for (itself, or the target of an admin mapping). */
	canonical: string;
}

/** A definition prepared for the hot path: lookups by incoming event name. */
export interface CompiledJourney {
	key: string;
	version: number;
	definition: JourneyDefinition;
	windowMs: number;
	stepKeys: string[];
	optional: boolean[];
	/** Incoming event name (canonical or mapped) → step. */
	byName: Map<string, StepMatch>;
	/** Every incoming event name of the journey (for `name IN (…)` reads). */
	names: string[];
	/** Success (1) or failure (-1) end reached by this event, 0 otherwise. */
	endOf(canonical: string, properties: () => Record<string, unknown>): 1 | -1 | 0;
}

function conditionMatches(c: EndCondition, canonical: string, properties: () => Record<string, unknown>) {
	if (c.event !== canonical) return false;
	if (!c.property) return true;
	const value = properties()[c.property.key];
	return value !== undefined && value !== null && String(value) === c.property.value;
}

/** Prepares a definition and the admin's name mappings (incoming name → step event) for stitching. */
export function compileJourney(
	definition: JourneyDefinition,
	mappings: readonly { eventName: string; stepEvent: string }[] = [],
	version = 1
): CompiledJourney {
	const byName = new Map<string, StepMatch>();
	definition.steps.forEach((step, i) =>
		step.events.forEach((e, alt) => byName.set(e, { step: i, alt, canonical: e }))
	);
	for (const m of mappings) {
		const target = byName.get(m.stepEvent);
		if (target && !byName.has(m.eventName)) byName.set(m.eventName, { ...target, canonical: m.stepEvent });
	}
	const hasPropertyEnds = [...definition.success, ...definition.failure].some((c) => c.property);
	const endEvents = new Set([...definition.success, ...definition.failure].map((c) => c.event));
	return {
		key: definition.key,
		version,
		definition,
		windowMs: definition.windowHours * 3_600_000,
		stepKeys: definition.steps.map(stepKey),
		optional: definition.steps.map((s) => s.optional === true),
		byName,
		names: [...byName.keys()],
		endOf(canonical, properties) {
			if (!endEvents.has(canonical)) return 0;
			const props = hasPropertyEnds ? properties : () => ({});
			// A failure condition with a property is more specific than a plain success on the same event.
			if (definition.failure.some((c) => conditionMatches(c, canonical, props))) return -1;
			if (definition.success.some((c) => conditionMatches(c, canonical, props))) return 1;
			return 0;
		}
	};
}

/** The label of an event name in a language (the name itself when the definition has none). */
export function eventLabel(definition: JourneyDefinition, name: string, locale: 'zh' | 'en'): string {
	return definition.labels[name]?.[locale] ?? name;
}

/**
 * The text form of the steps on the admin screen: one step per line, alternatives separated by `|`, a leading
 * `?` for an optional step. Returns the steps or the line numbers that do not parse.
 */
export function parseStepLines(text: string): JourneyStepDefinition[] {
	return text
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter(Boolean)
		.map((line) => {
			const optional = line.startsWith('?');
			const events = (optional ? line.slice(1) : line)
				.split('|')
				.map((e) => e.trim())
				.filter(Boolean);
			return optional ? { events, optional } : { events };
		});
}

export function formatStepLines(steps: readonly JourneyStepDefinition[]): string {
	return steps.map((s) => `${s.optional ? '?' : ''}${s.events.join(' | ')}`).join('\n');
}

/** End conditions as text: `event` or `event[key=value]`, comma- or line-separated. */
export function parseEndConditions(text: string): EndCondition[] {
	return text
		.split(/[,\n]/)
		.map((part) => part.trim())
		.filter(Boolean)
		.map((part) => {
			const m = /^(.+?)\s*\[\s*([^=\]]+?)\s*=\s*([^\]]*?)\s*\]$/.exec(part);
			return m ? { event: m[1], property: { key: m[2], value: m[3] } } : { event: part };
		});
}

export function formatEndConditions(ends: readonly EndCondition[]): string {
	return ends
		.map((c) => (c.property ? `${c.event}[${c.property.key}=${c.property.value}]` : c.event))
		.join(', ');
}

/** Labels as text: one `event = 中文 / English` a line. */
export function parseLabelLines(text: string): Record<string, { zh: string; en: string }> {
	const out: Record<string, { zh: string; en: string }> = {};
	for (const line of text.split(/\r?\n/)) {
		const m = /^\s*([^=]+?)\s*=\s*(.+?)\s*\/\s*(.+?)\s*$/.exec(line);
		if (m) out[m[1]] = { zh: m[2], en: m[3] };
	}
	return out;
}

export function formatLabelLines(labels: Record<string, { zh: string; en: string }>): string {
	return Object.entries(labels)
		.map(([event, l]) => `${event} = ${l.zh} / ${l.en}`)
		.join('\n');
}

/** A definition as the admin form's fields. */
export function definitionForm(d: JourneyDefinition) {
	return {
		key: d.key,
		nameZh: d.name.zh,
		nameEn: d.name.en,
		steps: formatStepLines(d.steps),
		success: formatEndConditions(d.success),
		failure: formatEndConditions(d.failure),
		labels: formatLabelLines(d.labels),
		windowDays: String(Math.round((d.windowHours / 24) * 100) / 100),
		enabled: d.enabled
	};
}
