import type { OpenApiPart } from '$lib/server/ingest/openapi';
import { DIMENSIONS } from './measures';
import { GROUP_BYS } from './query';
import { KPI_KEYS, STANDARDISED } from './registry';
import { GRAINS } from './time';

/**
 * The metrics engine's part of GET /api/v1/openapi.json: pass `metricsOpenApi()` to `openApiDocument` beside
 * ingestion's part.
 */
export function metricsOpenApi(): OpenApiPart {
	const query = (name: string, description: string, schema: unknown = { type: 'string' }) => ({
		name,
		in: 'query',
		required: false,
		description,
		schema
	});
	const parameters = [
		query(
			'from',
			'Start, inclusive: ISO-8601 with a time zone, or YYYY-MM-DD (China midnight). Default: today 00:00 China time.'
		),
		query('to', 'End, exclusive (ISO-8601 with a time zone, or YYYY-MM-DD). Default: now.'),
		query('by', 'One row per value of a dimension, or per hour/day/week (China time).', {
			type: 'string',
			enum: [...GROUP_BYS]
		}),
		query('grain', 'Time buckets inside each group (a trend), e.g. by=channel&grain=day.', {
			type: 'string',
			enum: [...GRAINS]
		}),
		...DIMENSIONS.map((d) =>
			query(d, `Only these ${d} values (repeat the parameter or separate with commas).`, {
				type: 'array',
				items: { type: 'string' }
			})
		),
		query('compare', '`previous` (default: the previous period of equal length) or `none`.', {
			type: 'string',
			enum: ['previous', 'none']
		}),
		query('compareFrom', 'Another comparison period: start (with compareTo).'),
		query('compareTo', 'Another comparison period: end.'),
		query('standardise', '1 adds reason-standardised fcr_std, aht_s_std and csat_std.', {
			type: 'string',
			enum: ['1', '0', 'true', 'false']
		})
	];
	const interval = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, nullable: true };
	const estimate = {
		type: 'object',
		required: ['value', 'n', 'ci95'],
		properties: {
			value: { type: 'number', nullable: true, description: 'null below the minimum n (30)' },
			n: { type: 'integer' },
			ci95: interval
		}
	};
	const kpi = {
		type: 'object',
		required: ['value', 'n', 'ci95'],
		properties: {
			...estimate.properties,
			unit: { type: 'string', enum: ['percent', 'nps', 'seconds', 'per_10k', 'index'] },
			lowConfidence: { type: 'boolean' },
			target: { type: 'number' },
			status: { type: 'string', enum: ['green', 'amber', 'red'], nullable: true },
			mean: { type: 'object', properties: { value: { type: 'number', nullable: true }, ci95: interval } },
			previous: estimate,
			change: { type: 'number', nullable: true },
			significant: {
				type: 'boolean',
				nullable: true,
				description:
					'p < 0.05 for this KPI alone; null when either period has no value, or has chains still pending (provisional): no test ran'
			},
			p: {
				type: 'number',
				nullable: true,
				description:
					'Two-sided p-value of the change (z, Welch t, or the exact conditional Poisson test for complaints); null where no test ran. Boards of tiles adjust these p-values over their tiles (Benjamini–Hochberg at 5%)'
			},
			pending: {
				type: 'integer',
				description:
					'fcr, repeat_contact_rate, containment_rate: contact chains of the period whose follow-up window (7 days; 48 h) is still open at the moment of the query. They are in neither value nor n; value and n cover matured chains only, and value is null when the matured n is under the minimum. More than 0 marks the value provisional.'
			},
			unattributed: {
				type: 'integer',
				description:
					'complaint_rate: complaints attributed to no contact chain (neither a named contactId nor a chain of the customer in the 7 days before); they count only in answers without a team or agent filter.'
			}
		}
	};
	const keys = [...KPI_KEYS, ...STANDARDISED.map((s) => s.key)];
	const kpisAnswer = {
		type: 'object',
		required: ['from', 'to', 'by', 'rows'],
		properties: {
			from: { type: 'string', format: 'date-time' },
			to: { type: 'string', format: 'date-time' },
			by: { type: 'string', nullable: true },
			grain: { type: 'string', nullable: true },
			compare: { type: 'object', nullable: true },
			path: { type: 'string', enum: ['rollup', 'rollup+raw', 'raw'] },
			rows: {
				type: 'array',
				items: {
					type: 'object',
					required: ['group', 'kpis'],
					properties: {
						group: { type: 'string', nullable: true },
						bucket: { type: 'string' },
						kpis: {
							type: 'object',
							properties: Object.fromEntries(keys.map((k) => [k, { $ref: '#/components/schemas/Kpi' }]))
						}
					}
				}
			}
		}
	};
	const error = {
		description: 'Error',
		content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } }
	};
	const ok = (schema: unknown) => ({ description: 'OK', content: { 'application/json': { schema } } });
	return {
		paths: {
			'/api/v1/kpis': {
				get: {
					summary: 'KPIs with n and 95% intervals, from rollups (or raw rows), scoped to the caller',
					parameters,
					responses: {
						200: ok({ $ref: '#/components/schemas/KpiAnswer' }),
						400: error,
						401: error,
						403: error
					}
				}
			},
			'/api/v1/metrics/drivers': {
				get: {
					summary:
						'What moves NPS: Shapley shares of R² as an importance–performance quadrant, with suggested index weights',
					parameters: parameters.filter(
						(p) => !['by', 'grain', 'compare', 'compareFrom', 'compareTo', 'standardise'].includes(p.name)
					),
					responses: { 200: ok({ type: 'object' }), 400: error, 401: error, 403: error }
				},
				post: {
					summary: 'Accept CX index weights (admin)',
					requestBody: {
						content: {
							'application/json': {
								schema: {
									type: 'object',
									required: ['weights'],
									properties: {
										weights: {
											type: 'object',
											properties: { layers: { type: 'object' }, components: { type: 'object' } }
										}
									}
								}
							}
						}
					},
					responses: { 200: ok({ type: 'object' }), 400: error, 401: error, 403: error }
				}
			}
		},
		schemas: { Kpi: kpi, KpiAnswer: kpisAnswer }
	};
}
