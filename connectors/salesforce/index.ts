export * from './connector';
export * from './cursor';
export * from './describe';
export * from './errors';
export * from './limits';
export * from './poller';
export * from './records';
export * from './soql';
