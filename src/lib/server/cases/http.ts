import type { CaseView } from './cases';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A case as the JSON API answers it (DESIGN.md: customerId, reason, team, assignee, status, dueAt …), times ISO-8601. */
export function apiCase<T extends CaseView & { notes?: { ts: number }[] }>(c: T) {
	return {
		...c,
		openedAt: iso(c.openedAt),
		dueAt: iso(c.dueAt),
		contactedAt: iso(c.contactedAt),
		closedAt: iso(c.closedAt),
		...(c.notes ? { notes: c.notes.map((n) => ({ ...n, ts: iso(n.ts) })) } : {})
	};
}
