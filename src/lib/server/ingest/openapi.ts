import { z } from 'zod';
import { LIMITS } from './config';
import { errorAnswerSchema, ingestAnswerSchema, nativeBatchSchema, nativeEventSchema } from './schema';
import { CSV_KINDS, CSV_MAX_BYTES, csvImportAnswerSchema, csvPreviewSchema } from './csv-import';
import { ingestStatusSchema } from './status';

/** A piece of the OpenAPI document: paths and the component schemas they refer to. */
export interface OpenApiPart {
	paths: Record<string, unknown>;
	schemas: Record<string, unknown>;
}

const toSchema = (schema: z.ZodType, io: 'input' | 'output' = 'input') =>
	z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any', io });

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });

const errors = Object.fromEntries(
	[
		['400', 'The body is not valid JSON/NDJSON, UTF-8 or gzip, or not shaped like the format.'],
		['401', 'No write key, or an unknown or revoked one.'],
		['403', 'A browser post from an origin the source does not allow (or, for an import, not an admin).'],
		[
			'413',
			`Over ${LIMITS.batchBytes / 1024} KB a request, ${LIMITS.eventBytes / 1024} KB an event or ${LIMITS.batchEvents} events.`
		],
		['415', 'Another Content-Type or Content-Encoding.'],
		['429', 'Over the key’s rate limit; see Retry-After.'],
		['503', 'The events could not be written; retrying is safe.']
	].map(([status, description]) => [status, { description, content: json(ref('Error')) }])
);

const accepted = (description: string) => ({
	'200': { description, content: json(ref('IngestAnswer')) },
	...errors
});

const segmentMessage = {
	type: 'object',
	description:
		'A Segment message (track, identify, page, screen, group, alias). userId ?? anonymousId → customerId, ' +
		'messageId → id, timestamp → ts; see the README section "Ingestion formats" for the mapping.',
	properties: {
		type: { type: 'string', enum: ['track', 'identify', 'page', 'screen', 'group', 'alias'] },
		messageId: { type: 'string' },
		userId: { type: 'string' },
		anonymousId: { type: 'string' },
		event: { type: 'string' },
		name: { type: 'string' },
		timestamp: { type: 'string', format: 'date-time' },
		properties: { type: 'object', additionalProperties: true },
		traits: { type: 'object', additionalProperties: true }
	},
	additionalProperties: true
};

const postHogEvent = {
	type: 'object',
	description: 'A PostHog event: distinct_id → customerId, uuid → id, $identify/$set with $set → traits.',
	properties: {
		event: { type: 'string' },
		distinct_id: { type: 'string' },
		uuid: { type: 'string' },
		timestamp: { type: 'string', format: 'date-time' },
		properties: { type: 'object', additionalProperties: true }
	},
	required: ['event'],
	additionalProperties: true
};

const postHogBody = {
	oneOf: [
		{
			type: 'object',
			properties: { api_key: { type: 'string' }, batch: { type: 'array', items: ref('PostHogEvent') } },
			required: ['batch']
		},
		{ allOf: [ref('PostHogEvent'), { type: 'object', properties: { api_key: { type: 'string' } } }] }
	]
};

const preflight = {
	tags: ['ingestion'],
	summary:
		'CORS preflight: allowed for an origin some source allows, 403 otherwise (shown on the ingestion monitor)',
	responses: {
		'204': { description: 'Allowed; Access-Control-Allow-* headers set.' },
		'403': { description: 'No source allows this origin.', content: json(ref('Error')) }
	}
};

