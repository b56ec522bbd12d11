export * from './resources';
export * from './rules';
export * from './conditionExports';
