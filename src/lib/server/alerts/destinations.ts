import { lookup as lookupCallback, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';

/**
 * Where webhooks may go (DESIGN.md "Webhooks"): not to loopback, link-local (169.254.0.0/16 — cloud metadata —,
 * fe80::/10) or unspecified addresses, unless the host is listed in RESONANCE_WEBHOOK_ALLOW (comma-separated hosts or
 * CIDRs). Private ranges are allowed: a bank's receivers are internal. Checked when a URL is saved (the host as
 * written) and again before each delivery, on every address the name resolves to then (DNS rebinding).
 */

const forbidden = new BlockList();
forbidden.addSubnet('127.0.0.0', 8, 'ipv4');
forbidden.addSubnet('169.254.0.0', 16, 'ipv4');
forbidden.addSubnet('0.0.0.0', 8, 'ipv4');
forbidden.addAddress('::1', 'ipv6');
forbidden.addAddress('::', 'ipv6');
forbidden.addSubnet('fe80::', 10, 'ipv6');

export interface AllowList {
	hosts: Set<string>;
	cidrs: BlockList;
}

/** Parses RESONANCE_WEBHOOK_ALLOW: `hook.internal, 127.0.0.1, 10.0.0.0/8, ::1`. */
export function parseAllowList(value: string | undefined): AllowList {
	const hosts = new Set<string>();
	const cidrs = new BlockList();
	for (const raw of (value ?? '').split(',')) {
		const entry = raw
			.trim()
			.toLowerCase()
			.replace(/^\[|\]$/g, '');
		if (!entry) continue;
		const [address, bits] = entry.split('/');
		const family = isIP(address);
		if (family && bits !== undefined && /^\d+$/.test(bits))
			cidrs.addSubnet(address, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
		else if (family) cidrs.addAddress(address, family === 6 ? 'ipv6' : 'ipv4');
		else hosts.add(entry);
	}
	return { hosts, cidrs };
}

export function allowListFromEnv(): AllowList {
	return parseAllowList(process.env.RESONANCE_WEBHOOK_ALLOW);
}

/** An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it carries. */
function unmapped(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
	const lower = address.toLowerCase();
	const mapped = lower.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
	if (mapped) return { address: mapped[1], type: 'ipv4' };
	return { address: lower, type: isIP(lower) === 6 ? 'ipv6' : 'ipv4' };
}

/** Whether an IP address is loopback, link-local or unspecified (and not allowed by the list). */
export function isForbiddenAddress(address: string, allow: AllowList = allowListFromEnv()): boolean {
	const ip = unmapped(address);
	if (allow.cidrs.check(ip.address, ip.type) || allow.hosts.has(ip.address)) return false;
	return forbidden.check(ip.address, ip.type);
}

const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[|\]$/g, '');

/**
 * Why a webhook URL may not be saved (null when it may): an IP literal or a `localhost` name that is loopback,
 * link-local or unspecified, and not on the allow list.
 */
export function destinationProblem(value: string, allow: AllowList = allowListFromEnv()): string | null {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return 'must be an http(s) URL';
	}
	const host = hostOf(url);
	if (allow.hosts.has(host)) return null;
	if (isIP(host)) return isForbiddenAddress(host, allow) ? refusal(host) : null;
	if (host === 'localhost' || host.endsWith('.localhost')) return refusal(host);
	return null;
}

const refusal = (host: string) =>
	`${host} is a loopback, link-local or unspecified address; list it in RESONANCE_WEBHOOK_ALLOW to allow it`;

/**
 * The check before a delivery: the host resolved now, every address judged (a name that pointed elsewhere when it
 * was saved cannot be turned to 127.0.0.1 or 169.254.169.254 later). Null when the delivery may go.
 */
export async function deliveryProblem(
	value: string,
	allow: AllowList = allowListFromEnv(),
	resolve: (host: string) => Promise<string[]> = resolveAll
): Promise<string | null> {
	const problem = destinationProblem(value, allow);
	if (problem) return problem;
	const host = hostOf(new URL(value));
	if (allow.hosts.has(host) || isIP(host)) return null;
	let addresses: string[];
	try {
		addresses = await resolve(host);
	} catch (error) {
		return `${host} does not resolve: ${error instanceof Error ? error.message : String(error)}`;
	}
	const bad = addresses.find((a) => isForbiddenAddress(a, allow));
	return bad ? `${host} resolves to ${bad}, ${refusal(bad).slice(bad.length + 1)}` : null;
}

async function resolveAll(host: string): Promise<string[]> {
	return (await lookup(host, { all: true, verbatim: true })).map((r) => r.address);
}

type LookupCallback = (
	error: NodeJS.ErrnoException | null,
	address: string | LookupAddress[],
	family?: number
) => void;

/**
 * A DNS lookup for the delivery's own connection that refuses loopback, link-local and unspecified answers: the
 * address connected to is the address checked, so a name that changes between the check and the connection
 * (DNS rebinding with a short TTL) still cannot reach them.
 */
function checkedLookup(allow: AllowList) {
	return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
		lookupCallback(hostname, { ...options, all: true }, (error, addresses) => {
			if (error) return callback(error, []);
			const list = addresses as LookupAddress[];
			const bad = allow.hosts.has(hostname.toLowerCase())
				? undefined
				: list.find((a) => isForbiddenAddress(a.address, allow));
			if (bad)
				return callback(
					Object.assign(new Error(`refused: ${hostname} resolves to ${bad.address}`), { code: 'EREFUSED' }),
					[]
				);
			if (options.all) return callback(null, list);
			callback(null, list[0]?.address ?? '', list[0]?.family ?? 4);
		});
	};
}

/**
 * The webhook POST: one request, redirects never followed (a 3xx is the answer), connected only to an address that
 * passed the destination check. Answers a Response with the status (the body is not read).
 */
export function guardedFetch(
	url: string,
	init: RequestInit,
	allow: AllowList = allowListFromEnv()
): Promise<Response> {
	const target = new URL(url);
	const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
	return new Promise((resolve, reject) => {
		const request = send(
			target,
			{
				method: init.method ?? 'POST',
				headers: init.headers as Record<string, string>,
				signal: init.signal ?? undefined,
				lookup: checkedLookup(allow) as never
			},
			(response) => {
				response.resume();
				resolve(
					new Response(null, { status: response.statusCode === 204 ? 204 : (response.statusCode ?? 500) })
				);
			}
		);
		request.on('error', reject);
		request.end(typeof init.body === 'string' ? init.body : undefined);
	});
}
