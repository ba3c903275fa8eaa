import { describe, expect, it } from 'vitest';
import { ingestionOpenApi, openApiDocument } from '$lib/server/ingest/openapi';
import { metricsOpenApi } from './openapi';

describe('metrics OpenAPI part', () => {
	it('adds the KPI and driver routes beside ingestion', () => {
		const doc = openApiDocument([ingestionOpenApi(), metricsOpenApi()]) as {
			paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
			components: { schemas: Record<string, unknown> };
		};
		expect(doc.paths['/api/v1/kpis'].get.parameters?.map((p) => p.name)).toEqual(
			expect.arrayContaining(['from', 'to', 'by', 'grain', 'channel', 'team', 'reason', 'standardise'])
		);
		expect(doc.paths['/api/v1/metrics/drivers'].post).toBeDefined();
		expect(Object.keys(doc.components.schemas)).toEqual(
			expect.arrayContaining(['Kpi', 'KpiAnswer', 'Error'])
		);
	});

	it('documents pending (matured chains only) and unattributed complaints on a KPI', () => {
		const doc = openApiDocument([ingestionOpenApi(), metricsOpenApi()]) as {
			components: { schemas: Record<string, { properties: Record<string, { type: string }> }> };
		};
		const kpi = doc.components.schemas.Kpi.properties;
		expect(kpi.pending).toMatchObject({ type: 'integer' });
		expect(kpi.unattributed).toMatchObject({ type: 'integer' });
	});
});
