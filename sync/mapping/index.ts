export * from './spec';
export * from './path';
export { compileMapping, CompiledMapping, MappingConfigError, type MappingResult, type Flow } from './engine';
export { PRESETS, getPreset, type MappingPreset } from './presets';
export { suggestPairs, normaliseFieldName, type PairSuggestion } from './suggest';
