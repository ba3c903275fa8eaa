/**
 * Authorization in every server entry point (STYLE.md rule 7): walks src/routes and fails when a load, an action
 * or a +server.ts handler neither calls a guard (guard.ts) nor belongs to a route listed in public-routes.ts, and
 * when a page is covered by neither its own guarded load nor a guarded layout above it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import type { Handle, RequestEvent } from '@sveltejs/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { handleAuth } from '../../../hooks/auth';
import { handleBodyLimit } from '../../../hooks/body-limit';
import { handleCsrf } from '../../../hooks/csrf';
import { openDatabase, useDatabase } from '$lib/server/db';
import { isIngestionPath } from '$lib/server/ingest/routes';
import { scopedCxQuery } from './cx-query';
import { addReadKey } from './keys';
import { isPublicPath } from './public-routes';
import { SESSION_COOKIE, createSession, generateSessionToken } from './session';
import { createUser } from './users';

/** requireEmbed (embed/guard.ts) authorises /embed routes by a signed token instead of a session. */
/** scopedCxQuery (cx-query.ts) starts with requireUser; the test below checks that it still does. */
const GUARDS = new Set(['requireUser', 'requireRole', 'requireSession', 'requireEmbed', 'scopedCxQuery']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'fallback']);

interface EntryPoint {
	/** load, actions.<name>, or the HTTP method of a +server.ts export. */
	name: string;
	method: string;
	guarded: boolean;
}

function callsAny(node: ts.Node, names: Set<string>): boolean {
	let found = false;
	const visit = (n: ts.Node) => {
		if (found) return;
		if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && names.has(n.expression.text)) found = true;
		else ts.forEachChild(n, visit);
	};
	visit(node);
	return found;
}

function unwrap(node: ts.Expression): ts.Expression {
	let current = node;
	while (
		ts.isSatisfiesExpression(current) ||
		ts.isAsExpression(current) ||
		ts.isParenthesizedExpression(current) ||
		ts.isTypeAssertionExpression(current)
	)
		current = current.expression;
	return current;
}

/** The entry points a server module exports, each marked guarded when it calls a guard (or a local helper that does). */
function entryPoints(source: string, kind: 'page' | 'layout' | 'endpoint'): EntryPoint[] {
	const file = ts.createSourceFile('route.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
	const locals = new Map<string, ts.Node>();
	const exported: [string, ts.Node][] = [];
	for (const statement of file.statements) {
		const isExported = ts.canHaveModifiers(statement)
			? (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
			: false;
		if (ts.isFunctionDeclaration(statement) && statement.name) {
			locals.set(statement.name.text, statement);
			if (isExported) exported.push([statement.name.text, statement]);
		} else if (ts.isVariableStatement(statement)) {
			for (const d of statement.declarationList.declarations) {
				if (!ts.isIdentifier(d.name) || !d.initializer) continue;
				locals.set(d.name.text, d.initializer);
				if (isExported) exported.push([d.name.text, d.initializer]);
			}
		} else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
			// `export { x as GET }` and re-exports cannot be checked here: refuse them for entry points.
			exported.push(['<re-export>', statement]);
		}
	}
	// Helpers guarded themselves: a call to one counts as a guard call.
	const guards = new Set(GUARDS);
	for (let changed = true; changed;) {
		changed = false;
		for (const [name, node] of locals)
			if (!guards.has(name) && callsAny(node, guards)) {
				guards.add(name);
				changed = true;
			}
	}
	const entries: EntryPoint[] = [];
	for (const [name, node] of exported) {
		if (name === '<re-export>') {
			entries.push({ name: 're-export', method: '*', guarded: false });
		} else if (kind !== 'endpoint' && name === 'load') {
			entries.push({ name, method: 'GET', guarded: callsAny(node, guards) });
		} else if (kind === 'page' && name === 'actions') {
			const object = ts.isExpression(node as ts.Expression) ? unwrap(node as ts.Expression) : node;
			if (!ts.isObjectLiteralExpression(object)) {
				entries.push({ name: 'actions', method: 'POST', guarded: false });
				continue;
			}
			for (const property of object.properties) {
				const actionName = property.name && ts.isIdentifier(property.name) ? property.name.text : '?';
				const body = ts.isShorthandPropertyAssignment(property)
					? (locals.get(property.name.text) ?? property)
					: property;
				entries.push({ name: `actions.${actionName}`, method: 'POST', guarded: callsAny(body, guards) });
			}
		} else if (kind === 'endpoint' && METHODS.has(name)) {
			entries.push({ name, method: name === 'fallback' ? '*' : name, guarded: callsAny(node, guards) });
		}
	}
	return entries;
}

const routesDir = resolve('src/routes');

function routePath(dir: string): string {
	const segments = relative(routesDir, dir)
		.split(/[\\/]/)
		.filter((s) => s && !(s.startsWith('(') && s.endsWith(')')));
	return `/${segments.join('/')}`;
}

function isPublic(path: string, method: string): boolean {
	return method === '*'
		? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].every((m) => isPublicPath(path, m))
		: isPublicPath(path, method);
}

