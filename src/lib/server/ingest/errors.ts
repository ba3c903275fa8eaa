/** Error codes of ingestion answers, `{"error":{"code","message","details"}}`. */
export type IngestErrorCode =
	| 'bad_request'
	| 'invalid_json'
	| 'invalid_encoding'
	| 'unauthorized'
	| 'forbidden'
	| 'forbidden_origin'
	| 'not_found'
	| 'payload_too_large'
	| 'unsupported_media_type'
	| 'rate_limited'
	| 'unavailable'
	| 'internal';

/** A whole request refused, with the HTTP status to answer. Per-event problems are rejections, not errors. */
export class IngestError extends Error {
	constructor(
		readonly status: number,
		readonly code: IngestErrorCode,
		message: string,
		readonly details: unknown = null,
		readonly headers: Record<string, string> = {}
	) {
		super(message);
		this.name = 'IngestError';
	}
}

/** How the ingestion monitor records a request refused whole: an unexpected error is a 500 `internal`. */
export function refusal(error: unknown): { status: number; code: IngestErrorCode; message: string } {
	return error instanceof IngestError
		? { status: error.status, code: error.code, message: error.message }
		: { status: 500, code: 'internal', message: 'internal error' };
}

export const badRequest = (message: string, details?: unknown) =>
	new IngestError(400, 'bad_request', message, details);
export const tooLarge = (message: string, details?: unknown) =>
	new IngestError(413, 'payload_too_large', message, details);