/** The ingestion routes, generated from the zod schemas the pipeline validates with. */
export function ingestionOpenApi(): OpenApiPart {
	const segmentCall = (summary: string, body: unknown) => ({
		post: {
			tags: ['ingestion'],
			summary,
			security: [{ writeKeyBasic: [] }, {}],
			requestBody: { required: true, content: { ...json(body), 'text/plain': { schema: body } } },
			responses: accepted('Committed; counts per item (plus "success": true).')
		}
	});
	const compression = {
		name: 'compression',
		in: 'query',
		description:
			'posthog-js: gzip-js (a gzip body, also recognised without the parameter) or base64 (a form body data=<base64 JSON>).',
		schema: { type: 'string', enum: ['gzip-js', 'gzip', 'base64'] }
	};
	const ignoredParameters = ['ver', '_', 'sent_at'].map((name) => ({
		name,
		in: 'query',
		description: 'Sent by posthog-js (library version, cache-buster, send time); ignored.',
		schema: { type: 'string' }
	}));
	const postHog = {
		post: {
			tags: ['ingestion'],
			summary: 'PostHog capture API (api_key in the body; gzip, gzip-js and base64 form bodies accepted)',
			parameters: [compression, ...ignoredParameters],
			requestBody: {
				required: true,
				content: {
					...json(postHogBody),
					'text/plain': {
						schema: {
							type: 'string',
							format: 'binary',
							description: 'JSON, or gzip of it (posthog-js, sendBeacon).'
						}
					},
					'application/x-www-form-urlencoded': {
						schema: {
							type: 'object',
							properties: {
								data: { type: 'string', description: 'base64 of the JSON body (compression=base64).' }
							},
							required: ['data']
						}
					}
				}
			},
			responses: accepted('Committed; counts per item (plus "status": 1).')
		},
		options: preflight
	};
	const flags = {
		summary: 'posthog-js feature flags: always none (Resonance has no flags, recordings or surveys)',
		description: 'Answered with no flags so posthog-js neither errors nor retries; the body is not read.',
		responses: {
			'200': {
				description: 'No flags.',
				content: json({
					type: 'object',
					properties: {
						flags: { type: 'object' },
						featureFlags: { type: 'object' },
						errorsWhileComputingFlags: { type: 'boolean' },
						sessionRecording: { type: 'boolean' }
					}
				})
			},
			'403': { description: 'An origin no source allows.', content: json(ref('Error')) }
		}
	};
	const postHogFlags = {
		post: { tags: ['ingestion'], ...flags },
		get: { tags: ['ingestion'], ...flags },
		options: preflight
	};
	const remoteConfig = (script: boolean) => ({
		get: {
			tags: ['ingestion'],
			summary: `posthog-js remote configuration${script ? ' (the script form)' : ''}: every feature off, gzip bodies`,
			parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
			responses: {
				'200': {
					description: 'The configuration.',
					content: script
						? { 'application/javascript': { schema: { type: 'string' } } }
						: json({ type: 'object', additionalProperties: true })
				},
				'403': { description: 'An origin no source allows.', content: json(ref('Error')) }
			}
		}
	});
	return {
		paths: {
			'/api/v1/events': {
				post: {
					tags: ['ingestion'],
					summary: 'Native batch (JSON or NDJSON)',
					security: [{ writeKeyBearer: [] }],
					requestBody: {
						required: true,
						content: {
							...json(ref('NativeBatch')),
							'application/x-ndjson': {
								schema: { type: 'string', description: 'One NativeEvent as JSON a line.' }
							}
						}
					},
					responses: accepted('Committed; counts per item.')
				}
			},
			'/v1/batch': segmentCall('Segment batch', {
				type: 'object',
				properties: {
					batch: { type: 'array', items: ref('SegmentMessage') },
					writeKey: { type: 'string' }
				},
				required: ['batch']
			}),
			...Object.fromEntries(
				['track', 'identify', 'page', 'screen', 'group', 'alias'].map((call) => [
					`/v1/${call}`,
					segmentCall(`Segment ${call}`, ref('SegmentMessage'))
				])
			),
			'/batch/': postHog,
			'/capture/': postHog,
			'/e/': postHog,
			'/i/v0/e/': postHog,
			'/flags/': postHogFlags,
			'/decide/': postHogFlags,
			'/array/{token}/config': remoteConfig(false),
			'/array/{token}/config.js': remoteConfig(true),
			'/sourceConfig/': {
				get: {
					tags: ['ingestion'],
					summary:
						'RudderStack analytics-js source configuration (configUrl pointed here): no destinations, no plugins',
					security: [{ writeKeyBasic: [] }, {}],
					parameters: [
						{
							name: 'writeKey',
							in: 'query',
							description: 'The write key (or Basic auth).',
							schema: { type: 'string' }
						},
						...['p', 'v', 'build', 'lockIntegrationsVersion', 'lockPluginsVersion'].map((name) => ({
							name,
							in: 'query',
							description: 'Sent by the SDK; ignored.',
							schema: { type: 'string' }
						}))
					],
					responses: {
						'200': {
							description: 'The source configuration.',
							content: json({
								type: 'object',
								properties: {
									source: {
										type: 'object',
										properties: {
											id: { type: 'string' },
											name: { type: 'string' },
											enabled: { type: 'boolean' },
											config: { type: 'object' },
											destinations: { type: 'array', maxItems: 0, items: {} }
										}
									}
								}
							})
						},
						'401': errors['401'],
						'403': errors['403']
					}
				},
				options: preflight
			},
			'/api/v1/import/csv': {
				post: {
					tags: ['ingestion'],
					summary:
						'CSV import, one event a row, idempotent on the id column (streamed; up to ' +
						`${CSV_MAX_BYTES / 2 ** 20} MB, gzip accepted). With a write key, or as a signed-in admin with source.`,
					security: [{ writeKeyBearer: [] }, { session: [] }],
					parameters: [
						{ name: 'kind', in: 'query', required: true, schema: { type: 'string', enum: [...CSV_KINDS] } },
						{
							name: 'source',
							in: 'query',
							description:
								'The source to import under: only for a signed-in admin (a write key names its own).',
							schema: { type: 'integer' }
						},
						{
							name: 'map',
							in: 'query',
							description:
								'A JSON object from column name to field (id, ts, customerId, a field of the kind, text, ' +
								'"properties" or "ignore"). Unmapped columns are read as the field they name, else kept in properties.',
							schema: { type: 'string' }
						},
						{
							name: 'dryRun',
							in: 'query',
							description: '1: read the header and the first rows only, write nothing, answer a preview.',
							schema: { type: 'string', enum: ['1'] }
						}
					],
					requestBody: {
						required: true,
						content: {
							'text/csv': { schema: { type: 'string', description: 'A header row, then one event a row.' } }
						}
					},
					responses: {
						'200': {
							description: 'Committed (or, with dryRun=1, previewed).',
							content: json({ oneOf: [ref('CsvImportAnswer'), ref('CsvPreview')] })
						},
						...errors
					}
				}
			},
			'/api/v1/ingest/status': {
				get: {
					tags: ['ingestion'],
					summary:
						'Ingestion monitor (admins): per source what was sent, accepted, rejected and refused, with samples; ' +
						'the group commit and writer thread. In memory, since this server process started.',
					security: [{ session: [] }, { readKey: [] }],
					responses: {
						'200': { description: 'The figures.', content: json(ref('IngestStatus')) },
						'401': { description: 'No valid session or read key.', content: json(ref('Error')) },
						'403': { description: 'Not an admin.', content: json(ref('Error')) }
					}
				}
			}
		},
		schemas: {
			NativeEvent: toSchema(nativeEventSchema),
			NativeBatch: toSchema(nativeBatchSchema),
			IngestAnswer: toSchema(ingestAnswerSchema, 'output'),
			Error: toSchema(errorAnswerSchema, 'output'),
			IngestStatus: toSchema(ingestStatusSchema, 'output'),
			CsvImportAnswer: toSchema(csvImportAnswerSchema, 'output'),
			CsvPreview: toSchema(csvPreviewSchema, 'output'),
			SegmentMessage: segmentMessage,
			PostHogEvent: postHogEvent
		}
	};
}

/** The OpenAPI 3.0 document; other domains pass their parts beside ingestion's. */
export function openApiDocument(parts: OpenApiPart[] = [ingestionOpenApi()]): Record<string, unknown> {
	return {
		openapi: '3.0.3',
		info: {
			title: 'Resonance (共鸣) API',
			version: '1',
			description: 'Live customer-experience measurement for bank customer-service centers.'
		},
		paths: Object.assign({}, ...parts.map((p) => p.paths)),
		components: {
			schemas: Object.assign({}, ...parts.map((p) => p.schemas)),
			securitySchemes: {
				writeKeyBearer: { type: 'http', scheme: 'bearer', description: 'A source’s write key.' },
				writeKeyBasic: { type: 'http', scheme: 'basic', description: 'The write key as the user name.' },
				readKey: { type: 'http', scheme: 'bearer', description: 'A read key bound to a role.' },
				session: { type: 'apiKey', in: 'cookie', name: 'session', description: 'A signed-in session.' },
				metricsToken: {
					type: 'http',
					scheme: 'bearer',
					description: 'RESONANCE_METRICS_TOKEN, for a Prometheus scraper (GET /metrics only).'
				}
			}
		}
	};
}
