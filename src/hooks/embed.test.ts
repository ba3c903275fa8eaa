import { describe, expect, it } from 'vitest';
import { UnsecuredJWT } from 'jose';
import { embedPresentation, isEmbedPath, withFrameAncestorsOnly } from './embed';

describe('embed hook helpers', () => {
	it('knows the embed paths (and not /embed.js)', () => {
		expect(isEmbedPath('/embed/kpis')).toBe(true);
		expect(isEmbedPath('/embed')).toBe(true);
		expect(isEmbedPath('/embed.js')).toBe(false);
		expect(isEmbedPath('/embedded')).toBe(false);
	});

	it('reads only language and theme from the token, with safe defaults for anything else', () => {
		const token = new UnsecuredJWT({ locale: 'en', theme: 'dark' }).encode();
		expect(embedPresentation(token)).toEqual({ locale: 'en', theme: 'dark' });
		const odd = new UnsecuredJWT({ locale: '"><script>', theme: 'x' }).encode();
		expect(embedPresentation(odd)).toEqual({ locale: 'zh-CN', theme: 'light' });
		expect(embedPresentation('garbage')).toEqual({ locale: 'zh-CN', theme: 'light' });
		expect(embedPresentation(null)).toEqual({ locale: 'zh-CN', theme: 'light' });
	});

	it('replaces frame-ancestors and keeps the rest of the policy', () => {
		expect(withFrameAncestorsOnly("default-src 'self'; frame-ancestors 'self'", 'https://a.example')).toBe(
			"default-src 'self'; frame-ancestors https://a.example"
		);
		expect(withFrameAncestorsOnly(null, "'none'")).toBe("frame-ancestors 'none'");
	});
});
