/**
 * The text scorer's entry point (a `worker_threads` Worker; see scorer.ts): redacts, scores and analyses long texts
 * off the main thread, so that a batch of hostile comments never holds the server's event loop. Messages carry
 * texts (and the tag rules) in and results out, nothing else; the thread holds no database connection.
 */
import { parentPort } from 'node:worker_threads';
import { redactText } from '$lib/server/ingest/redact';
import { analyzeText } from './analyze';
import type { AnalyzedText, FromScorer, RedactedText, ToScorer } from './scorer';
import { scoreSentiment } from './sentiment';

const port = parentPort;
if (!port) throw new Error('scorer-thread.ts runs as a worker thread');
// The segmentation dictionary loads with the thread, before the first texts.
scoreSentiment('预热');

function handle(message: ToScorer, text: string): unknown {
	switch (message.op) {
		case 'score':
			return scoreSentiment(text);
		case 'redact': {
			const r: RedactedText = redactText(text);
			if (message.score) r.sentiment = scoreSentiment(r.text);
			return r;
		}
		case 'analyze': {
			const a = analyzeText(text, message.rules);
			const result: AnalyzedText = { sentiment: a.sentiment, terms: a.terms, tags: a.tags };
			return result;
		}
	}
}

port.on('message', (message: ToScorer) => {
	const results = message.texts.map((text) => {
		try {
			return handle(message, text);
		} catch {
			return null;
		}
	});
	const reply: FromScorer = { id: message.id, results };
	port.postMessage(reply);
});
