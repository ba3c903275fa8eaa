import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { writeWithRollups } from '$lib/server/metrics/testing';
import { evaluateAll } from './engine';
import { createRule, parseRule } from './rules';
import { formatMessage, parseSmtpUrl, readCaFile, sendMail, SmtpError, type SmtpConfig } from './smtp';
import { alertMail, configureMailer, deliverDue, listDeliveries } from './webhooks';

interface Received {
	auth: string | null;
	from: string;
	to: string[];
	data: string;
	/** Whether the message arrived over TLS. */
	secure: boolean;
}

/**
 * Test-only certificates, never to be trusted anywhere else: a CA and a certificate it signed for localhost and
 * 127.0.0.1, both valid until 2126, made with OpenSSL 3.0:
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out test-only-ca.pem \
 *     -days 36500 -subj "/CN=Resonance test-only CA" -addext basicConstraints=critical,CA:TRUE \
 *     -addext keyUsage=critical,keyCertSign
 *   openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout test-only-localhost.key \
 *     -subj /CN=localhost | openssl x509 -req -CA test-only-ca.pem -CAkey ca.key -days 36500 -out test-only-localhost.pem \
 *     -extfile <(printf "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth")
 * (the CA's key was thrown away).
 */
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const testCa = fixture('test-only-ca.pem');
const localhostCertificate = createSecureContext({
	key: readFileSync(fixture('test-only-localhost.key')),
	cert: readFileSync(fixture('test-only-localhost.pem'))
});

/**
 * An SMTP receiver on 127.0.0.1 speaking just enough RFC 5321 for the client: EHLO, AUTH PLAIN, MAIL, RCPT, DATA,
 * QUIT; with `tls: 'starttls'` it offers STARTTLS (RFC 3207), with `tls: 'implicit'` it is an smtps server.
 * `answer` can override the reply to a command (e.g. 451 to MAIL FROM) to test failures. `sessions` lists each
 * connection's commands, with `TLS` where its TLS began.
 */
