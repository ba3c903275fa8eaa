import { FCR_WINDOW_MS, LINK_WINDOW_MS, REPEAT_WINDOW_MS } from './measures';

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
 * Flags of every contact in `contacts` (one customer's; any order). Exact for a contact when all the customer's
 * contacts within 7 days of it are in the list.
 * - repeat48h: another counted contact follows within 48 h (inclusive);
 * - firstContact (needs a reason): no counted contact with the same reason in the 7 days before (inclusive);
 * - repeatSameReason7d (needs a reason): a counted contact with the same reason follows within 7 days (inclusive).
 */
export function computeContactFlags(contacts: readonly ContactFacts[]): Map<number, ContactFlags> {
	const sorted = contacts.filter((c) => c.counted).sort(byTime);
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
