// Flow matching, independent of any model: the straight path, timestep sampling and shifts,
// conditioning dropout and the loss for training, and the samplers and guidance used for
// generation. Conventions: x_t = (1 − t)·x0 + t·ε, t = 1 noise, t = 0 data, v = ε − x0; arrays
// are flat Float32Arrays and batching is the caller's business, except the loss, which is
// graph ops over [B, N, P] token tensors (it runs inside the training step).
export {
  sampleLogitNormal,
  shiftTimestep,
  shiftTimesteps,
  resolutionShift,
  samplingSchedule,
  type FlowRng,
  type LogitNormalOptions,
  type ResolutionShiftOptions,
} from './timesteps.ts';
export {
  noisyAt,
  velocityTarget,
  predictionTarget,
  toVelocity,
  toData,
  dataFromVelocity,
  DEFAULT_T_MIN,
  type PredictionKind,
} from './path.ts';
export {
  sampleEuler,
  sampleHeun,
  asDenoiser,
  SamplingAbortedError,
  type Denoiser,
  type StepInfo,
  type SampleOptions,
} from './sampler.ts';
export {
  textGuidance,
  isGuidanceInterval,
  editGuidance,
  type BatchedVelocity,
  type TextCondition,
  type TextGuidanceOptions,
  type EditCondition,
  type EditDenoisers,
} from './guidance.ts';
export { flowMatchingLoss, impliedVelocity, type FlowLossInputs } from './loss.ts';
export { EstimateMemory } from './self-condition.ts';
export {
  conditioningDropout,
  type ConditioningDropoutOptions,
  type ConditioningDrop,
} from './dropout.ts';
