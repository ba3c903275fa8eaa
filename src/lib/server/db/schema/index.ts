export * from './events';
export * from './directory';
export * from './access';
export * from './metrics';
export * from './journeys';
export * from './text';
export * from './alerts';
export * from './embed';
