import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequest, setResponse } from '@sveltejs/kit/node';
import type { IngestContext } from './context';
import { handleCsvImport } from './csv-import';
import {
	jsonResponse,
	handleNative,
	handlePostHog,
	handlePostHogConfig,
	handlePostHogFlags,
	handlePreflight,
	handleRudderSourceConfig,
	handleSegment
} from './http';

const POSTHOG_CAPTURE = new Set(['/batch', '/capture', '/e', '/i/v0/e']);

/**
 * Routes a request to the ingestion handlers the way the SvelteKit routes do (`/v1/[call]`, `/batch`,
 * `/capture`, `/e`, `/i/v0/e`, `/flags`, `/decide`, `/array/<token>/config[.js]`, `/sourceConfig`, `/api/v1/events`,
 * `/api/v1/import/csv` with a write key). For tests and the benchmark, which run the handlers without SvelteKit.
 */
export function routeIngestion(request: Request, ctx: IngestContext): Promise<Response> | Response {
	const path = new URL(request.url).pathname.replace(/\/$/, '');
	if (request.method === 'OPTIONS') return handlePreflight(request, ctx);
	if (path === '/flags' || path === '/decide') return handlePostHogFlags(request, ctx);
	const config = /^\/array\/([^/]+)\/(config|config\.js)$/.exec(path);
	if (config && request.method === 'GET')
		return handlePostHogConfig(request, decodeURIComponent(config[1]), config[2] === 'config.js', ctx);
	if (path === '/sourceConfig' && request.method === 'GET') return handleRudderSourceConfig(request, ctx);
	if (request.method !== 'POST')
		return jsonResponse(405, { error: { code: 'method_not_allowed', message: 'POST only', details: null } });
	const segment = /^\/v1\/([^/]+)$/.exec(path);
	if (segment) return handleSegment(request, segment[1], ctx);
	if (POSTHOG_CAPTURE.has(path)) return handlePostHog(request, ctx);
	if (path === '/api/v1/events') return handleNative(request, ctx);
	if (path === '/api/v1/import/csv') return handleCsvImport(request, ctx);
	return jsonResponse(404, { error: { code: 'not_found', message: `no route ${path}`, details: null } });
}

export interface IngestServer {
	url: string;
	server: Server;
	close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (random port unless given) turning Node requests into `Request`s with
 * SvelteKit's own adapter functions, as adapter-node does.
 */
export async function serveIngestion(ctx: IngestContext, port = 0): Promise<IngestServer> {
	const server = createServer(async (req, res) => {
		try {
			const request = await getRequest({ request: req, base: `http://${req.headers.host}` });
			await setResponse(res, await routeIngestion(request, ctx));
		} catch (error) {
			console.error('ingest test server', error);
			if (!res.headersSent) res.writeHead(500);
			res.end();
		}
	});
	server.keepAliveTimeout = 30_000;
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	const { port: bound } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${bound}`,
		server,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}
