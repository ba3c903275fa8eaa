import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls, rootCertificates, type ConnectionOptions, type TLSSocket } from 'node:tls';

/**
 * A small SMTP client (RFC 5321) for alert e-mail, without a dependency: `smtp://` to a relay, upgraded with
 * STARTTLS (RFC 3207) when the server offers it, `smtps://` with implicit TLS (port 465), AUTH PLAIN when the URL
 * has a user. Certificates are always verified, against the public roots and the bank's own CA when one is given.
 * One connection per message: alert mail is rare. The body is UTF-8 text, base64-encoded, so no line needs
 * dot-stuffing and Chinese needs no 8BITMIME.
 */

/** `required`: TLS or no mail; `opportunistic`: TLS when offered; `off`: plain text (the only way to AUTH in clear). */
export type StartTlsPolicy = 'required' | 'opportunistic' | 'off';
const STARTTLS_POLICIES: readonly StartTlsPolicy[] = ['required', 'opportunistic', 'off'];

export interface SmtpConfig {
	host: string;
	port: number;
	secure: boolean;
	/** For `smtp://` (`?starttls=`, default opportunistic); `off` for `smtps://`, which is TLS from the start. */
	starttls: StartTlsPolicy;
	/** PEM certificates trusted besides the public roots (RESONANCE_SMTP_CA_FILE). */
	ca: string | null;
	user: string | null;
	password: string | null;
	/** The envelope and header sender. */
	from: string;
}

export class SmtpError extends Error {
	constructor(
		/** The server's reply code, or null when the connection failed or timed out. */
		readonly code: number | null,
		message: string
	) {
		super(message);
	}

	/** 4xx answers and lost connections are worth another try; 5xx answers are final. */
	get retriable(): boolean {
		return this.code === null || (this.code >= 400 && this.code < 500);
	}
}

/**
 * `smtp://user:password@host:25[?starttls=required|opportunistic|off]` or `smtps://…:465`, with the sender
 * (RESONANCE_SMTP_FROM). Throws on bad input.
 */
export function parseSmtpUrl(url: string, from: string): SmtpConfig {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new Error('RESONANCE_SMTP_URL: not a URL (smtp://host:port or smtps://host:port)');
	}
	if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:')
		throw new Error('RESONANCE_SMTP_URL: the scheme must be smtp or smtps');
	if (!parsed.hostname) throw new Error('RESONANCE_SMTP_URL: no host');
	if (!/^[^\s@<>]+@[^\s@<>]+$/.test(from))
		throw new Error('RESONANCE_SMTP_FROM: an e-mail address such as alerts@bank.example');
	const secure = parsed.protocol === 'smtps:';
	// Any other parameter is refused: a misspelt `starttls` must not quietly fall back to the default.
	for (const key of parsed.searchParams.keys())
		if (key !== 'starttls') throw new Error(`RESONANCE_SMTP_URL: unknown parameter ${key} (only starttls)`);
	const starttls = parsed.searchParams.get('starttls') ?? (secure ? 'off' : 'opportunistic');
	if (!STARTTLS_POLICIES.includes(starttls as StartTlsPolicy))
		throw new Error('RESONANCE_SMTP_URL: starttls must be required, opportunistic or off');
	if (secure && starttls !== 'off')
		throw new Error('RESONANCE_SMTP_URL: starttls is for smtp:// (smtps:// is TLS from the start)');
	return {
		host: parsed.hostname.replace(/^\[|\]$/g, ''),
		port: parsed.port ? Number(parsed.port) : secure ? 465 : 25,
		secure,
		starttls: starttls as StartTlsPolicy,
		ca: null,
		user: parsed.username ? decodeURIComponent(parsed.username) : null,
		password: parsed.password ? decodeURIComponent(parsed.password) : null,
		from
	};
}