async function startReceiver(
	answer: (command: string) => string | null = () => null,
	{ tls = 'none' as 'none' | 'starttls' | 'implicit' } = {}
) {
	const received: Received[] = [];
	const sessions: string[][] = [];
	const server: Server = createServer((plain: Socket) => {
		let socket: Socket = plain;
		let buffer = '';
		let inData = false;
		let mail: Received = { auth: null, from: '', to: [], data: '', secure: false };
		const session: string[] = [];
		sessions.push(session);
		const reply = (line: string) => socket.write(`${line}\r\n`);
		const read = (chunk: string) => {
			buffer += chunk;
			while (true) {
				if (inData) {
					const end = buffer.indexOf('\r\n.\r\n');
					if (end < 0) return;
					mail.data = buffer.slice(0, end + 2);
					buffer = buffer.slice(end + 5);
					inData = false;
					received.push({ ...mail, secure: socket instanceof TLSSocket });
					mail = { auth: mail.auth, from: '', to: [], data: '', secure: false };
					reply('250 2.0.0 queued');
					continue;
				}
				const end = buffer.indexOf('\r\n');
				if (end < 0) return;
				const line = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				const verb = line.split(' ')[0].toUpperCase();
				session.push(verb);
				const override = answer(verb);
				if (override) {
					reply(override);
					continue;
				}
				const offered = tls === 'starttls' && socket === plain;
				if (verb === 'EHLO')
					reply(`250-receiver.test\r\n250-AUTH PLAIN\r\n${offered ? '250-STARTTLS\r\n' : ''}250 8BITMIME`);
				else if (verb === 'STARTTLS' && offered) {
					reply('220 2.0.0 ready to start TLS');
					plain.off('data', read);
					listen(new TLSSocket(plain, { isServer: true, secureContext: localhostCertificate }));
				} else if (verb === 'AUTH') {
					mail.auth = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8');
					reply('235 2.7.0 ok');
				} else if (verb === 'MAIL') {
					mail.from = /<(.*)>/.exec(line)?.[1] ?? '';
					reply('250 ok');
				} else if (verb === 'RCPT') {
					mail.to.push(/<(.*)>/.exec(line)?.[1] ?? '');
					reply('250 ok');
				} else if (verb === 'DATA') {
					inData = true;
					reply('354 go ahead');
				} else if (verb === 'QUIT') {
					reply('221 bye');
					socket.end();
				} else reply('502 not implemented');
			}
		};
		const listen = (next: Socket) => {
			socket = next;
			if (next !== plain) session.push('TLS');
			// A client refusing the certificate resets the connection.
			next.on('error', () => undefined);
			next.setEncoding('utf8');
			next.on('data', read);
		};
		plain.on('error', () => undefined);
		listen(
			tls === 'implicit'
				? new TLSSocket(plain, { isServer: true, secureContext: localhostCertificate })
				: plain
		);
		reply('220 receiver.test ESMTP');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { server, port, received, sessions };
}

/** The text of a received message: its base64 body decoded. */
function bodyOf(data: string): string {
	const [, body] = data.split('\r\n\r\n');
	return Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8');
}

describe('the SMTP client', () => {
	let receiver: Awaited<ReturnType<typeof startReceiver>>;
	let config: SmtpConfig;
	beforeAll(async () => {
		receiver = await startReceiver();
		config = parseSmtpUrl(
			`smtp://alerts%40bank:p%40ss@127.0.0.1:${receiver.port}?starttls=off`,
			'alerts@bank.example'
		);
	});
	afterAll(async () => new Promise<void>((resolve) => receiver.server.close(() => resolve())));

	it('reads the relay from a URL and names the variable when it is wrong', async () => {
		expect(config).toMatchObject({ host: '127.0.0.1', secure: false, starttls: 'off', user: 'alerts@bank' });
		expect(config.password).toBe('p@ss');
		expect(parseSmtpUrl('smtp://relay.bank', 'a@b.c')).toMatchObject({ port: 25, user: null });
		expect(parseSmtpUrl('smtps://relay.bank', 'a@b.c')).toMatchObject({ port: 465, secure: true });
		expect(() => parseSmtpUrl('http://relay.bank', 'a@b.c')).toThrow(/^RESONANCE_SMTP_URL: .*scheme/);
		expect(() => parseSmtpUrl('not a url', 'a@b.c')).toThrow(/^RESONANCE_SMTP_URL/);
		expect(() => parseSmtpUrl('smtp://relay.bank', 'nobody')).toThrow(/^RESONANCE_SMTP_FROM/);
	});

	it('delivers a UTF-8 message with AUTH PLAIN to every recipient', async () => {
		const reply = await sendMail(config, {
			to: ['a@bank.example', 'b@bank.example'],
			subject: '服务水平骤降 · Service level collapse',
			text: '近5分钟20秒服务水平为41.9%\nline two\n.\nafter a lone dot'
		});
		expect(reply.code).toBe(250);
		const mail = receiver.received.at(-1) as Received;
		expect(mail.auth).toBe('\0alerts@bank\0p@ss');
		expect(mail.from).toBe('alerts@bank.example');
		expect(mail.to).toEqual(['a@bank.example', 'b@bank.example']);
		const subject = /^Subject: =\?UTF-8\?B\?([^?]+)\?=$/m.exec(mail.data)?.[1] as string;
		expect(Buffer.from(subject, 'base64').toString('utf8')).toBe('服务水平骤降 · Service level collapse');
		expect(mail.data).toMatch(/^Content-Transfer-Encoding: base64$/m);
		expect(bodyOf(mail.data)).toBe('近5分钟20秒服务水平为41.9%\r\nline two\r\n.\r\nafter a lone dot');
	});

	it('keeps lines short and headers on one line', async () => {
		const text = formatMessage('a@b.c', {
			to: ['x@y.z'],
			subject: 'evil\r\nBcc: x@evil',
			text: 'x'.repeat(500)
		});
		expect(text).not.toMatch(/\r\nBcc:/);
		for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
		expect(text.split('\r\n\r\n')[1].split('\r\n')[0]).toHaveLength(76);
	});

	it('reports temporary and permanent refusals and lost connections with their retry advice', async () => {
		const temporary = await startReceiver((verb) => (verb === 'MAIL' ? '451 4.3.0 try later' : null));
		const permanent = await startReceiver((verb) => (verb === 'RCPT' ? '550 5.1.1 no such user' : null));
		try {
			const refusal = (port: number) =>
				sendMail({ ...config, user: null, port }, { to: ['a@b.c'], subject: 's', text: 't' }).then(
					() => {
						throw new Error('sent');
					},
					(error: SmtpError) => error
				);
			const t = await refusal(temporary.port);
			expect([t.code, t.retriable]).toEqual([451, true]);
			expect(t.message).toMatch(/^MAIL FROM: 451/);
			const p = await refusal(permanent.port);
			expect([p.code, p.retriable]).toEqual([550, false]);
			// A port nobody listens on (the closed receiver's).
			const closedPort = temporary.port;
			await new Promise<void>((resolve) => temporary.server.close(() => resolve()));
			const lost = await refusal(closedPort);
			expect([lost.code, lost.retriable]).toEqual([null, true]);
		} finally {
			permanent.server.close();
		}
	});
});

describe('TLS to the relay: STARTTLS and the bank’s CA', () => {
	const message = { to: ['duty@bank.example'], subject: 'TLS', text: '加密 encrypted' };
	const ca = readCaFile(testCa);
	/** Sends one message to a fresh receiver; resolves with what it saw and the client's result or SmtpError. */
	async function exchange(
		url: (port: number) => string,
		tls: 'none' | 'starttls' | 'implicit',
		trustCa = true
	) {
		const receiver = await startReceiver(undefined, { tls });
		try {
			const config = { ...parseSmtpUrl(url(receiver.port), 'alerts@bank.example'), ca: trustCa ? ca : null };
			const result = await sendMail(config, message).catch((error: unknown) => error);
			// Whatever the client wrongly sent after an error would reach the receiver within a moment: wait for it.
			await new Promise((resolve) => setTimeout(resolve, 20));
			return { result, session: receiver.sessions[0], received: receiver.received };
		} finally {
			receiver.server.close();
		}
	}
	const refusal = (result: unknown) => {
		expect(result).toBeInstanceOf(SmtpError);
		return (result as SmtpError).message;
	};

	it('reads the policy from ?starttls= and the CA file, and names the variable when either is wrong', async () => {
		expect(parseSmtpUrl('smtp://relay.bank:587', 'a@b.c').starttls).toBe('opportunistic');
		expect(parseSmtpUrl('smtp://relay.bank:587?starttls=required', 'a@b.c').starttls).toBe('required');
		expect(parseSmtpUrl('smtps://relay.bank', 'a@b.c')).toMatchObject({ starttls: 'off', ca: null });
		expect(() => parseSmtpUrl('smtp://relay.bank?starttls=yes', 'a@b.c')).toThrow(
			/^RESONANCE_SMTP_URL: starttls must be required, opportunistic or off/
		);
		expect(() => parseSmtpUrl('smtp://relay.bank?startls=required', 'a@b.c')).toThrow(
			/^RESONANCE_SMTP_URL: unknown parameter startls/
		);
		expect(() => parseSmtpUrl('smtps://relay.bank?starttls=required', 'a@b.c')).toThrow(
			/^RESONANCE_SMTP_URL/
		);
		expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
		expect(() => readCaFile(fixture('missing.pem'))).toThrow(
			/^RESONANCE_SMTP_CA_FILE: cannot read .*\(ENOENT\)/
		);
		expect(() => readCaFile(fixture('test-only-localhost.key'))).toThrow(
			/^RESONANCE_SMTP_CA_FILE: .* holds no PEM certificate/
		);
	});

	it('required: upgrades before anything else, authenticates and sends only over TLS', async () => {
		const { result, session, received } = await exchange(
			(port) => `smtp://alerts:secret@127.0.0.1:${port}?starttls=required`,
			'starttls'
		);
		expect(result).toMatchObject({ code: 250 });
		expect(session).toEqual(['EHLO', 'STARTTLS', 'TLS', 'EHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
		expect(received).toMatchObject([{ auth: '\0alerts\0secret', secure: true, to: ['duty@bank.example'] }]);
		expect(bodyOf(received[0].data)).toBe('加密 encrypted');
	});

	it('required: a relay without STARTTLS gets nothing after EHLO', async () => {
		const { result, session, received } = await exchange(
			(port) => `smtp://alerts:secret@127.0.0.1:${port}?starttls=required`,
			'none'
		);
		expect(refusal(result)).toBe('STARTTLS: required, but 127.0.0.1 does not offer it');
		expect(session).toEqual(['EHLO']);
		expect(received).toEqual([]);
	});

	it('opportunistic (the default): TLS when offered, plain text otherwise, but never a password in clear', async () => {
		const offered = await exchange((port) => `smtp://127.0.0.1:${port}`, 'starttls');
		expect(offered.session.slice(0, 4)).toEqual(['EHLO', 'STARTTLS', 'TLS', 'EHLO']);
		expect(offered.received).toMatchObject([{ secure: true }]);

		const plain = await exchange((port) => `smtp://127.0.0.1:${port}`, 'none');
		expect(plain.result).toMatchObject({ code: 250 });
		expect(plain.session).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
		expect(plain.received).toMatchObject([{ auth: null, secure: false }]);

		const withUser = await exchange((port) => `smtp://alerts:secret@127.0.0.1:${port}`, 'none');
		expect(refusal(withUser.result)).toMatch(/password is not sent in clear \(\?starttls=off allows it\)$/);
		expect(withUser.session).toEqual(['EHLO']);
	});

	it('off: plain text even when STARTTLS is offered', async () => {
		const { result, session, received } = await exchange(
			(port) => `smtp://alerts:secret@127.0.0.1:${port}?starttls=off`,
			'starttls'
		);
		expect(result).toMatchObject({ code: 250 });
		expect(session).toEqual(['EHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
		expect(received).toMatchObject([{ auth: '\0alerts\0secret', secure: false }]);
	});

	it('refuses a certificate no trusted CA signed, over STARTTLS and smtps', async () => {
		const upgraded = await exchange(
			(port) => `smtp://a:b@127.0.0.1:${port}?starttls=required`,
			'starttls',
			false
		);
		expect(refusal(upgraded.result)).toMatch(/^TLS: the certificate of 127\.0\.0\.1 is not trusted \(.+\)$/);
		expect(upgraded.session).toEqual(['EHLO', 'STARTTLS', 'TLS']);
		expect(upgraded.received).toEqual([]);

		const implicit = await exchange((port) => `smtps://a:b@127.0.0.1:${port}`, 'implicit', false);
		expect(refusal(implicit.result)).toMatch(/^TLS: the certificate of 127\.0\.0\.1 is not trusted/);
		expect(implicit.session).toEqual(['TLS']);
	});

	it('smtps: trusts the bank’s CA from RESONANCE_SMTP_CA_FILE', async () => {
		const { result, session, received } = await exchange(
			(port) => `smtps://alerts:secret@127.0.0.1:${port}`,
			'implicit'
		);
		expect(result).toMatchObject({ code: 250 });
		expect(session).toEqual(['TLS', 'EHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
		expect(received).toMatchObject([{ auth: '\0alerts\0secret', secure: true }]);
	});

	it('refuses a reply smuggled in before the handshake', async () => {
		const receiver = await startReceiver(
			(verb) => (verb === 'STARTTLS' ? '220 go ahead\r\n250 injected' : null),
			{
				tls: 'starttls'
			}
		);
		try {
			const config = parseSmtpUrl(`smtp://127.0.0.1:${receiver.port}`, 'alerts@bank.example');
			const result = await sendMail(config, message).catch((error: unknown) => error);
			expect(refusal(result)).toBe('STARTTLS: the server answered more than asked');
			expect(receiver.sessions[0]).toEqual(['EHLO', 'STARTTLS']);
		} finally {
			receiver.server.close();
		}
	});
});

describe('alert e-mail through the delivery queue', () => {
	const regulator = (id: string, ts: number) => ({
		id,
		type: 'complaint' as const,
		ts,
		customerId: id,
		regulator: true,
		properties: {}
	});

	it('sends an opened alert to the rule’s recipients and logs the SMTP reply code', async () => {
		const receiver = await startReceiver();
		configureMailer({
			smtp: parseSmtpUrl(`smtp://127.0.0.1:${receiver.port}`, 'resonance@bank.example'),
			origin: 'https://cx.bank.example/'
		});
		try {
			const db = openDatabase(':memory:');
			expect(() => parseRule({ name: 'x', kind: 'risk', signal: 'regulator', emails: ['nope'] })).toThrow(
				/^emails\.0: must be an e-mail address/
			);
			await createRule(
				db,
				{
					name: '12378 · Regulator',
					kind: 'risk',
					signal: 'regulator',
					emails: ['Duty@Bank.example', 'duty@bank.example', 'cx@bank.example']
				},
				null
			);
			const now = Date.now();
			writeWithRollups(db, [regulator('k1', now - 60_000)]);
			expect((await evaluateAll(db, now)).changes.map((c) => c.type)).toEqual(['opened']);
			expect((await listDeliveries(db)).map((d) => d.url)).toEqual([
				'mailto:duty@bank.example,cx@bank.example'
			]);
			expect(await deliverDue(db, { now })).toBe(1);
			expect((await listDeliveries(db))[0]).toMatchObject({ status: 'delivered', lastStatus: 250 });
			const mail = receiver.received[0];
			expect(mail.to).toEqual(['duty@bank.example', 'cx@bank.example']);
			expect(mail.data).toMatch(/^Subject: =\?UTF-8\?B\?/m);
			const text = bodyOf(mail.data);
			expect(text).toContain('1 regulator-referred complaint(s) (12378)');
			expect(text).toContain('https://cx.bank.example/alerts');
			expect(alertMail(JSON.stringify({ event: 'test', rule: { name: 'R' } }), null).subject).toBe(
				'[Resonance] 测试 Test: R'
			);
		} finally {
			configureMailer(null);
			receiver.server.close();
		}
	});

	it('retries a temporary refusal, gives up on a permanent one, and queues nothing without a relay', async () => {
		const temporary = await startReceiver((verb) => (verb === 'MAIL' ? '451 4.3.0 try later' : null));
		const permanent = await startReceiver((verb) => (verb === 'RCPT' ? '550 5.1.1 no such user' : null));
		const relay = (port: number) => ({
			smtp: parseSmtpUrl(`smtp://127.0.0.1:${port}`, 'resonance@bank.example'),
			origin: null
		});
		try {
			const db = openDatabase(':memory:');
			configureMailer(relay(temporary.port));
			await createRule(
				db,
				{ name: 'R', kind: 'risk', signal: 'regulator', emails: ['duty@bank.example'] },
				null
			);
			const now = Date.now();
			writeWithRollups(db, [regulator('k1', now - 60_000)]);
			await evaluateAll(db, now);
			await deliverDue(db, { now });
			const [retrying] = await listDeliveries(db);
			expect(retrying).toMatchObject({ status: 'pending', lastStatus: 451 });
			expect(retrying.nextAttemptAt).toBe(now + 10_000);
			await deliverDue(db, { now: now + 10_000, mailer: relay(permanent.port) });
			const [failed] = await listDeliveries(db);
			expect(failed).toMatchObject({ status: 'failed', lastStatus: 550 });
			expect(failed.attempts.map((t) => t.status)).toEqual([451, 550]);

			// Without a relay the rule's recipients are ignored: a new alert queues nothing.
			configureMailer(null);
			await createRule(
				db,
				{ name: 'R2', kind: 'risk', signal: 'regulator', emails: ['duty@bank.example'] },
				null
			);
			expect((await evaluateAll(db, now + 20_000)).changes.map((c) => c.type)).toEqual(['opened']);
			expect(await listDeliveries(db)).toHaveLength(1);
		} finally {
			configureMailer(null);
			temporary.server.close();
			permanent.server.close();
		}
	});
});
