import { describe, expect, it } from 'vitest';
import { maskCustomerId } from './labels';

describe('customer ids on screen', () => {
	it('masks the middle the same way on every screen', () => {
		expect(maskCustomerId('cust-00012345')).toBe('cus•••345');
		expect(maskCustomerId('c-1234')).toBe('c-•••4');
		expect(maskCustomerId('c-012345')).toBe('c-0•••45');
		expect(maskCustomerId('abc')).toBe('a•••');
		expect(maskCustomerId('客户甲乙丙丁戊己庚')).toBe('客户甲•••己庚');
		for (const id of ['C1', 'c0001234', 'CUST-00012345', 'a-very-long-pseudonymous-id-0001'])
			expect(maskCustomerId(id)).not.toBe(id);
	});
});
