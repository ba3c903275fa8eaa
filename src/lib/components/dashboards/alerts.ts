import type { AlertItem } from './types';

/**
 * Reads an alert as the alerts module lists it, or as an `event: alert` carries it (`{"type","alert":{…}}`),
 * keeping what a wallboard shows. Defensive: the payload is another module's, and a bad one is skipped.
 */
export function toAlertItem(value: unknown): AlertItem | null {
	if (!value || typeof value !== 'object') return null;
	const wrapped = value as Record<string, unknown>;
	if (wrapped.alert && typeof wrapped.alert === 'object') return toAlertItem(wrapped.alert);
	const o = wrapped;
	const text = (...keys: string[]) => {
		for (const k of keys) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
		return null;
	};
	const time = (...keys: string[]) => {
		for (const k of keys) {
			const v = o[k];
			if (typeof v === 'number') return v;
			if (typeof v === 'string' && Number.isFinite(Date.parse(v))) return Date.parse(v);
		}
		return null;
	};
	const id = o.id === undefined || o.id === null ? null : String(o.id);
	const title = text('summary', 'title', 'name', 'message', 'ruleName');
	if (!id || !title) return null;
	return {
		id,
		title,
		severity: text('severity', 'level'),
		kpi: text('kpi') ?? (o.details && typeof o.details === 'object' ? detailText(o.details, 'kpi') : null),
		team:
			text('team', 'teamId') ??
			(Array.isArray(o.teams) ? o.teams.filter((t) => typeof t === 'string').join(', ') || null : null),
		openedAt: time('openedAt', 'opened_at', 'firedAt', 'ts', 'createdAt'),
		status: text('status')
	};
}

function detailText(details: object, key: string): string | null {
	const v = (details as Record<string, unknown>)[key];
	return typeof v === 'string' && v ? v : null;
}
