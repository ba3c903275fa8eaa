export * from './events';
export * from './directory';
export * from './access';
