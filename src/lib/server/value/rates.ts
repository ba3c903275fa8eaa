import { z } from 'zod';
import { CHANNELS, type Channel } from '$lib/model';

/**
 * Unit costs and values of the value ledger (DOMAIN.md "Cost and value ledger"), in yuan, as
 * `PUT /api/v1/value/settings` takes them (DESIGN.md): cost per agent minute by channel, per IVR and bot session,
 * per outbound call; value per conversion and per retained customer.
 */
export interface Rates {
	agentMinute: Record<Channel, number>;
	ivrSession: number;
	botSession: number;
	outboundCall: number;
	valuePerConversion: number;
	valuePerRetainedCustomer: number;
}

/**
 * Believable defaults for a Chinese bank's service center (used until an admin sets rates): an agent minute costs
 * more in video and at the branch than on the phone or in chat (an agent serves several chats at once); a minute on a
 * self-service channel only arises when an agent picks up a hand-over there.
 */
export const DEFAULT_RATES: Rates = {
	agentMinute: { phone: 3, ivr: 3, chat: 2, bot: 2, app: 2, wechat: 2, video: 4, branch: 4 },
	ivrSession: 0.3,
	botSession: 0.1,
	outboundCall: 5,
	valuePerConversion: 300,
	valuePerRetainedCustomer: 1200
};

/** The day a version applies from: YYYY-MM-DD, China time. */
export const EFFECTIVE_DATE = /^\d{4}-\d{2}-\d{2}$/;

const yuan = z.number({ message: 'must be a number (yuan)' }).finite().min(0, 'must be 0 or more').max(1e7);

/** The body of PUT /api/v1/value/settings: the rates, and optionally the day they apply from (today by default). */
export const settingsBody = z.strictObject({
	agentMinute: z.partialRecord(z.enum(CHANNELS), yuan),
	ivrSession: yuan,
	botSession: yuan,
	outboundCall: yuan,
	valuePerConversion: yuan,
	valuePerRetainedCustomer: yuan,
	effectiveFrom: z
		.string()
		.regex(EFFECTIVE_DATE, 'must be a date, YYYY-MM-DD')
		.refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00+08:00`)), 'must be a real date')
		.optional()
});
export type SettingsBody = z.infer<typeof settingsBody>;

/** A validation problem, naming its field (`agentMinute.phone`, `effectiveFrom`, …). */
export class ValueSettingsError extends Error {
	constructor(
		readonly field: string,
		message: string
	) {
		super(`${field}: ${message}`);
	}
}

/** Parses a body, or throws ValueSettingsError naming the first field at fault. */
export function parseSettings(body: unknown): { rates: Rates; effectiveFrom: string | undefined } {
	const parsed = settingsBody.safeParse(body);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const field =
			issue.code === 'unrecognized_keys'
				? [...issue.path, issue.keys[0]].join('.')
				: issue.path.join('.') || '(body)';
		throw new ValueSettingsError(field, issue.message);
	}
	const { effectiveFrom, agentMinute, ...rest } = parsed.data;
	return { rates: { ...rest, agentMinute: completeAgentMinute(agentMinute) }, effectiveFrom };
}

/** Channels left out cost what the default says (a stored version always names every channel). */
function completeAgentMinute(partial: Partial<Record<Channel, number>>): Record<Channel, number> {
	return Object.fromEntries(CHANNELS.map((c) => [c, partial[c] ?? DEFAULT_RATES.agentMinute[c]])) as Record<
		Channel,
		number
	>;
}

/** Stored JSON back to rates (fields added later fall back to the defaults). */
export function ratesOf(stored: Record<string, unknown>): Rates {
	const s = stored as Partial<Rates>;
	const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
	return {
		agentMinute: completeAgentMinute((s.agentMinute ?? {}) as Partial<Record<Channel, number>>),
		ivrSession: num(s.ivrSession, DEFAULT_RATES.ivrSession),
		botSession: num(s.botSession, DEFAULT_RATES.botSession),
		outboundCall: num(s.outboundCall, DEFAULT_RATES.outboundCall),
		valuePerConversion: num(s.valuePerConversion, DEFAULT_RATES.valuePerConversion),
		valuePerRetainedCustomer: num(s.valuePerRetainedCustomer, DEFAULT_RATES.valuePerRetainedCustomer)
	};
}
