// Which loader a generate/edit command line needs: a --model folder with model_index.json is a
// diffusers folder (FLUX.2 [klein] or Z-Image, src/cli/commands/diffusers.ts); anything else is
// flowpaint's own. Kept free of heavy imports: main.ts asks before loading any command module.
import { isDiffusersFolder } from '../../model/diffusers/detect.ts';

/** The model folder a generate/edit command line names, when it is a diffusers folder; else undefined. */
export function diffusersModelOf(args: string[]): string | undefined {
  if (args[0] !== 'generate' && args[0] !== 'edit') return undefined;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    const dir = a === '--model' ? args[i + 1] : a.startsWith('--model=') ? a.slice('--model='.length) : undefined;
    if (dir !== undefined) return isDiffusersFolder(dir) ? dir : undefined;
  }
  return undefined;
}
