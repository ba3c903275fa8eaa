import { describe, expect, it } from 'vitest';
import { foldWidth, stemEnglish, termsOf, tokenize } from './segment';

const words = (text: string) => tokenize(text).map((t) => text.slice(t.start, t.end));

describe('tokenize', () => {
	it('keeps banking words whole with the user dictionary', () => {
		expect(words('我的信用卡被盗刷了')).toEqual(expect.arrayContaining(['信用卡', '盗刷']));
		expect(words('转人工太难了，手机银行验证码收不到')).toEqual(
			expect.arrayContaining(['转人工', '手机银行', '验证码', '收不到'])
		);
		expect(words('我要打12378找银保监会和金融监管总局')).toEqual(
			expect.arrayContaining(['12378', '银保监会', '金融监管总局'])
		);
		expect(words('人脸识别失败，没法提额，也办不了白金卡')).toEqual(
			expect.arrayContaining(['人脸识别', '提额', '白金卡'])
		);
		expect(words('双录太慢，人工客服说网点要排队')).toEqual(
			expect.arrayContaining(['双录', '人工客服', '网点', '排队'])
		);
	});

	it('gives offsets into the original text, also across full-width and astral characters', () => {
		const text = '客服😡很差！ＡＰＰ闪退';
		const tokens = tokenize(text);
		expect(tokens.map((t) => text.slice(t.start, t.end)).join('')).toBe(text);
		const app = tokens.find((t) => t.norm === 'app');
		expect(app && text.slice(app.start, app.end)).toBe('ＡＰＰ');
	});

	it('never turns redaction markers into words', () => {
		const terms = termsOf(tokenize('请回电[手机号]，我的卡[卡号]，写信到[邮箱]，证件[身份证号]'));
		expect(terms).not.toContain('手机号');
		expect(terms).not.toContain('身份证号');
		expect(terms).not.toContain('邮箱');
	});

	it('handles English: lower case, contractions kept whole, plural stemming for terms', () => {
		const tokens = tokenize("The App doesn't accept my Cards");
		expect(tokens.map((t) => t.norm)).toContain("doesn't");
		expect(termsOf(tokens)).toEqual(['app', 'accept', 'card']);
		expect(stemEnglish('fees')).toBe('fee');
		expect(stemEnglish('queries')).toBe('query');
		expect(stemEnglish('access')).toBe('access');
		expect(stemEnglish('status')).toBe('status');
	});

	it('drops stop words, punctuation and bare numbers from terms', () => {
		expect(termsOf(tokenize('我的信用卡被盗刷了5000元，怎么办？'))).toEqual(['信用卡', '盗刷', '怎么办']);
	});

	it('folds full-width forms without changing length', () => {
		expect(foldWidth('ＡＢＣ１２３，　’')).toBe("ABC123, '".replace(', ', ',\u0020'));
		expect(foldWidth('ＡＢＣ').length).toBe(3);
	});
});
