import {
	CHAIN_GAP_MS,
	CHAIN_KEY_WINDOW_MS,
	COMPLAINT_ATTRIBUTION_MS,
	FCR_WINDOW_MS,
	LINK_WINDOW_MS,
	REPEAT_WINDOW_MS
} from './measures';

/**
 * Cross-event facts, computed from one customer's events alone (pure). The rollup code recomputes them for the
 * customer's contacts within ±7 days of every arriving contact, so a repeat contact that arrives late or out of
 * order still flips the earlier contact's flags (and moves its contribution between cells).
 */

export interface ContactFacts {
	seq: number;
	ts: number;
	reason: string | null;
	/** false for short abandons: they are neither repeats nor repeated. */
	counted: boolean;
}

export interface ContactFlags {
	firstContact: boolean | null;
	repeatSameReason7d: boolean | null;
	repeat48h: boolean | null;
}

export const NO_FLAGS: ContactFlags = Object.freeze({
	firstContact: null,
	repeatSameReason7d: null,
	repeat48h: null
});

/** Order of events "in time": (ts, seq), so equal timestamps are ordered by arrival, deterministically. */
export function byTime(a: { ts: number; seq: number }, b: { ts: number; seq: number }): number {
	return a.ts - b.ts || a.seq - b.seq;
}

/**
 * The counted ones of `items` in time order (byTime). A few (a reconcile's two or three contacts of a customer) by
 * insertion: Array.prototype.sort's work array was most of what flag computing allocated. byTime is a total order
 * (seqs are unique), so either way gives the same order.
 */
function countedByTime<T extends { ts: number; seq: number; counted: boolean }>(items: readonly T[]): T[] {
	if (items.length > 16) return items.filter((c) => c.counted).sort(byTime);
	const sorted: T[] = [];
	for (const item of items) {
		if (!item.counted) continue;
		let i = sorted.length;
		while (i > 0 && byTime(sorted[i - 1], item) > 0) i--;
		sorted.splice(i, 0, item);
	}
	return sorted;
}

/**
 * Flags of every contact in `contacts` (one customer's; any order). Exact for a contact when all the customer's
 * contacts within 7 days of it are in the list.
 * - repeat48h: another counted contact follows within 48 h (inclusive);
 * - firstContact (needs a reason): no counted contact with the same reason in the 7 days before (inclusive);
 * - repeatSameReason7d (needs a reason): a counted contact with the same reason follows within 7 days (inclusive).
 */
export function computeContactFlags(contacts: readonly ContactFacts[]): Map<number, ContactFlags> {
	const sorted = countedByTime(contacts);
	const flags = new Map<number, ContactFlags>();
	for (const c of contacts) if (!c.counted) flags.set(c.seq, NO_FLAGS);
	const lastByReason = new Map<string, number>();
	const first: boolean[] = [];
	for (const c of sorted) {
		if (c.reason === null) first.push(false);
		else {
			const previous = lastByReason.get(c.reason);
			first.push(previous === undefined || c.ts - previous > FCR_WINDOW_MS);
			lastByReason.set(c.reason, c.ts);
		}
	}
	const nextByReason = new Map<string, number>();
	for (let i = sorted.length - 1; i >= 0; i--) {
		const c = sorted[i];
		const next = sorted[i + 1];
		const repeat48h = next !== undefined && next.ts - c.ts <= REPEAT_WINDOW_MS;
		let firstContact: boolean | null = null;
		let repeatSameReason7d: boolean | null = null;
		if (c.reason !== null) {
			const nextSame = nextByReason.get(c.reason);
			firstContact = first[i];
			repeatSameReason7d = nextSame !== undefined && nextSame - c.ts <= FCR_WINDOW_MS;
			nextByReason.set(c.reason, c.ts);
		}
		flags.set(c.seq, { firstContact, repeatSameReason7d, repeat48h });
	}
	return flags;
}

/**
 * The flags of a contact with no other counted contact within 7 days: what `computeContactFlags` gives it alone.
 * The writer stores new contacts with these, so reconciling rewrites only the rows whose flags then differ (a repeat
 * among new or stored contacts), not every new contact.
 */
export function aloneFlags(contact: Pick<ContactFacts, 'reason' | 'counted'>): ContactFlags {
	if (!contact.counted) return NO_FLAGS;
	const reason = contact.reason !== null;
	return { firstContact: reason ? true : null, repeatSameReason7d: reason ? false : null, repeat48h: false };
}

