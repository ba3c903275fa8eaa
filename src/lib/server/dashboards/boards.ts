import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import type { Scope } from '$lib/server/auth/scope';
import * as metrics from '$lib/server/metrics';
import * as journeys from '$lib/server/journeys';
import { CHANNELS } from '$lib/model';
import { listAlerts } from '$lib/server/alerts/store';
import { toAlertItem } from '$lib/components/dashboards/alerts';
import type {
	AlertItem,
	AlertsBoard,
	BoardKpi,
	ChannelRow,
	JourneyRow
} from '$lib/components/dashboards/types';

/** The other pages of TV mode: KPIs by channel, the journeys, and open alerts. */

const CHANNEL_KPIS = ['csat', 'nps', 'fcr', 'service_level', 'abandonment_rate', 'containment_rate'] as const;

function boardKpi(r: metrics.KpiResult): BoardKpi {
	return { value: r.value, n: r.n, ci95: r.ci95, status: r.status, target: r.target };
}

/** KPIs per channel for the query's period (metrics by=channel), channels in the model's order. */
export async function channelBoard(db: Db | Storage, query: metrics.CxQuery): Promise<ChannelRow[]> {
	const answer = await metrics.kpis(db, {
		...query,
		by: 'channel',
		grain: null,
		compare: null,
		standardise: false
	});
	const order = (c: string) => {
		const i = (CHANNELS as readonly string[]).indexOf(c);
		return i < 0 ? CHANNELS.length : i;
	};
	return answer.rows
		.filter((r): r is metrics.KpiRow & { group: string } => r.group !== null)
		.map((r) => ({
			channel: r.group,
			// Counted contacts (complaint rate's denominator), the channel's volume.
			contacts: r.kpis.complaint_rate.n,
			kpis: Object.fromEntries(CHANNEL_KPIS.map((k) => [k, boardKpi(r.kpis[k])])) as ChannelRow['kpis']
		}))
		.sort((a, b) => order(a.channel) - order(b.channel) || a.channel.localeCompare(b.channel));
}

/** Journey summaries (volume, completion, journey NPS, top breakpoint) for journeys started in the period. */
export async function journeyBoard(
	db: Db | Storage,
	period: { from: number; to: number },
	filters: { segment: string[]; channel: string[] },
	now = Date.now()
): Promise<JourneyRow[]> {
	const params = new URLSearchParams({
		from: new Date(period.from).toISOString(),
		to: new Date(Math.min(period.to, now)).toISOString()
	});
	// The journey query takes one segment and one start channel; with several chosen, all are shown.
	if (filters.segment.length === 1) params.set('segment', filters.segment[0]);
	if (filters.channel.length === 1) params.set('channel', filters.channel[0]);
	const q = journeys.parseJourneyQuery(params, now);
	if (!q.ok) return [];
	return (await journeys.journeySummaries(db, q.value, { now })).map((s) => {
		const b = s.topBreakpoint;
		const stepLabel = (locale: 'zh' | 'en') =>
			(b?.step ?? '')
				.split('|')
				.filter(Boolean)
				.map((name) => journeys.eventLabel(s.definition, name, locale))
				.join(' / ');
		return {
			key: s.key,
			name: s.name,
			started: s.started,
			inProgress: s.inProgress,
			completion: s.completion,
			nps: s.nps,
			topBreakpoint: b ? { kind: b.kind, where: { zh: stepLabel('zh'), en: stepLabel('en') } } : null
		};
	});
}

/** Open alerts the caller may see (the alerts module's own scoping), newest first. */
export async function alertsBoard(db: Db | Storage, scope: Scope, limit = 12): Promise<AlertsBoard> {
	try {
		const open = await listAlerts(db, scope, { status: 'open', limit });
		return { available: true, alerts: open.map(toAlertItem).filter((a): a is AlertItem => a !== null) };
	} catch (error) {
		// An alerts table that is not there yet (an older database) must not take the wallboard down.
		console.error('[resonance] open alerts for the wallboard failed', error);
		return { available: false, alerts: [] };
	}
}