function serverFile(dir: string, base: string): string | null {
	for (const ext of ['.ts', '.js']) if (existsSync(join(dir, base + ext))) return join(dir, base + ext);
	return null;
}

interface Finding {
	file: string;
	entry: string;
}

function walk(dir: string, guardedLayoutAbove: boolean, problems: Finding[], checked: string[]) {
	const path = routePath(dir);
	let covered = guardedLayoutAbove;

	const layout = serverFile(dir, '+layout.server');
	if (layout) {
		const entries = entryPoints(readFileSync(layout, 'utf8'), 'layout');
		for (const e of entries) {
			checked.push(`${relative(routesDir, layout)} ${e.name}`);
			if (!e.guarded && !isPublic(path, e.method))
				problems.push({ file: relative(routesDir, layout), entry: e.name });
		}
		if (entries.some((e) => e.name === 'load' && e.guarded)) covered = true;
	}

	const pageServer = serverFile(dir, '+page.server');
	let pageLoadGuarded = false;
	if (pageServer) {
		const entries = entryPoints(readFileSync(pageServer, 'utf8'), 'page');
		for (const e of entries) {
			checked.push(`${relative(routesDir, pageServer)} ${e.name}`);
			if (!e.guarded && !isPublic(path, e.method))
				problems.push({ file: relative(routesDir, pageServer), entry: e.name });
		}
		pageLoadGuarded = entries.some((e) => e.name === 'load' && e.guarded);
	}

	if (existsSync(join(dir, '+page.svelte')) && !covered && !pageLoadGuarded && !isPublicPath(path, 'GET'))
		problems.push({
			file: relative(routesDir, join(dir, '+page.svelte')),
			entry: 'page (no guarded load above it)'
		});

	const endpoint = serverFile(dir, '+server');
	if (endpoint)
		for (const e of entryPoints(readFileSync(endpoint, 'utf8'), 'endpoint')) {
			checked.push(`${relative(routesDir, endpoint)} ${e.name}`);
			if (!e.guarded && !isPublic(path, e.method))
				problems.push({ file: relative(routesDir, endpoint), entry: e.name });
		}

	for (const entry of readdirSync(dir, { withFileTypes: true }))
		if (entry.isDirectory()) walk(join(dir, entry.name), covered, problems, checked);
}

