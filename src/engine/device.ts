// Which device the sessions run on: the CPU (ONNX Runtime's bundled provider, always there) or an
// NVIDIA GPU through ONNX Runtime's CUDA execution provider. CUDA is opt-in (--device cuda or
// FLOWPAINT_DEVICE=cuda) and never required: its provider libraries are not part of the install
// (npm skips onnxruntime-node's download script), so asking for it on a machine without them
// fails at once with an error that names the missing files and the one command that adds them,
// rather than deep inside session creation.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { type ExecutionProvider, ortBinDir } from './runtime.ts';

export const DEVICES = ['cpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

/** The files ONNX Runtime loads for the CUDA provider, beside its own library (onnxruntime-node's bin folder). */
export const CUDA_PROVIDER_FILES = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'] as const;

/** The command that fetches them (onnxruntime-node's own install script; downloads from NuGet). */
export const CUDA_INSTALL_COMMAND = 'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install';

/** A device this machine cannot serve as asked: an InputError, so the CLI exits 2 and the server answers 400. */
export class DeviceError extends InputError {}

/** A --device / FLOWPAINT_DEVICE value, checked. `what` names where it came from in the message. */
export function parseDevice(v: string, what = '--device'): Device {
  if (!(DEVICES as readonly string[]).includes(v)) throw new DeviceError(`${what} must be one of ${DEVICES.join(', ')}, got '${v}'`);
  return v as Device;
}

/** The device asked for: the flag if given, else $FLOWPAINT_DEVICE, else the CPU. */
export function requestedDevice(flag: Device | undefined, env: NodeJS.ProcessEnv = process.env): Device {
  if (flag) return flag;
  const v = env.FLOWPAINT_DEVICE;
  return v ? parseDevice(v, 'FLOWPAINT_DEVICE') : 'cpu';
}

/**
 * The execution provider for `device`, after checking that its libraries are in `binDir`
 * (`exists` is the file check; tests pass their own). Throws a DeviceError naming each missing
 * file, the folder, and how to add them.
 */
export function providerFor(device: Device, binDir: string, exists: (path: string) => boolean = existsSync): ExecutionProvider {
  if (device === 'cpu') return 'cpu';
  const missing = CUDA_PROVIDER_FILES.filter((f) => !exists(join(binDir, f)));
  if (missing.length) {
    throw new DeviceError(
      `--device cuda: ONNX Runtime's CUDA execution provider is not installed (${missing.join(' and ')} missing from ${binDir}). ` +
        `Add it once with \`${CUDA_INSTALL_COMMAND}\`; it needs an NVIDIA driver with CUDA 12 and cuDNN 9 (see docs/flux2-klein.md, "GPU"). ` +
        'Without --device (or FLOWPAINT_DEVICE), flowpaint runs on the CPU.',
    );
  }
  return 'cuda';
}

/** The provider a command runs on: --device (else $FLOWPAINT_DEVICE, else the CPU), checked against this install. */
export function resolveProvider(flag: Device | undefined, env: NodeJS.ProcessEnv = process.env): ExecutionProvider {
  return providerFor(requestedDevice(flag, env), ortBinDir());
}
