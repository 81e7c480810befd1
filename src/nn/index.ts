// Layers built from engine ops. Weights are declared through a Scope; see scope.ts.
export * from './scope.ts';
export * from './layers.ts';
export * from './attention.ts';
export * from './modulation.ts';
