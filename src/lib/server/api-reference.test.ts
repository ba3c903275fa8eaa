import { describe, expect, it } from 'vitest';
import { ingestionOpenApi, openApiDocument } from './ingest/openapi';
import { metricsOpenApi } from './metrics/openapi';
import { readingOpenApi } from './api-reference';

describe('the OpenAPI document of GET /api/v1/openapi.json', () => {
	const doc = openApiDocument([ingestionOpenApi(), metricsOpenApi(), readingOpenApi()]) as {
		paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>>;
		components: { securitySchemes: Record<string, unknown> };
	};

	it('lists the operations routes: readiness, Prometheus metrics and the deletion of a customer', () => {
		expect(Object.keys(doc.paths['/readyz'])).toEqual(['get']);
		expect(Object.keys(doc.paths['/metrics'])).toEqual(['get']);
		expect(Object.keys(doc.paths['/api/v1/customers/{id}']).sort()).toEqual(['delete', 'get']);
	});

	it('describes the follow-up KPIs with the recovery rate beside detractors not followed up', () => {
		const op = doc.paths['/api/v1/cases/kpis'].get as unknown as {
			summary: string;
			responses: Record<string, { description: string }>;
		};
		expect(op.summary).toContain('not followed up');
		expect(op.summary).toContain('Newcombe');
		expect(op.responses['200'].description).toContain('"notFollowedUp"');
	});

	it('names every security scheme an operation uses', () => {
		const used = new Set<string>();
		for (const path of Object.values(doc.paths))
			for (const operation of Object.values(path))
				for (const requirement of operation.security ?? [])
					for (const name of Object.keys(requirement)) used.add(name);
		expect(used).toContain('metricsToken');
		for (const name of used) expect(Object.keys(doc.components.securitySchemes)).toContain(name);
	});
});
