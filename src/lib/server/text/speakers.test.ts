import { describe, expect, it } from 'vitest';
import { analyzeText } from './analyze';
import { scoreSentiment } from './sentiment';
import { customerRanges, speakerTurns } from './speakers';

const TRANSCRIPT = [
	'坐席：您好，很高兴为您服务，请问有什么可以帮您？',
	'客户：我的卡找不到了，怎么挂失',
	'坐席：理解您的心情，我先帮您核实一下',
	'客户：我已经打了好几次了，你们到底能不能解决？',
	'坐席：已经帮您登记好了，请放心'
].join('\n');

describe('speaker turns', () => {
	it('finds the customer’s turns of a labelled transcript, and none in a comment', () => {
		const turns = speakerTurns(TRANSCRIPT);
		expect(turns?.map((t) => t.speaker)).toEqual(['agent', 'customer', 'agent', 'customer', 'agent']);
		const ranges = customerRanges(TRANSCRIPT);
		expect(ranges.map(([s, e]) => TRANSCRIPT.slice(s, e).trim())).toEqual([
			'我的卡找不到了，怎么挂失',
			'我已经打了好几次了，你们到底能不能解决？'
		]);
		expect(speakerTurns('客服态度很好：耐心，专业')).toBeNull();
		expect(speakerTurns('客户：服务不错')).toBeNull();
		expect(
			speakerTurns('Agent: How can I help?\nCustomer: my card is blocked')?.map((t) => t.speaker)
		).toEqual(['agent', 'customer']);
	});

	it('scores the customer, not the agent’s scripted politeness', () => {
		// The agent lines alone would read as warmly positive (很高兴, 请放心).
		expect(scoreSentiment(TRANSCRIPT) ?? 0).toBeLessThan(0);
		const a = analyzeText(TRANSCRIPT);
		expect(a.terms).toContain('挂失');
		expect(a.terms).not.toContain('核实');
		expect(a.terms).not.toContain('坐席');
		expect(scoreSentiment('坐席：您好，很高兴为您服务\n客户：好的，麻烦了')).not.toBeLessThan(0);
	});

	it('re-redacts text that skipped the ingestion pipeline', () => {
		const a = analyzeText('客户：卡号是6222021234567890128，手机13912345678\n坐席：好的');
		expect(a.text).not.toMatch(/\d{11}/);
		expect(a.text).toContain('[手机号]');
	});
});
