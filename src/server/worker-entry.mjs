// Worker threads do not inherit a loader registered with register() in the parent (the `flowpaint`
// bin does that), so each thread registers tsx itself before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./worker-thread.ts');