export function sameFlags(a: ContactFlags, b: ContactFlags): boolean {
	return (
		a.firstContact === b.firstContact &&
		a.repeatSameReason7d === b.repeatSameReason7d &&
		a.repeat48h === b.repeat48h
	);
}

/**
 * The contact a survey answer names: same customer (the caller passes that customer's contacts), client id equal
 * to the answer's contactId, within 7 days either side; the earliest stored (lowest seq) when several match.
 */
export function linkedContact(
	feedback: { ts: number; contactId: string | null },
	contacts: readonly { seq: number; ts: number; id: string }[]
): number | null {
	if (!feedback.contactId) return null;
	let best: number | null = null;
	for (const c of contacts)
		if (
			c.id === feedback.contactId &&
			Math.abs(c.ts - feedback.ts) <= LINK_WINDOW_MS &&
			(best === null || c.seq < best)
		)
			best = c.seq;
	return best;
}

/** One leg (contact event) of a customer, as chain building reads it. */
export interface LegFacts extends ContactFacts {
	handledBy: string | null;
	outcome: string | null;
	team: string | null;
	agent: string | null;
	/** The leg's own id and the ids it shares with other legs (contactId, parentContactId, conversationId). */
	keys: readonly string[];
}

/** Flags stored on a leg: the chain's flags on its last leg (null on the others), and the leg's own. */
export interface LegFlags extends ContactFlags {
	chainLast: boolean | null;
	chainSelfService: boolean | null;
	transferredToAgent: boolean | null;
}

export const NO_LEG_FLAGS: LegFlags = Object.freeze({
	...NO_FLAGS,
	chainLast: null,
	chainSelfService: null,
	transferredToAgent: null
});

const selfService = (handledBy: string | null) => handledBy === 'ivr' || handledBy === 'bot';

/**
 * Contact chains of one customer's legs (DOMAIN.md "Contact chain"), as lists of legs in time order. A leg joins
 * the chain of a leg it shares an id with (its own id, contactId, parentContactId or conversationId; within 24 h),
 * else the chain of the leg just before it when that leg was a transfer or an IVR/bot leg followed by an agent
 * leg, within 30 minutes; otherwise it starts a chain. Uncounted legs (short abandons) belong to none.
 */
export function buildChains<L extends LegFacts>(legs: readonly L[]): L[][] {
	const sorted = countedByTime(legs);
	const chains: L[][] = [];
	const byKey = new Map<string, number>();
	let previous: { leg: L; chain: number } | null = null;
	for (const leg of sorted) {
		let chain: number | undefined;
		for (const key of leg.keys) {
			const found = byKey.get(key);
			if (found === undefined) continue;
			const last = chains[found][chains[found].length - 1];
			if (leg.ts - last.ts <= CHAIN_KEY_WINDOW_MS) {
				chain = found;
				break;
			}
		}
		if (
			chain === undefined &&
			previous !== null &&
			leg.ts - previous.leg.ts <= CHAIN_GAP_MS &&
			(previous.leg.outcome === 'transferred' ||
				(selfService(previous.leg.handledBy) && leg.handledBy === 'agent'))
		)
			chain = previous.chain;
		if (chain === undefined) chains.push([leg]);
		else chains[chain].push(leg);
		const at: number = chain ?? chains.length - 1;
		for (const key of leg.keys) byKey.set(key, at);
		previous = { leg, chain: at };
	}
	return chains;
}

/** The reason a chain is judged by (FCR): its last leg's, else the latest reason any of its legs gave. */
function chainReason(chain: readonly LegFacts[]): string | null {
	for (let i = chain.length - 1; i >= 0; i--) if (chain[i].reason !== null) return chain[i].reason;
	return null;
}

/**
 * Flags of every leg in `legs` (one customer's; any order): chains are built, then FCR and repeat contact are
 * judged per chain at its last leg's time (computeContactFlags over chains). An agent leg's transfer counts
 * (transfer rate) unless the next leg of its chain shows it went back to the IVR/bot or to the same agent and team;
 * with no next leg received the source's word stands. Exact for a leg when all the customer's legs within 8 days of it are in the list.
 */
