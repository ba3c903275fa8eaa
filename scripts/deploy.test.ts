import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// deploy/ is exercised where this machine allows: the systemd unit by `systemd-analyze verify` when systemd is
// installed (it is on the team's machines), and every file parsed here for the settings the operations section of the
// README promises. nginx and a container runtime are not run here.
const read = (file: string) => readFileSync(`deploy/${file}`, 'utf8');

/** `Key=value` lines of an INI-like unit, by section. */
function unit(text: string): Map<string, Map<string, string[]>> {
	const sections = new Map<string, Map<string, string[]>>();
	let current: Map<string, string[]> | undefined;
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (!line || line.startsWith('#')) continue;
		const section = line.match(/^\[(.+)\]$/);
		if (section) sections.set(section[1], (current = new Map()));
		else {
			const eq = line.indexOf('=');
			expect(eq, `a Key=value line: ${line}`).toBeGreaterThan(0);
			const key = line.slice(0, eq);
			current!.set(key, [...(current!.get(key) ?? []), line.slice(eq + 1)]);
		}
	}
	return sections;
}

describe('deploy/', () => {
	it('the systemd unit runs as a non-root user with a restart policy and an environment file', () => {
		const u = unit(read('resonance.service'));
		const service = u.get('Service')!;
		expect(service.get('User')).toEqual(['resonance']);
		expect(service.get('Restart')).toEqual(['on-failure']);
		expect(service.get('EnvironmentFile')).toEqual(['/etc/resonance/resonance.env']);
		expect(service.get('KillSignal')).toEqual(['SIGTERM']);
		expect(Number(service.get('TimeoutStopSec')![0])).toBeGreaterThan(30);
		expect(service.get('ExecStart')![0]).toMatch(/node .*scripts\/serve\.js$/);
		// The memory budget's young generation (scripts/start.js says why).
		expect(service.get('ExecStart')![0]).toContain('--max-semi-space-size=4 --heap-growing-percent=50 ');
		expect(u.get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);
		const systemd = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
		if (systemd.status === 0) {
			const verify = spawnSync('systemd-analyze', ['verify', 'deploy/resonance.service'], {
				encoding: 'utf8'
			});
			expect(verify.stderr.split('\n').filter((l) => l.includes('resonance.service'))).toEqual([]);
		}
	});

	it('the container file is multi-stage, runs as a non-root user and has a health check', () => {
		const text = read('Containerfile');
		expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
		expect(text).toMatch(/^COPY --from=build /m);
		const user = text.match(/^USER (\S+)/m)?.[1];
		expect(user).toBeDefined();
		expect(user).not.toMatch(/^(root|0)$/);
		expect(text).toMatch(/^HEALTHCHECK .*\n?.*\/readyz/m);
		expect(text).toMatch(/^STOPSIGNAL SIGTERM$/m);
		expect(text).toMatch(
			/^CMD \["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "scripts\/serve\.js"\]$/m
		);
	});

	it('the nginx example terminates TLS, streams SSE unbuffered and passes the client address adapter-node reads', () => {
		const text = read('nginx.conf');
		expect(text).toMatch(/listen 443 ssl;/);
		expect(text).toMatch(/ssl_certificate /);
		const stream = text.slice(text.indexOf('location = /api/v1/stream'));
		expect(stream.slice(0, stream.indexOf('}'))).toMatch(/proxy_buffering off;/);
		expect(text).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
		const env = read('resonance.env.example');
		expect(env).toMatch(/^ADDRESS_HEADER=X-Forwarded-For$/m);
		expect(env).toMatch(/^XFF_DEPTH=1$/m);
		// Braces balance (a cheap syntax check where nginx itself is not installed).
		expect(text.split('{').length).toBe(text.split('}').length);
	});
});
