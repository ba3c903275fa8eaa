import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi';

describe('openApiDocument', () => {
	it('describes the ingestion routes from the zod schemas', () => {
		const doc = openApiDocument() as {
			paths: Record<string, unknown>;
			components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
		};
		expect(Object.keys(doc.paths)).toEqual(
			expect.arrayContaining(['/api/v1/events', '/v1/batch', '/v1/track', '/batch/', '/capture/'])
		);
		const event = doc.components.schemas.NativeEvent;
		expect(event.required).toEqual(expect.arrayContaining(['id', 'type', 'ts', 'customerId']));
		expect(Object.keys(event.properties ?? {})).toContain('score');
		expect(JSON.stringify(doc)).not.toContain('"$ref":"#/$defs');
		expect(Object.keys(doc.paths)).toContain('/api/v1/ingest/status');
		expect(doc.components.schemas.IngestStatus.required).toEqual(
			expect.arrayContaining(['startedAt', 'sources', 'writer'])
		);
		const source = JSON.stringify(doc.components.schemas.IngestStatus.properties?.sources);
		expect(source).toContain('"lastHourByMinute"');
		expect(source).toContain('"minItems":60');
		const csv = JSON.stringify(doc.paths['/api/v1/import/csv']);
		for (const parameter of ['"kind"', '"source"', '"map"', '"dryRun"']) expect(csv).toContain(parameter);
		expect(doc.components.schemas.CsvImportAnswer.required).toEqual(
			expect.arrayContaining(['accepted', 'duplicates', 'rejectedCount', 'rejected'])
		);
		expect(doc.components.schemas.CsvPreview.required).toEqual(['columns', 'mapping', 'targets', 'rows']);
	});
});