export function computeLegFlags(legs: readonly LegFacts[]): Map<number, LegFlags> {
	const out = new Map<number, LegFlags>();
	// One leg (a survey answer's customer with its one contact, say: most reconciles): a chain of its own, the flags
	// it has alone, without building chains.
	if (legs.length === 1) {
		const [l] = legs;
		return out.set(l.seq, aloneLegFlagsOf(l.reason, l.counted, l.handledBy, l.outcome));
	}
	for (const l of legs) if (!l.counted) out.set(l.seq, NO_LEG_FLAGS);
	const chains = buildChains(legs);
	const chainFlags = computeContactFlags(
		chains.map((c) => {
			const last = c[c.length - 1];
			return { seq: last.seq, ts: last.ts, reason: chainReason(c), counted: true };
		})
	);
	for (const chain of chains) {
		const last = chain[chain.length - 1];
		const own = chainFlags.get(last.seq) as ContactFlags;
		const allSelf = chain.every((l) => selfService(l.handledBy));
		chain.forEach((leg, i) => {
			const next = chain[i + 1];
			const transferredToAgent =
				leg.handledBy === 'agent' && leg.outcome === 'transferred'
					? next === undefined ||
						(next.handledBy === 'agent' && (next.agent !== leg.agent || next.team !== leg.team))
					: null;
			// Literals, not spreads (spreading then adding properties is V8's slow path).
			out.set(
				leg.seq,
				next === undefined
					? {
							firstContact: own.firstContact,
							repeatSameReason7d: own.repeatSameReason7d,
							repeat48h: own.repeat48h,
							chainLast: true,
							chainSelfService: allSelf,
							transferredToAgent
						}
					: {
							firstContact: null,
							repeatSameReason7d: null,
							repeat48h: null,
							chainLast: false,
							chainSelfService: null,
							transferredToAgent
						}
			);
		});
	}
	return out;
}

/** A leg's flags when it is alone (what the writer stores first; reconciling corrects the few that differ). */
export function aloneLegFlags(leg: Pick<LegFacts, 'reason' | 'counted' | 'handledBy' | 'outcome'>): LegFlags {
	return aloneLegFlagsOf(leg.reason, leg.counted, leg.handledBy, leg.outcome);
}

/**
 * The flags a leg alone can have, by `aloneIndex`: the writer asks for them two or three times per contact, and
 * shared frozen objects spare it allocating them (flags are never changed in place).
 */
const ALONE_LEG_FLAGS: LegFlags[] = [];

/** A counted leg's place in ALONE_LEG_FLAGS: what its alone flags depend on. */
const aloneIndex = (reason: string | null, handledBy: string | null, outcome: string | null) =>
	(reason !== null ? 1 : 0) +
	(selfService(handledBy) ? 2 : handledBy === 'agent' && outcome === 'transferred' ? 4 : 0);

/** `aloneLegFlags` of a leg given field by field (no argument object on the writer's hot path). */
export function aloneLegFlagsOf(
	reason: string | null,
	counted: boolean,
	handledBy: string | null,
	outcome: string | null
): LegFlags {
	if (!counted) return NO_LEG_FLAGS;
	const i = aloneIndex(reason, handledBy, outcome);
	const known = ALONE_LEG_FLAGS[i];
	if (known) return known;
	const alone = aloneFlags({ reason, counted });
	// One literal: spreading then adding properties is V8's slow path (see metrics/rollups.ts insertedFact).
	return (ALONE_LEG_FLAGS[i] = Object.freeze({
		firstContact: alone.firstContact,
		repeatSameReason7d: alone.repeatSameReason7d,
		repeat48h: alone.repeat48h,
		chainLast: true,
		chainSelfService: selfService(handledBy),
		transferredToAgent: handledBy === 'agent' && outcome === 'transferred' ? true : null
	}));
}

export function sameLegFlags(a: LegFlags, b: LegFlags): boolean {
	return (
		sameFlags(a, b) &&
		a.chainLast === b.chainLast &&
		a.chainSelfService === b.chainSelfService &&
		a.transferredToAgent === b.transferredToAgent
	);
}

/**
 * The contact a complaint belongs to (DOMAIN.md "Complaint attribution"): the leg it names (contactId, as survey
 * answers link), else the last leg of the customer's last chain ending within the 7 days before it; null when
 * neither exists (unattributed). `legs` are the customer's legs with their flags as now computed.
 */
export function attributedContact(
	complaint: { ts: number; contactId: string | null },
	legs: readonly { seq: number; ts: number; id: string; chainLast: boolean | null }[]
): number | null {
	const named = linkedContact(complaint, legs);
	if (named !== null) return named;
	let best: { seq: number; ts: number } | null = null;
	for (const l of legs)
		if (
			l.chainLast &&
			l.ts <= complaint.ts &&
			complaint.ts - l.ts <= COMPLAINT_ATTRIBUTION_MS &&
			(best === null || byTime(l, best) > 0)
		)
			best = l;
	return best?.seq ?? null;
}