describe('route walk: every server entry point is guarded or public', () => {
	it('finds no unguarded entry point under src/routes', () => {
		const problems: Finding[] = [];
		const checked: string[] = [];
		walk(routesDir, false, problems, checked);
		expect(checked.length).toBeGreaterThan(5);
		expect(problems).toEqual([]);
	});

	it('knows the shapes it checks (and flags what it cannot see)', () => {
		const guardedLoad = `import { requireUser } from '$lib/server/auth/guard';
			export const load = ({ locals }) => { requireUser(locals); return {}; };`;
		expect(entryPoints(guardedLoad, 'page')).toEqual([{ name: 'load', method: 'GET', guarded: true }]);

		const actions = `export const actions = {
			ok: async ({ locals }) => { requireRole(locals, 'admin'); },
			viaHelper: (event) => helper(event),
			missing: async () => ({ done: true })
		} satisfies Actions;
		async function helper(event) { requireRole(event.locals, 'admin'); }`;
		expect(entryPoints(actions, 'page').map((e) => [e.name, e.guarded])).toEqual([
			['actions.ok', true],
			['actions.viaHelper', true],
			['actions.missing', false]
		]);

		const endpoint = `export const GET = ({ locals }) => { requireUser(locals); return json({}); };
			export async function POST() { return json({}); }
			export { handler as PUT };`;
		expect(entryPoints(endpoint, 'endpoint').map((e) => [e.name, e.guarded])).toEqual([
			['GET', true],
			['POST', false],
			['re-export', false]
		]);
	});

	it('counts the embed token guard, and finds it on every /embed entry point', () => {
		const embed = `export const load = async (event) => { const ctx = await requireEmbed(event, { type: 'kpis' }); return {}; };`;
		expect(entryPoints(embed, 'page')).toEqual([{ name: 'load', method: 'GET', guarded: true }]);
		const problems: Finding[] = [];
		const checked: string[] = [];
		walk(join(routesDir, 'embed'), false, problems, checked);
		expect(checked.filter((c) => c.startsWith('embed'))).toHaveLength(8);
		expect(problems).toEqual([]);
	});

	it('counts scopedCxQuery as a guard because it refuses a caller who is not signed in', () => {
		let thrown: unknown;
		try {
			scopedCxQuery({} as App.Locals, new URLSearchParams());
		} catch (e) {
			thrown = e;
		}
		expect(thrown).toMatchObject({ status: 401 });
	});

	it('reads the public list per method', () => {
		expect(isPublic('/api/v1/events', 'POST')).toBe(true);
		expect(isPublic('/api/v1/events', 'GET')).toBe(false);
		expect(isPublic('/v1/batch', '*')).toBe(true);
		expect(isPublic('/api/v1/teams', 'GET')).toBe(false);
		expect(isPublic('/login', 'POST')).toBe(true);
		expect(isPublic('/loginx', 'GET')).toBe(false);
		expect(isPublic('/batch/', 'POST')).toBe(true);
	});
});

/** Every state-changing entry point: (path with its parameters filled in, method, where it was found). */
function stateChangingRoutes(dir = routesDir, found: { path: string; method: string; file: string }[] = []) {
	const sample: Record<string, string> = { id: '1', key: 'complaint', call: 'track', action: 'acknowledge' };
	const fill = (path: string) =>
		path.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_, name: string) => sample[name] ?? 'x');
	const path = fill(routePath(dir));
	const pageServer = serverFile(dir, '+page.server');
	if (pageServer)
		for (const e of entryPoints(readFileSync(pageServer, 'utf8'), 'page'))
			if (e.name.startsWith('actions.')) {
				const action = e.name.slice('actions.'.length);
				found.push({
					path: action === 'default' ? path : `${path}?/${action}`,
					method: 'POST',
					file: relative(routesDir, pageServer)
				});
			}
	const endpoint = serverFile(dir, '+server');
	if (endpoint)
		for (const e of entryPoints(readFileSync(endpoint, 'utf8'), 'endpoint'))
			for (const method of e.method === '*' ? ['POST', 'PUT', 'PATCH', 'DELETE'] : [e.method])
				if (!['GET', 'HEAD', 'OPTIONS'].includes(method))
					found.push({ path, method, file: relative(routesDir, endpoint) });
	for (const entry of readdirSync(dir, { withFileTypes: true }))
		if (entry.isDirectory()) stateChangingRoutes(join(dir, entry.name), found);
	return found;
}

