/**
 * The event model of DESIGN.md, shared by server and browser: the vocabulary every other module speaks.
 * Values are stored in English; labels for display live in the message files.
 */

export const EVENT_TYPES = ['journey', 'contact', 'feedback', 'complaint', 'identify'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const CHANNELS = ['phone', 'ivr', 'chat', 'bot', 'app', 'wechat', 'video', 'branch'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels where a person of the bank talks to the customer. */
export const ASSISTED_CHANNELS: readonly Channel[] = ['phone', 'chat', 'video', 'branch'];
/** Digital self-service channels: a switch from one of these to an assisted channel is failure demand. */
export const DIGITAL_CHANNELS: readonly Channel[] = ['app', 'wechat', 'bot', 'ivr'];

export const SEGMENTS = ['mass', 'affluent', 'private'] as const;
export type Segment = (typeof SEGMENTS)[number];

export const HANDLERS = ['agent', 'bot', 'ivr'] as const;
export type Handler = (typeof HANDLERS)[number];

export const OUTCOMES = ['resolved', 'unresolved', 'transferred', 'abandoned'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const FEEDBACK_METRICS = ['nps', 'csat', 'ces'] as const;
export type FeedbackMetric = (typeof FEEDBACK_METRICS)[number];

/** Valid score range per survey metric (inclusive). */
export const SCORE_RANGE: Record<FeedbackMetric, readonly [number, number]> = {
	nps: [0, 10],
	csat: [1, 5],
	ces: [1, 7]
};

/**
 * DOMAIN.md "Sentiment": one threshold everywhere (the KPI, /voice, topics, exports, the wallboard). A score (−1…1)
 * above +0.25 is positive, below −0.25 negative, else neutral, so a lukewarm comment (还行, 还可以, 一般般) or an
 * evenly mixed one stays neutral. Chosen on the demo generator's comments (LEXICON.md); the held-out accuracy is the
 * same anywhere from ±0.05 to ±0.3.
 */
export const SENTIMENT_BAND = 0.25;
export type SentimentClass = 'positive' | 'negative' | 'neutral';

export function sentimentClass(score: number): SentimentClass {
	return score > SENTIMENT_BAND ? 'positive' : score < -SENTIMENT_BAND ? 'negative' : 'neutral';
}

export const COMPLAINT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type ComplaintSeverity = (typeof COMPLAINT_SEVERITIES)[number];

/** Customer traits carried by `identify` events. */
export interface CustomerTraits {
	segment?: Segment;
	tier?: string;
	region?: string;
	[trait: string]: unknown;
}

/**
 * One normalized event, as the ingestion pipeline hands it to the writer.
 * Fields that do not apply to the event's type are left undefined.
 */
export interface CxEvent {
	/** The client's unique id (Segment messageId, PostHog uuid, native id). */
	id: string;
	type: EventType;
	/** When it happened, epoch milliseconds. */
	ts: number;
	/** Pseudonymous customer id. */
	customerId: string;
	channel?: Channel;
	/** journey: the step's event name, e.g. `loss_reported`. */
	name?: string;
	/** journey/feedback: the journey key this event belongs to, when the client knows it. */
	journey?: string;
	handledBy?: Handler;
	queue?: string;
	agentId?: string;
	teamId?: string;
	reason?: string;
	waitS?: number;
	handleS?: number;
	outcome?: Outcome;
	metric?: FeedbackMetric;
	score?: number;
	/** Free text: a feedback comment or a contact transcript (PII-redacted before it is stored). */
	text?: string;
	contactId?: string;
	category?: string;
	severity?: ComplaintSeverity;
	regulator?: boolean;
	traits?: CustomerTraits;
	properties: Record<string, unknown>;
}

/**
 * The fields every stored event has, as screens read them back (a drill-down record, a customer's timeline):
 * null where a field does not apply to the event's type. Values stay plain strings, as stored.
 */
export interface EventFields {
	type: string;
	channel: string | null;
	name: string | null;
	journey: string | null;
	handledBy: string | null;
	queue: string | null;
	teamId: string | null;
	agentId: string | null;
	reason: string | null;
	waitS: number | null;
	handleS: number | null;
	outcome: string | null;
	metric: string | null;
	score: number | null;
	text: string | null;
	category: string | null;
	severity: string | null;
	regulator: boolean | null;
}
