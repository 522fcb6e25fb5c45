export { PipedriveConnector, isWholeRequestError } from './connector';
export type { PipedriveConnectorOptions, PipedriveWriteOptions, PipedriveWriteInput, ListOptions, PipedriveChangesOptions } from './connector';
export { decodeCursor, encodeCursor } from './cursor';
export { classifyResponse } from './errors';
export { pipedriveLimits, TOKEN_COST, type AuthKind } from './limits';
export { OBJECTS, STANDARD_FIELDS, toObject, nameField, type PipedriveObject, type PipedriveEntity } from './objects';
export { buildWriteBody, toEnvelope } from './records';
export { buildSchema, resolveCustom, type ObjectSchema, type CustomField } from './schema';
export * from './webhooks';
