import type { OpenApiPart } from '$lib/server/ingest/openapi';

/**
 * The reading and workflow routes' part of GET /api/v1/openapi.json (ingestion and metrics describe their own).
 * Responses are described by example shape; every route answers errors as {"error":{"code","message"}}.
 */
export function readingOpenApi(): OpenApiPart {
	const q = (name: string, description: string) => ({
		name,
		in: 'query',
		required: false,
		description,
		schema: { type: 'string' }
	});
	const p = (name: string, description: string) => ({
		name,
		in: 'path',
		required: true,
		description,
		schema: { type: 'string' }
	});
	const secured = [{ session: [] }, { readKey: [] }];
	const ok = (description: string) => ({
		'200': { description, content: { 'application/json': { schema: { type: 'object' } } } },
		'400': { description: 'A parameter is invalid (the message names it)' },
		'401': { description: 'No valid session or read key' },
		'403': { description: 'The role or team scope does not allow it' }
	});
	const get = (summary: string, parameters: unknown[], description: string) => ({
		get: { summary, parameters, security: secured, responses: ok(description) }
	});
	const filters = ['channel', 'team', 'agent', 'segment', 'journey', 'region', 'reason'].map((d) =>
		q(d, `Only this ${d}`)
	);
	const range = [q('from', 'Start, inclusive (ISO-8601)'), q('to', 'End, exclusive (ISO-8601)')];
	return {
		schemas: {},
		paths: {
			'/healthz': {
				get: { summary: 'Liveness', responses: { '200': { description: '{"status":"ok"}' } } }
			},
			'/readyz': {
				get: {
					summary: 'Readiness: the database answers and the server is not draining for a shutdown',
					responses: {
						'200': { description: '{"status":"ready"}' },
						'503': { description: 'Not ready (starting, draining, or the database does not answer)' }
					}
				}
			},
			'/metrics': {
				get: {
					summary:
						'Prometheus text format: ingestion counters by source, commit latency, writer queue, SSE viewers, alert evaluations, event-loop lag, process metrics',
					security: [{ readKey: [] }, { metricsToken: [] }],
					responses: {
						'200': { description: 'text/plain; version=0.0.4' },
						'401': { description: 'No read key and no RESONANCE_METRICS_TOKEN bearer' }
					}
				}
			},
			'/api/v1/events': get(
				'Drill-down records, newest first, cursor-paged and role-scoped (format=csv for a CSV export)',
				[
					q('customerId', 'One customer'),
					q('type', 'Event type'),
					...range,
					...filters,
					q('limit', '1–500'),
					q('cursor', 'From `next`'),
					q('format', 'json or csv')
				],
				'{"events":[…],"next":cursor|null}'
			),
			'/api/v1/stream': get(
				"Server-Sent Events: `event: kpis` live snapshots (≈ 100 ms after a commit that changes the filter set's numbers, at most five a second) and `event: alert`",
				filters,
				'text/event-stream'
			),
			'/api/v1/journeys': get('Journey definitions', [], '{"journeys":[…]}'),
			'/api/v1/journeys/{key}/funnel': get(
				'Funnel of a journey: customers per step, conversions, median and p90 seconds between steps',
				[p('key', 'Journey key'), ...range, q('segment', 'Segment'), q('channel', 'Channel')],
				'{"journey","steps":[{"step","customers","conversionFromStart","conversionFromPrevious","medianSecondsFromPrevious"}]}'
			),
			'/api/v1/journeys/{key}/paths': get(
				'Path map (Sankey) of (position, channel, step) nodes with drop-off nodes',
				[p('key', 'Journey key'), ...range],
				'{"nodes":[…],"links":[{"source","target","value"}]}'
			),
			'/api/v1/journeys/{key}/breakpoints': get(
				'Service breakpoints ranked by customers lost × CX impact, and channel switches',
				[p('key', 'Journey key'), ...range],
				'{"breakpoints":[…]}'
			),
			'/api/v1/customers/{id}': {
				...get('A customer timeline across channels', [p('id', 'Customer id')], '{…}'),
				delete: {
					summary:
						"Delete one customer's personal data (PIPL): events, texts, cases, journey instances, risk scores, audience memberships; anonymous aggregates stay. Admin only, audited, idempotent",
					parameters: [p('id', 'Customer id')],
					security: secured,
					responses: ok('{"customerId","removed":{"<table>":rows,…},"total"}')
				}
			},
			'/api/v1/text/topics': get(
				'Topics of comments and transcripts',
				[...range, q('segment', 'Segment'), q('journey', 'Journey'), q('channel', 'Channel')],
				'{"topics":[{"id","label","keywords","count","sentiment"}]}'
			),
			'/api/v1/alert-rules': {
				...get(
					'Alert rules; risk_score rules carry "status": "no_model" (cannot fire until the risk model is trained) or "ready"',
					[],
					'{"rules":[{"id","name","kind","severity","enabled","teams","perTeam","editable","status"?,…}]}'
				),
				post: {
					summary:
						'Create an alert rule (threshold, anomaly, risk or risk_score), optionally with a signed webhook and e-mail recipients (admins only); managers for their own teams. risk_score: {"name","kind":"risk_score","mode":"customer"|"count","customers":"vip"|"any","outcome":"complaint"|"regulator","minScore":0–1,"value":5,"ratio":1.5,"alpha":0.001,"baselineWeeks":4} — customer mode opens one alert per customer whose current probability (latest model run) crosses minScore, naming the customer, the score and the top reasons (at most 200 customers at once); count mode fires when the count over minScore is ≥ value, ≥ ratio × its usual level (the same model at the same moment 1…baselineWeeks weeks before) and the one-sided Poisson p < alpha. VIP = segments affluent (贵宾) and private (私行). 400 names the invalid field',
					security: secured,
					requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
					responses: ok('The rule')
				}
			},
			'/api/v1/alerts': get('Alerts', [q('status', 'open, acknowledged or resolved')], '{"alerts":[…]}'),
			'/api/v1/cases': get(
				'Follow-up cases (回访)',
				[q('status', 'open, contacted, resolved or unreachable')],
				'{"cases":[{"customerId","reason","team","assignee","status","dueAt"}]}'
			),
			'/api/v1/cases/kpis': get(
				'Follow-up KPIs of the cases opened in [from, to) (default the last 30 days): follow-up and within-SLA rates, and the recovery rate (a detractor whose next answer on the same survey within 30 days is not a detractor: NPS ≥ 7, CSAT ≥ 4, CES ≥ 5) for detractors followed up (from the follow-up) beside detractors not followed up (unreachable or overdue; from their answer), with the difference and its 95% Newcombe interval in points. Rates are percentages with Wilson 95% intervals, null under n = 30; `pending` = still inside the window without an answer',
				[...range, q('team', 'Only this team (managers: one of theirs)')],
				'{"from","to","followUpRate":{"value","n","ci95","x"},"withinSlaRate":{…},"recoveryRate":{…},"recovery":{"windowDays":30,"followedUp":{"value","n","ci95","x","pending","noAnswer"},"notFollowedUp":{…},"difference":{"value","ci95"}|null},"cases","open","overdue"}'
			),
			'/api/v1/teams': get('Teams and agents visible to the caller', [], '{"teams":[…]}'),
			'/api/v1/risk/model': get(
				'The complaint-escalation risk model and its held-out quality (404 before the first training)',
				[],
				'{"trainedAt","trainWindow","testWindow","n","positives","auc","auc95":[lo,hi],"brier","calibration":[{"bin","predicted","observed","n"}],"regulator":{…},"features":[{"feature","coefficient"}]}'
			),
			'/api/v1/risk/model/train': {
				post: {
					summary:
						'Retrain the risk model now and rescore customers (admin; also nightly; audited as risk.model_trained); 409 with too little history',
					security: secured,
					responses: ok('The new model, as GET /api/v1/risk/model')
				}
			},
			'/api/v1/risk/customers': get(
				'Customers by complaint risk in the next 14 days (highest first, ties by customer id descending; `next` pages on), with top reasons; team-scoped for managers',
				[
					q('minScore', 'Only scores at or above this (0–1)'),
					q('team', 'Only this team (managers: one of theirs)'),
					q('limit', '1–500'),
					q('cursor', 'From `next`')
				],
				'{"customers":[{"customerId","score","regulatorScore","team","segment","reasons":[{"feature","contribution"}]}],"next","model":{…}}'
			),
			'/api/v1/audiences': {
				...get(
					'Outreach audiences (admins, executives; managers: those drawn from their teams)',
					[],
					'{"audiences":[{"id","name","createdAt","rule","outcome","holdoutPercent","teams","members","treatment","holdout"}]}'
				),
				post: {
					summary:
						'Create an audience from a rule, frozen now and split by a stable hash into treatment and holdout (admins; managers for their teams; audited). Body: {"name","rule":{"kind":"breakpoint","journey","step","minDays"}|{"kind":"detractors","days"}|{"kind":"risk","minScore"},"holdoutPercent":10,"outcome":{"kind":"journey_completed"|"no_complaint"|"not_detractor","days":14},"teams"?}',
					security: secured,
					requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
					responses: { ...ok('The audience'), '201': { description: 'The audience, with its counts' } }
				}
			},
			'/api/v1/audiences/{id}': get(
				'One audience',
				[p('id', 'Audience id')],
				'{"id","name","createdAt","members","treatment","holdout","windowEndsAt",…}'
			),
			'/api/v1/audiences/{id}/members': get(
				'The treatment list for the outbound team (audited export). group=holdout is always refused with 403 holdout_not_exported: the holdout is only counted, never listed',
				[
					p('id', 'Audience id'),
					q('group', 'treatment (default); holdout → 403'),
					q('format', 'json or csv')
				],
				'{"audience":{…},"group":"treatment","customers":["…"]} or CSV customerId,audienceId,audienceName'
			),
			'/api/v1/audiences/{id}/results': get(
				'Outcome rate per group, the lift (percentage points) with its 95% Newcombe interval and two-proportion p-value, final once the window has passed, the reach of contacts tagged properties.audience, and the lift by day',
				[p('id', 'Audience id')],
				'{"treatment":{"n","converted","rate"},"holdout":{…},"lift","lift95":[lo,hi],"p","final","reach":{"treatment","holdout","treatmentShare"},"overTime":[…]}'
			),
			'/api/v1/audiences/{id}/push': {
				post: {
					summary:
						'Send the treatment list once as a webhook signed like the alert webhooks (X-Resonance-Signature: sha256=HMAC of the body); body {"url","secret"} (admins, managers; audited)',
					security: secured,
					parameters: [p('id', 'Audience id')],
					requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
					responses: ok('{"status","delivered","customers","error"}')
				}
			},
			'/api/v1/value': get(
				'The value ledger of a period from the rollups: cost by channel (total, per contact, per resolved chain) and of outbound calls, self-service savings by reason, failure demand (repeat chains; channel switches at breakpoints by journey and step, whole center only), value created (outreach lift × value per conversion; recovered detractors beyond the not-followed-up baseline × value per retained customer, with 95% intervals), the net value, a waterfall and a monthly trend; each figure with its formula and inputs; each rate version prices the part of the period it was in force. Managers: their teams',
				[...range, ...filters],
				'{"costs":{"byChannel":[{"channel","contacts","cost","costPerContact","costPerResolved","formula","inputs"}],"outbound":{…},"total":{…}},"savings":{"value","formula","inputs","byReason":[…]},"failureDemand":{…},"valueCreated":{"value","ci95",…},"net":{…},"waterfall":[…],"trend":[…],"inputs":{"rates":[…]}}'
			),
			'/api/v1/value/settings': {
				...get(
					'The ledger rates in force now and every version by effective day',
					[],
					'{"current":{"effectiveFrom","rates":{"agentMinute":{…},"ivrSession","botSession","outboundCall","valuePerConversion","valuePerRetainedCustomer"}},"history":[…],"defaults":{…}}'
				),
				put: {
					summary:
						'Set the ledger rates (admins; audited), yuan, effective from effectiveFrom (YYYY-MM-DD, China time; today by default): months before keep their rates. Body: {"agentMinute":{"<channel>":yuan,…},"ivrSession","botSession","outboundCall","valuePerConversion","valuePerRetainedCustomer","effectiveFrom"?}',
					security: [{ session: [] }],
					requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
					responses: ok('The settings as GET answers them')
				}
			}
		}
	};
}
