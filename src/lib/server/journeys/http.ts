import { apiError } from '$lib/server/auth/api-error';
import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import type { QueryError } from './query';
import { stepKey } from './definitions';
import { getJourney, JourneyValidationError, type JourneyRecord } from './registry';

/**
 * The small shared pieces of the journey endpoints: a 400 naming the parameter, a 404 for an unknown journey.
 * Answers follow `{"error":{"code","message","details"}}`.
 */
export function badParameter(error: QueryError): Response {
	return apiError(400, error.message, 'invalid_parameter', { parameter: error.param });
}

export function unknownJourney(key: string): Response {
	return apiError(404, `No journey "${key}"`, 'not_found', { parameter: 'key' });
}

/** The journey of a route parameter, or the 404 answer to return. */
export async function journeyOrResponse(
	target: Db | Storage,
	key: string
): Promise<JourneyRecord | Response> {
	return (await getJourney(target, key)) ?? unknownJourney(key);
}

/** A definition as the API shows it: the definition's fields plus its bookkeeping and step keys. */
export function journeyJson(r: JourneyRecord) {
	return {
		...r.definition,
		steps: r.definition.steps.map((s) => ({ key: stepKey(s), ...s })),
		builtIn: r.builtIn,
		version: r.version,
		updatedAt: new Date(r.updatedAt).toISOString(),
		updatedBy: r.updatedBy
	};
}

/** 400 for an invalid definition or mapping (naming the field), anything else is rethrown. */
export function validationResponse(error: unknown): Response {
	if (!(error instanceof JourneyValidationError)) throw error;
	const first = error.issues[0];
	return apiError(400, first ? `${first.path}: ${first.message}` : error.message, 'invalid_definition', {
		parameter: first?.path ?? null,
		issues: error.issues
	});
}
