import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { API_DIMENSIONS } from '$lib/components/filters/filter-state';
import { integrationWithSecret, type Integration } from './integrations';

/**
 * Signed-embed tokens (DESIGN.md "Embedded analytics"): an HS256 JWT whose header `kid` and claim `iss` name the
 * integration that signed it with its own secret. Verification, in order: size → header (HS256 only, a kid) →
 * integration (known, secret readable) → signature and expiry (jose, iss = kid) → lifetime ≤ 24 h → revocation
 * (issued before the integration's revokedBefore) → claims (zod). Any failure is a 401 with its reason and no data.
 */

export const RESOURCE_TYPES = ['wallboard', 'kpis', 'trend', 'funnel', 'paths', 'customer'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Types whose path names a key: /embed/funnel/<journey>, /embed/paths/<journey>, /embed/customer/<id>. */
export const KEYED_TYPES: readonly ResourceType[] = ['funnel', 'paths', 'customer'];

/** Filters a token may lock, and parameters it may let the viewer change: the URL filters of the app. */
export const PERIOD_PARAMS = ['range', 'from', 'to'] as const;
export const FILTER_NAMES: readonly string[] = [...PERIOD_PARAMS, ...API_DIMENSIONS];

export const MAX_TOKEN_BYTES = 4096;
export const MAX_LIFETIME_S = 24 * 3600;
/** Tolerated clock difference between the host and us. */
export const CLOCK_SKEW_S = 60;

const filterName = z.string().refine((n) => FILTER_NAMES.includes(n), { message: 'not a filter name' });
const value = z.string().trim().min(1).max(256);

export const claimsSchema = z.object({
	iss: z.string(),
	iat: z.number().int(),
	exp: z.number().int(),
	sub: z.string().max(256).optional(),
	res: z.object({
		type: z.enum(RESOURCE_TYPES),
		key: z.string().min(1).max(256).optional()
	}),
	filters: z
		.record(filterName, z.union([value, z.array(value).min(1).max(50)]))
		.default({})
		.transform((f) =>
			Object.fromEntries(
				Object.entries(f).map(([k, v]) => [k, [...new Set(Array.isArray(v) ? v : [v])].sort()])
			)
		),
	params: z.array(filterName).max(20).default([]),
	theme: z.enum(['light', 'dark']).default('light'),
	locale: z.enum(['zh-CN', 'en']).default('zh-CN')
});
export type EmbedClaims = z.infer<typeof claimsSchema>;

export type TokenFailure =
	| 'missing'
	| 'too_large'
	| 'malformed'
	| 'algorithm'
	| 'unknown_integration'
	| 'bad_signature'
	| 'expired'
	| 'lifetime'
	| 'revoked'
	| 'claims';

export type Verified =
	| { ok: true; claims: EmbedClaims; integration: Integration }
	| { ok: false; reason: TokenFailure; message: string; integration?: Integration };

const fail = (reason: TokenFailure, message: string, integration?: Integration): Verified => ({
	ok: false,
	reason,
	message,
	...(integration ? { integration } : {})
});

export async function verifyEmbedToken(
	db: Db | Storage,
	token: string | null | undefined,
	now = Date.now()
): Promise<Verified> {
	if (!token) return fail('missing', 'No token was given');
	if (token.length > MAX_TOKEN_BYTES)
		return fail('too_large', `The token is longer than ${MAX_TOKEN_BYTES} bytes`);
	let header;
	try {
		header = decodeProtectedHeader(token);
	} catch {
		return fail('malformed', 'The token is not a JWT');
	}
	if (header.alg !== 'HS256') return fail('algorithm', 'Only HS256 tokens are accepted');
	if (typeof header.kid !== 'string' || !header.kid) return fail('malformed', 'The token has no kid');
	const found = await integrationWithSecret(db, header.kid);
	if (!found) return fail('unknown_integration', 'The token names no known integration');
	const { secret, ...integration } = found;
	let payload;
	try {
		({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
			algorithms: ['HS256'],
			issuer: integration.id,
			requiredClaims: ['iat', 'exp'],
			currentDate: new Date(now),
			clockTolerance: CLOCK_SKEW_S
		}));
	} catch (e) {
		if (e instanceof errors.JWTExpired) return fail('expired', 'The token has expired', integration);
		if (e instanceof errors.JWSSignatureVerificationFailed)
			return fail('bad_signature', 'The token signature does not match', integration);
		if (e instanceof errors.JWTClaimValidationFailed)
			return fail('claims', `The token claim ${e.claim} is not valid (${e.reason})`, integration);
		return fail('malformed', 'The token could not be read', integration);
	}
	const iat = payload.iat ?? 0;
	const exp = payload.exp ?? 0;
	if (exp - iat > MAX_LIFETIME_S)
		return fail('lifetime', 'The token lives longer than 24 hours', integration);
	if (iat * 1000 > now + CLOCK_SKEW_S * 1000)
		return fail('claims', 'The token is issued in the future', integration);
	if (iat * 1000 < integration.revokedBefore)
		return fail('revoked', 'The integration revoked tokens issued at this time', integration);
	const parsed = claimsSchema.safeParse(payload);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		return fail(
			'claims',
			`The token claim ${issue.path.join('.')} is not valid: ${issue.message}`,
			integration
		);
	}
	return { ok: true, claims: parsed.data, integration };
}

/** Signs a token as a host would (TV links issued from /admin/embed, and tests). */
export async function signEmbedToken(
	integration: { id: string; secret: string },
	claims: Omit<EmbedClaims, 'iss' | 'iat' | 'exp' | 'filters' | 'params' | 'theme' | 'locale'> &
		Partial<Pick<EmbedClaims, 'filters' | 'params' | 'theme' | 'locale'>>,
	lifetimeS: number,
	now = Date.now()
): Promise<string> {
	const iat = Math.floor(now / 1000);
	return new SignJWT({ ...claims })
		.setProtectedHeader({ alg: 'HS256', kid: integration.id, typ: 'JWT' })
		.setIssuer(integration.id)
		.setIssuedAt(iat)
		.setExpirationTime(iat + lifetimeS)
		.sign(new TextEncoder().encode(integration.secret));
}
