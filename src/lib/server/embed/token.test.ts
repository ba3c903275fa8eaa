import { SignJWT, UnsecuredJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { embedAccess } from './access';
import { addIntegration, removeIntegration, revokeIntegration } from './integrations';
import { MAX_TOKEN_BYTES, signEmbedToken, verifyEmbedToken } from './token';

let db: Db;
let integration: { id: string; secret: string };
const NOW = Date.UTC(2026, 11, 6, 8);
const kpis = { res: { type: 'kpis' as const }, filters: { team: ['t-cc1'] }, sub: 'viewer-1' };

beforeEach(async () => {
	db = openDatabase(':memory:');
	integration = await addIntegration(db, { name: 'Portal', origins: 'https://portal.example' }, NOW - 60_000);
});

async function raw(
	payload: Record<string, unknown>,
	header: Record<string, unknown> = {},
	secret = integration.secret
) {
	const iat = Math.floor(NOW / 1000);
	return new SignJWT({ iss: integration.id, iat, exp: iat + 600, res: { type: 'kpis' }, ...payload })
		.setProtectedHeader({ alg: 'HS256', kid: integration.id, ...header })
		.sign(new TextEncoder().encode(secret));
}

describe('verifyEmbedToken', () => {
	it('accepts a good token with its claims and defaults', async () => {
		const token = await signEmbedToken(integration, kpis, 600, NOW);
		const v = await verifyEmbedToken(db, token, NOW);
		expect(v.ok).toBe(true);
		if (!v.ok) return;
		expect(v.integration.id).toBe(integration.id);
		expect(v.claims).toMatchObject({
			res: { type: 'kpis' },
			filters: { team: ['t-cc1'] },
			params: [],
			theme: 'light',
			locale: 'zh-CN',
			sub: 'viewer-1'
		});
	});

	it('refuses a bad signature', async () => {
		const token = await raw({}, {}, 'another-secret-another-secret-another');
		expect(await verifyEmbedToken(db, token, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
		const good = await raw({});
		const tampered = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
		expect(await verifyEmbedToken(db, tampered, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
	});

	it('refuses an unknown, a removed and a revoked integration', async () => {
		expect(await verifyEmbedToken(db, await raw({}, { kid: 'emb_nobody' }), NOW)).toMatchObject({
			ok: false,
			reason: 'unknown_integration'
		});
		const token = await raw({});
		await revokeIntegration(db, integration.id, NOW + 1000);
		expect(await verifyEmbedToken(db, token, NOW + 2000)).toMatchObject({ ok: false, reason: 'revoked' });
		// A token issued after the revocation works again.
		expect(
			(await verifyEmbedToken(db, await signEmbedToken(integration, kpis, 600, NOW + 2000), NOW + 2000)).ok
		).toBe(true);
		await removeIntegration(db, integration.id);
		expect(await verifyEmbedToken(db, token, NOW)).toMatchObject({
			ok: false,
			reason: 'unknown_integration'
		});
	});

	it('refuses an expired token and one living longer than 24 h', async () => {
		const token = await signEmbedToken(integration, kpis, 600, NOW);
		expect(await verifyEmbedToken(db, token, NOW + 601_000 + 60_000)).toMatchObject({
			ok: false,
			reason: 'expired'
		});
		const iat = Math.floor(NOW / 1000);
		expect(await verifyEmbedToken(db, await raw({ exp: iat + 24 * 3600 + 1 }), NOW)).toMatchObject({
			ok: false,
			reason: 'lifetime'
		});
		expect((await verifyEmbedToken(db, await raw({ exp: iat + 24 * 3600 }), NOW)).ok).toBe(true);
		expect(await verifyEmbedToken(db, await raw({ exp: undefined }), NOW)).toMatchObject({ ok: false });
	});

	it('refuses a kid that is not the issuer', async () => {
		const other = await addIntegration(db, { name: 'Other', origins: 'https://other.example' });
		// Signed with the other integration's secret and kid, claiming to be issued by the first.
		const token = await new SignJWT({
			iss: integration.id,
			iat: NOW / 1000,
			exp: NOW / 1000 + 60,
			res: { type: 'kpis' }
		})
			.setProtectedHeader({ alg: 'HS256', kid: other.id })
			.sign(new TextEncoder().encode(other.secret));
		expect(await verifyEmbedToken(db, token, NOW)).toMatchObject({ ok: false, reason: 'claims' });
		// The first integration's kid on a token signed with the other's secret: the signature fails.
		const forged = await raw({}, { kid: integration.id }, other.secret);
		expect(await verifyEmbedToken(db, forged, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
		expect(await verifyEmbedToken(db, await raw({}, { kid: undefined }), NOW)).toMatchObject({
			ok: false,
			reason: 'malformed'
		});
	});

	it('refuses alg none and other algorithms', async () => {
		const iat = Math.floor(NOW / 1000);
		const none = new UnsecuredJWT({
			iss: integration.id,
			iat,
			exp: iat + 60,
			res: { type: 'kpis' }
		}).encode();
		const withKid = none.replace(
			/^[^.]+/,
			Buffer.from(JSON.stringify({ alg: 'none', kid: integration.id })).toString('base64url')
		);
		expect(await verifyEmbedToken(db, none, NOW)).toMatchObject({ ok: false, reason: 'algorithm' });
		expect(await verifyEmbedToken(db, withKid, NOW)).toMatchObject({ ok: false, reason: 'algorithm' });
		const hs512 = await new SignJWT({ iss: integration.id, iat, exp: iat + 60, res: { type: 'kpis' } })
			.setProtectedHeader({ alg: 'HS512', kid: integration.id })
			.sign(new TextEncoder().encode(integration.secret));
		expect(await verifyEmbedToken(db, hs512, NOW)).toMatchObject({ ok: false, reason: 'algorithm' });
	});

	it('refuses an oversized token before reading it, and garbage', async () => {
		const big = await raw({ padding: 'x'.repeat(MAX_TOKEN_BYTES) });
		expect(await verifyEmbedToken(db, big, NOW)).toMatchObject({ ok: false, reason: 'too_large' });
		expect(await verifyEmbedToken(db, 'not.a.jwt', NOW)).toMatchObject({ ok: false, reason: 'malformed' });
		expect(await verifyEmbedToken(db, null, NOW)).toMatchObject({ ok: false, reason: 'missing' });
	});

	it('refuses claims it cannot apply (an unknown resource type, an unknown filter name)', async () => {
		expect(await verifyEmbedToken(db, await raw({ res: { type: 'users' } }), NOW)).toMatchObject({
			ok: false,
			reason: 'claims'
		});
		expect(await verifyEmbedToken(db, await raw({ filters: { password: ['x'] } }), NOW)).toMatchObject({
			ok: false,
			reason: 'claims'
		});
	});
});

describe('embedAccess: the path and query against the token', () => {
	const claims = {
		res: { type: 'kpis' as const },
		filters: { team: ['t-cc1'], channel: ['phone'] },
		params: ['range', 'segment']
	};
	const q = (s: string) => new URLSearchParams(s);

	it('merges the locked filters into the view parameters, with the team as scope', () => {
		const a = embedAccess(claims, 'kpis', null, q('token=x&range=7d&segment=mass'));
		expect(a).toMatchObject({ ok: true, scope: { teams: ['t-cc1'] } });
		if (!a.ok) return;
		expect(a.params.toString()).toBe('range=7d&channel=phone&segment=mass&team=t-cc1');
	});

	it('answers 403 codes for another resource, a changed locked filter, a parameter not in params', () => {
		expect(embedAccess(claims, 'wallboard', null, q(''))).toMatchObject({
			ok: false,
			code: 'wrong_resource'
		});
		expect(embedAccess(claims, 'kpis', null, q('team=t-cc2'))).toMatchObject({
			ok: false,
			code: 'locked_filter'
		});
		expect(embedAccess(claims, 'kpis', null, q('team=t-cc1,t-cc2'))).toMatchObject({
			ok: false,
			code: 'locked_filter'
		});
		expect(embedAccess(claims, 'kpis', null, q('channel=chat'))).toMatchObject({
			ok: false,
			code: 'locked_filter'
		});
		expect(embedAccess(claims, 'kpis', null, q('region=north'))).toMatchObject({
			ok: false,
			code: 'not_a_param'
		});
		expect(embedAccess(claims, 'kpis', null, q('tv=1'))).toMatchObject({ ok: false, code: 'not_a_param' });
		// Repeating the locked value is no change.
		expect(embedAccess(claims, 'kpis', null, q('team=t-cc1')).ok).toBe(true);
	});

	it('locks the whole period when any part of it is locked', () => {
		const locked = { res: { type: 'kpis' as const }, filters: { range: ['7d'] }, params: ['from', 'to'] };
		expect(embedAccess(locked, 'kpis', null, q('from=2026-01-01'))).toMatchObject({
			ok: false,
			code: 'locked_filter'
		});
	});

	it('checks the key of keyed views and refuses a locked filter the view cannot apply', () => {
		const customer = { res: { type: 'customer' as const, key: 'c-1' }, filters: {}, params: [] };
		expect(embedAccess(customer, 'customer', 'c-1', q('')).ok).toBe(true);
		expect(embedAccess(customer, 'customer', 'c-2', q(''))).toMatchObject({
			ok: false,
			code: 'wrong_resource'
		});
		const funnel = {
			res: { type: 'funnel' as const, key: 'loss' },
			filters: { region: ['north'] },
			params: []
		};
		expect(embedAccess(funnel, 'funnel', 'loss', q(''))).toMatchObject({
			ok: false,
			code: 'filter_unsupported'
		});
	});
});
