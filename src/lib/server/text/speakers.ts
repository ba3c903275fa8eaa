/**
 * Contact transcripts often come as speaker-labelled lines ("坐席：…" / "客户：…", "Agent: …" / "Customer: …").
 * The agent's scripted politeness (很高兴为您服务, 请放心, 感谢来电) says nothing about how the customer feels and
 * would fill every topic with greetings, so only the customer's turns are analysed when labels are present.
 */
export type Speaker = 'agent' | 'customer';

export interface Turn {
	speaker: Speaker;
	/** Start of the line, label included (UTF-16 offset). */
	start: number;
	/** Where the words start, after the label. */
	bodyStart: number;
	end: number;
}

const LABEL =
	/^[ \t]*(坐席|客服|人工客服|专员|机器人|智能客服|客服代表|agent|bot|rep|客户|用户|来电人|来电客户|customer|caller|client)[ \t]*[：:]/i;
const AGENT = /^(?:坐席|客服|人工客服|专员|机器人|智能客服|客服代表|agent|bot|rep)$/i;

/** The speaker turns of a labelled transcript, or null when the text has no speaker labels (a comment). */
export function speakerTurns(text: string): Turn[] | null {
	const turns: Turn[] = [];
	let lineStart = 0;
	while (lineStart <= text.length) {
		const newline = text.indexOf('\n', lineStart);
		const lineEnd = newline === -1 ? text.length : newline + 1;
		const label = LABEL.exec(text.slice(lineStart, lineEnd));
		if (label) {
			turns.push({
				speaker: AGENT.test(label[1]) ? 'agent' : 'customer',
				start: lineStart,
				bodyStart: lineStart + label[0].length,
				end: lineEnd
			});
		} else if (turns.length > 0) {
			turns[turns.length - 1].end = lineEnd; // a continuation line of the same turn
		}
		if (newline === -1) break;
		lineStart = lineEnd;
	}
	// One label at the start of a comment ("客户：…") is not a transcript; two turns or an agent turn are.
	return turns.length >= 2 || turns.some((t) => t.speaker === 'agent') ? turns : null;
}

/** The ranges [start, end) to analyse: the customer's turns (after their labels), or the whole text. */
export function customerRanges(text: string): [number, number][] {
	const turns = speakerTurns(text);
	if (!turns) return [[0, text.length]];
	return turns.filter((t) => t.speaker === 'customer').map((t) => [t.bodyStart, t.end]);
}

/** True when [start, end) lies inside one of the ranges. */
export function within(ranges: readonly [number, number][], start: number, end: number): boolean {
	return ranges.some(([s, e]) => start >= s && end <= e);
}