describe('route walk: every state-changing route refuses read keys and cross-site cookies', () => {
	let readKey = '';
	let sessionToken = '';
	// The hooks in the order hooks.server.ts runs them (sequence() itself needs SvelteKit's request store).
	const hooks: Handle[] = [handleBodyLimit, handleCsrf, handleAuth];
	const handle: Handle = ({ event, resolve }) =>
		hooks.reduceRight<(e: RequestEvent) => Promise<Response>>(
			(next, hook) => async (e) => hook({ event: e, resolve: (inner) => next(inner) }),
			async (e) => resolve(e)
		)(event);

	beforeAll(async () => {
		const db = useDatabase(openDatabase(':memory:'));
		readKey = (await addReadKey(db, { name: 'dashboard', role: 'admin' })).key;
		const admin = await createUser(db, { email: 'walk@bank.example', password: 'password-1', role: 'admin' });
		sessionToken = generateSessionToken();
		await createSession(db, sessionToken, admin.id);
	});

	async function send(route: { path: string; method: string }, headers: Record<string, string>) {
		const url = new URL(route.path, 'http://localhost:3000');
		const cookieHeader = headers.cookie ?? '';
		const cookies = Object.fromEntries(
			cookieHeader
				.split(';')
				.filter(Boolean)
				.map((c) => c.trim().split('=') as [string, string])
		);
		const event = {
			url,
			request: new Request(url, { method: route.method, headers }),
			cookies: {
				get: (name: string) => cookies[name],
				getAll: () => Object.entries(cookies).map(([name, value]) => ({ name, value })),
				set: () => {},
				delete: () => {},
				serialize: () => ''
			},
			locals: {} as App.Locals,
			getClientAddress: () => '192.0.2.1'
		} as unknown as RequestEvent;
		let reached = false;
		const response = await handle({
			event,
			resolve: async () => {
				reached = true;
				return new Response('handled');
			}
		});
		return { status: response.status, reached };
	}

	it('finds the state-changing routes (form actions and +server.ts handlers)', () => {
		const routes = stateChangingRoutes();
		expect(routes.length).toBeGreaterThan(20);
		expect(routes).toContainEqual(expect.objectContaining({ path: '/api/v1/alert-rules', method: 'POST' }));
		expect(routes).toContainEqual(expect.objectContaining({ path: '/admin/users?/create', method: 'POST' }));
		expect(routes).toContainEqual(expect.objectContaining({ path: '/login', method: 'POST' }));
	});

	it('answers 403 to a read key on every non-GET route, before any handler runs', async () => {
		const leaks: string[] = [];
		for (const route of stateChangingRoutes()) {
			const { status, reached } = await send(route, { authorization: `Bearer ${readKey}` });
			if (status !== 403 || reached) leaks.push(`${route.method} ${route.path} → ${status} (${route.file})`);
		}
		expect(leaks).toEqual([]);
	});

	it('answers 403 to a cross-site request with no content type that carries the session cookie', async () => {
		const leaks: string[] = [];
		const open: string[] = [];
		for (const route of stateChangingRoutes()) {
			const { status, reached } = await send(route, {
				cookie: `${SESSION_COOKIE}=${sessionToken}`,
				origin: 'https://evil.example'
			});
			const path = route.path.split('?')[0];
			// Ingestion is open cross-site (write keys, no cookies), except the CSV import that acts as the admin.
			if (isIngestionPath(path) && path !== '/api/v1/import/csv') {
				if (reached) open.push(path);
			} else if (status !== 403 || reached)
				leaks.push(`${route.method} ${route.path} → ${status} (${route.file})`);
		}
		expect(leaks).toEqual([]);
		expect(open).toContain('/api/v1/events');
		// The same request from our own origin (or a browser's Sec-Fetch-Site: same-origin) goes through.
		const own = await send(
			{ path: '/api/v1/alert-rules', method: 'POST' },
			{ cookie: `${SESSION_COOKIE}=${sessionToken}`, origin: 'http://localhost:3000' }
		);
		expect(own.reached).toBe(true);
		const fetchMeta = await send(
			{ path: '/logout', method: 'POST' },
			{ cookie: `${SESSION_COOKIE}=${sessionToken}`, 'sec-fetch-site': 'same-origin' }
		);
		expect(fetchMeta.reached).toBe(true);
	});

	it('answers 403 to a write key on the reading API (write keys only ingest)', async () => {
		const { status, reached } = await send(
			{ path: '/api/v1/alert-rules', method: 'GET' },
			{ authorization: 'Bearer rsn_w_someonesbrowserkey' }
		);
		expect([status, reached]).toEqual([403, false]);
	});
});
