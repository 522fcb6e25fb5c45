/**
 * The pure transform library of SPEC §4: compile a spec (options validated once), then apply it to
 * values; a value that cannot be transformed becomes a classified error, never an exception.
 */
export * from './types';
export type { OptionField, OptionFieldType, TransformInfo } from './definition';
export { applyTransform, compileChain, compileTransform, isTransformName, TRANSFORMS } from './registry';
export { formatChain, parseChain } from './chain';
export { parseAddress } from './address';
export { splitName } from './name';
export { toCountryCode } from './country';
