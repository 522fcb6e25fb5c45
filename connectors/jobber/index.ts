/** Jobber over its GraphQL API: see connector.ts (reads, writes, discovery) and transport.ts (cost and limits). */
export * from './connector';
export * from './cost';
export * from './errors';
export * from './inputs';
export * from './objects';
export * from './records';
export * from './transport';
export * from './webhooks';
