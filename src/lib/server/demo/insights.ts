import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { recomputeText } from '$lib/server/text';
import { trainRisk, type TrainOutcome } from '$lib/server/risk';

export interface DemoInsights {
	/** Texts indexed (sentiment, risk words: features of the risk model). */
	texts: number;
	risk: TrainOutcome;
	textSeconds: number;
	riskSeconds: number;
}

/**
 * What the demo needs right after its history is seeded, so its pages show figures at once instead of after the
 * background jobs' first passes: the texts indexed (the risk model reads negative texts and risk words from them),
 * then the complaint-risk model trained on the history and every recently active customer scored (`/risk`, the
 * timeline, the customer card). `now` is the moment the scores are for (default now).
 */
export async function prepareDemoInsights(
	target: Db | Storage,
	now?: number,
	options: { onTextsDone?: () => void } = {}
): Promise<DemoInsights> {
	const started = performance.now();
	let texts = 0;
	// A pass already running (the server's first, started before the seed) may have missed the seeded texts.
	for (let pass = 0; pass < 3; pass++) {
		const report = await recomputeText(target);
		texts += report.indexed;
		if (report.indexed === 0 && !report.skipped) break;
	}
	const textDone = performance.now();
	options.onTextsDone?.();
	const risk = await trainRisk(target, {
		fresh: true,
		trigger: 'demo',
		...(now === undefined ? {} : { now })
	});
	return {
		texts,
		risk,
		textSeconds: (textDone - started) / 1000,
		riskSeconds: (performance.now() - textDone) / 1000
	};
}
