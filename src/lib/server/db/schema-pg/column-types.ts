import { customType } from 'drizzle-orm/pg-core';

/**
 * Column types that store what SQLite stores, so that SQL written once reads the same on both engines
 * (scripts/derive-pg-schema.js): a flag is a smallint 0/1, JSON is text.
 */
export const flag = customType<{ data: boolean; driverData: number }>({
	dataType: () => 'smallint',
	toDriver: (value) => (value ? 1 : 0),
	fromDriver: (value) => Number(value) !== 0
});

export const jsonText = customType<{ data: unknown; driverData: string }>({
	dataType: () => 'text',
	toDriver: (value) => JSON.stringify(value),
	fromDriver: (value) => JSON.parse(value) as unknown
});