/** The bank's CA bundle (RESONANCE_SMTP_CA_FILE), read once at start. Throws on a missing or unreadable file. */
export function readCaFile(path: string): string {
	let pem: string;
	try {
		pem = readFileSync(path, 'utf8');
	} catch (error) {
		const reason = (error as NodeJS.ErrnoException).code ?? String(error);
		throw new Error(`RESONANCE_SMTP_CA_FILE: cannot read ${path} (${reason})`, { cause: error });
	}
	// A DER file (.cer) is a common mistake; it would be ignored silently by TLS.
	if (!pem.includes('-----BEGIN CERTIFICATE-----'))
		throw new Error(`RESONANCE_SMTP_CA_FILE: ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
	return pem;
}

export interface MailMessage {
	to: readonly string[];
	subject: string;
	text: string;
}

/** A header value as an RFC 2047 encoded word when it is not plain ASCII. */
function headerText(value: string): string {
	const clean = value.replace(/[\r\n]+/g, ' ');
	return /^[\x20-\x7e]*$/.test(clean)
		? clean
		: `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

/** The message as sent after DATA: headers, a blank line, the base64 body in 76-character lines. */
export function formatMessage(from: string, message: MailMessage, now = new Date()): string {
	const body = Buffer.from(message.text.replace(/\r?\n/g, '\r\n'), 'utf8').toString('base64');
	const domain = from.split('@')[1] ?? 'localhost';
	const headers = [
		`From: ${from}`,
		`To: ${message.to.join(', ')}`,
		`Subject: ${headerText(message.subject)}`,
		`Date: ${now.toUTCString().replace('GMT', '+0000')}`,
		`Message-ID: <${randomBytes(12).toString('hex')}@${domain}>`,
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=utf-8',
		'Content-Transfer-Encoding: base64',
		'Auto-Submitted: auto-generated'
	];
	return `${headers.join('\r\n')}\r\n\r\n${body.replace(/.{1,76}/g, '$&\r\n')}`;
}

/**
 * Reads SMTP replies (possibly multi-line: `250-…` lines ending with `250 …`) from a socket, one at a time.
 * `stop` ends the reading before a STARTTLS handshake and says whether the server sent more than was read.
 */
function replies(socket: Socket) {
	let buffer = '';
	let lines: string[] = [];
	const ready: { code: number; text: string }[] = [];
	let waiting: { resolve: (r: { code: number; text: string }) => void; reject: (e: Error) => void } | null =
		null;
	let failure: Error | null = null;
	const flush = () => {
		if (waiting && ready.length) {
			const w = waiting;
			waiting = null;
			w.resolve(ready.shift() as { code: number; text: string });
		} else if (waiting && failure) {
			const w = waiting;
			waiting = null;
			w.reject(failure);
		}
	};
	socket.setEncoding('utf8');
	const read = (chunk: string) => {
		buffer += chunk;
		let end: number;
		while ((end = buffer.indexOf('\r\n')) >= 0) {
			const line = buffer.slice(0, end);
			buffer = buffer.slice(end + 2);
			lines.push(line);
			if (/^\d{3}(?: |$)/.test(line)) {
				ready.push({ code: Number(line.slice(0, 3)), text: lines.map((l) => l.slice(4)).join('\n') });
				lines = [];
			}
		}
		flush();
	};
	socket.on('data', read);
	const fail = (error: Error) => {
		failure ??= error;
		flush();
	};
	socket.on('error', fail);
	socket.on('close', () => fail(new SmtpError(null, 'the SMTP server closed the connection')));
	const next = () =>
		new Promise<{ code: number; text: string }>((resolve, reject) => {
			waiting = { resolve, reject };
			flush();
		});
	const stop = () => {
		socket.off('data', read);
		return buffer.length > 0 || lines.length > 0 || ready.length > 0;
	};
	return { next, stop };
}

/** Ends a connection that stays silent for `ms`. */
function timeLimit<S extends Socket>(socket: S, ms: number): S {
	return socket.setTimeout(ms, () => socket.destroy(new SmtpError(null, `no answer within ${ms} ms`)));
}

/**
 * A TLS connection once its handshake is done, verifying the certificate against the public roots and `ca`. A
 * certificate that does not verify is an SmtpError saying so.
 */
function handshake(options: ConnectionOptions, ca: string | null, timeoutMs: number): Promise<TLSSocket> {
	const host = options.host ?? '';
	const socket = connectTls({
		...options,
		// SNI takes a name, not an address (RFC 6066); the certificate is checked against `host` either way.
		servername: isIP(host) ? undefined : host,
		ca: ca === null ? undefined : [...rootCertificates, ca]
	});
	timeLimit(socket, timeoutMs);
	return new Promise((resolve, reject) => {
		const fail = (error: Error & { code?: string }) => {
			if (error instanceof SmtpError) reject(error);
			else if (/CERT|ISSUER|SIGNATURE|INVALID_CA/.test(error.code ?? ''))
				reject(new SmtpError(null, `TLS: the certificate of ${host} is not trusted (${error.message})`));
			else reject(new SmtpError(null, `TLS with ${host}: ${error.message}`));
		};
		socket.once('error', fail);
		socket.once('secureConnect', () => {
			socket.off('error', fail);
			resolve(socket);
		});
	});
}

/**
 * Sends one message; resolves with the server's answer to the message (250 …), throws SmtpError on a negative
 * reply (with its code), a lost connection, the timeout, or a connection the STARTTLS policy does not allow.
 */
export async function sendMail(
	config: SmtpConfig,
	message: MailMessage,
	options: { timeoutMs?: number; clientName?: string } = {}
): Promise<{ code: number; text: string }> {
	if (message.to.length === 0) throw new SmtpError(null, 'no recipients');
	const timeoutMs = options.timeoutMs ?? 15_000;
	const server = { host: config.host, port: config.port };
	let socket: Socket | undefined;
	try {
		const plain = config.secure ? null : timeLimit(connectTcp(server), timeoutMs);
		socket = plain ?? (await handshake(server, config.ca, timeoutMs));
		let reader = replies(socket);
		const expectReply = async (codes: number[], what: string) => {
			const reply = await reader.next();
			if (!codes.includes(reply.code))
				throw new SmtpError(reply.code, `${what}: ${reply.code} ${reply.text.split('\n')[0]}`);
			return reply;
		};
		const send = (line: string) => socket?.write(`${line}\r\n`);
		const hello = () => {
			send(`EHLO ${options.clientName ?? hostname()}`);
			return expectReply([250], 'EHLO');
		};
		await expectReply([220], 'greeting');
		const extensions = (await hello()).text;
		let encrypted = plain === null;
		if (plain && config.starttls !== 'off' && /^STARTTLS$/im.test(extensions)) {
			send('STARTTLS');
			await expectReply([220], 'STARTTLS');
			// Anything the server sent before the handshake could be injected; RFC 3207 says to discard it, we refuse.
			if (reader.stop()) throw new SmtpError(null, 'STARTTLS: the server answered more than asked');
			plain.setTimeout(0);
			socket = await handshake({ ...server, socket: plain }, config.ca, timeoutMs);
			reader = replies(socket);
			encrypted = true;
			await hello();
		} else if (plain && config.starttls === 'required')
			throw new SmtpError(null, `STARTTLS: required, but ${config.host} does not offer it`);
		if (config.user !== null) {
			// Credentials never cross in clear unless the URL says so (?starttls=off): an attacker who strips
			// STARTTLS from the EHLO answer must not get the relay's password.
			if (!encrypted && config.starttls !== 'off')
				throw new SmtpError(
					null,
					`STARTTLS: ${config.host} does not offer it; the password is not sent in clear (?starttls=off allows it)`
				);
			const token = Buffer.from(`\0${config.user}\0${config.password ?? ''}`, 'utf8').toString('base64');
			send(`AUTH PLAIN ${token}`);
			await expectReply([235], 'AUTH');
		}
		send(`MAIL FROM:<${config.from}>`);
		await expectReply([250], 'MAIL FROM');
		for (const to of message.to) {
			send(`RCPT TO:<${to}>`);
			await expectReply([250, 251], `RCPT TO ${to}`);
		}
		send('DATA');
		await expectReply([354], 'DATA');
		socket.write(`${formatMessage(config.from, message)}.\r\n`);
		const accepted = await expectReply([250], 'message');
		send('QUIT');
		await reader.next().catch(() => undefined);
		return accepted;
	} catch (error) {
		throw error instanceof SmtpError
			? error
			: new SmtpError(null, error instanceof Error ? error.message : String(error));
	} finally {
		socket?.destroy();
	}
}
