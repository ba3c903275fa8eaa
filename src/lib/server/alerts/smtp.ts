import { randomBytes } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls } from 'node:tls';

/**
 * A small SMTP client (RFC 5321) for alert e-mail, without a dependency: `smtp://` to a relay (plain, as an
 * internal mail relay is usually reached), `smtps://` with implicit TLS (port 465), AUTH PLAIN when the URL has a
 * user. One connection per message: alert mail is rare. The body is UTF-8 text, base64-encoded, so no line needs
 * dot-stuffing and Chinese needs no 8BITMIME.
 */

export interface SmtpConfig {
	host: string;
	port: number;
	secure: boolean;
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

/** `smtp://user:password@host:25` or `smtps://…:465`, with the sender (RESONANCE_SMTP_FROM). Throws on bad input. */
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
	return {
		host: parsed.hostname.replace(/^\[|\]$/g, ''),
		port: parsed.port ? Number(parsed.port) : secure ? 465 : 25,
		secure,
		user: parsed.username ? decodeURIComponent(parsed.username) : null,
		password: parsed.password ? decodeURIComponent(parsed.password) : null,
		from
	};
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

/** Reads SMTP replies (possibly multi-line: `250-…` lines ending with `250 …`) from a socket, one at a time. */
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
	socket.on('data', (chunk: string) => {
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
	});
	const fail = (error: Error) => {
		failure ??= error;
		flush();
	};
	socket.on('error', fail);
	socket.on('close', () => fail(new SmtpError(null, 'the SMTP server closed the connection')));
	return () =>
		new Promise<{ code: number; text: string }>((resolve, reject) => {
			waiting = { resolve, reject };
			flush();
		});
}

/**
 * Sends one message; resolves with the server's answer to the message (250 …), throws SmtpError on a negative
 * reply (with its code), a lost connection or the timeout.
 */
export async function sendMail(
	config: SmtpConfig,
	message: MailMessage,
	options: { timeoutMs?: number; clientName?: string } = {}
): Promise<{ code: number; text: string }> {
	if (message.to.length === 0) throw new SmtpError(null, 'no recipients');
	const socket = config.secure
		? connectTls({ host: config.host, port: config.port, servername: config.host })
		: connectTcp({ host: config.host, port: config.port });
	const timeoutMs = options.timeoutMs ?? 15_000;
	socket.setTimeout(timeoutMs, () => socket.destroy(new SmtpError(null, `no answer within ${timeoutMs} ms`)));
	const next = replies(socket);
	const expectReply = async (codes: number[], what: string) => {
		const reply = await next();
		if (!codes.includes(reply.code))
			throw new SmtpError(reply.code, `${what}: ${reply.code} ${reply.text.split('\n')[0]}`);
		return reply;
	};
	const send = (line: string) => socket.write(`${line}\r\n`);
	try {
		await expectReply([220], 'greeting');
		send(`EHLO ${options.clientName ?? hostname()}`);
		await expectReply([250], 'EHLO');
		if (config.user !== null) {
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
		await next().catch(() => undefined);
		return accepted;
	} catch (error) {
		throw error instanceof SmtpError
			? error
			: new SmtpError(null, error instanceof Error ? error.message : String(error));
	} finally {
		socket.destroy();
	}
}
