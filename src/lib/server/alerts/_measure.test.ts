import { it } from 'vitest';
import { createLiveStream } from '$lib/server/demo/live';
import { compileTagRules, defaultTagRules, matchTags } from '$lib/server/text';
import type { CxEvent } from '$lib/model';

const START = Date.UTC(2025, 5, 3, 2);
const MIN = 60_000;
it('measures', () => {
	const rules = compileTagRules(defaultTagRules().filter((r) => r.tag === 'risk'));
	const strong = compileTagRules(defaultTagRules().filter((r) => r.tag === 'risk' && r.id !== 'risk.complaint'));
	for (const rate of [120, 600]) {
		const stream = createLiveStream({ seed: 1, ratePerMinute: rate, start: START });
		const perMin: CxEvent[][] = [];
		for (let m = 0; m < 120; m++) {
			const now = START + m * MIN;
			const batch: CxEvent[] = [];
			for (let s = 0; s < 6; s++) batch.push(...stream.next(now + s * 10_000, m >= 90));
			perMin.push(batch);
		}
		const rows: string[] = [];
		for (let m = 30; m < 120; m += 3) {
			const win = perMin.slice(Math.max(0, m - 30), m + 1).flat();
			const off = win.filter((e) => e.type === 'contact' && e.handledBy === 'agent' && e.channel !== 'branch' && (e.outcome === 'abandoned' ? (e.waitS ?? 0) >= 5 : true));
			const ab = off.filter((e) => e.outcome === 'abandoned').length;
			const sl = off.filter((e) => e.outcome !== 'abandoned' && (e.waitS ?? 0) <= 20).length;
			const texts = win.filter((e) => e.text);
			const risk = texts.filter((e) => matchTags(e.text ?? '', rules).length > 0).length;
			const strongN = texts.filter((e) => matchTags(e.text ?? '', strong).length > 0).length;
			const strongFb = texts.filter((e) => e.type === 'feedback' && matchTags(e.text ?? '', strong).length > 0).length;
			const csat = win.filter((e) => e.metric === 'csat');
			const top2 = csat.filter((e) => (e.score ?? 0) >= 4).length;
			const comp = win.filter((e) => e.type === 'complaint');
			const last1 = perMin[m].filter((e) => e.text && matchTags(e.text, strong).length > 0).length;
			const det = perMin[m].filter((e) => (e.metric === 'nps' && (e.score ?? 9) <= 6) || (e.metric === 'csat' && (e.score ?? 5) <= 2) || (e.metric === 'ces' && (e.score ?? 7) <= 3)).length;
			rows.push(`${rate} m${m} off=${off.length} SL=${((sl / off.length) * 100).toFixed(1)} ab=${((ab / off.length) * 100).toFixed(1)} texts=${texts.length} risk=${risk} strong=${strongN} strongFb=${strongFb} lastMinStrong=${last1} csat=${((top2 / csat.length) * 100).toFixed(1)} n=${csat.length} compl=${comp.length} reg=${comp.filter((e) => e.regulator).length} detPerMin=${det}`);
		}
		console.log(rows.join('\n'));
	}
});
