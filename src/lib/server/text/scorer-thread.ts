/**
 * The text scorer's entry point (a `worker_threads` Worker; see scorer.ts): scores the sentiment of long texts off
 * the main thread, so that a batch of hostile comments never holds the server's event loop. Messages carry texts
 * in and scores out, nothing else; the thread holds no database connection.
 */
import { parentPort } from 'node:worker_threads';
import { scoreSentiment } from './sentiment';
import type { FromScorer, ToScorer } from './scorer';

const port = parentPort;
if (!port) throw new Error('scorer-thread.ts runs as a worker thread');
// The segmentation dictionary loads with the thread, before the first texts.
scoreSentiment('预热');
port.on('message', (message: ToScorer) => {
	const scores = message.texts.map((text) => {
		try {
			return scoreSentiment(text);
		} catch {
			return null;
		}
	});
	const reply: FromScorer = { id: message.id, scores };
	port.postMessage(reply);
});
