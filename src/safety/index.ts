// Safety layers for every path that makes an image (see SAFETY.md):
//   prompt     assertPromptAllowed(text, policy)            generation prompts and edit instructions
//   input      assertImageAllowed(rgb, policy, {stage: 'input-image'})   an edit's source image
//   output     releaseImage(rgb, policy, {provenance})      screen, then PNG + XMP + C2PA provenance
// Each throws SafetyRefusal (CLI exit 3, API 400 content_policy_violation) and writes one audit line.
export { CATEGORIES, CATEGORY_LABELS, ZERO_TOLERANCE, type Category } from './categories.ts';
export { type Moderation, type SafetyConfig, type SafetyPolicy, SafetyConfigSchema, loadSafetyPolicy, parseModeration, thresholdFor } from './policy.ts';
export { SafetyRefusal, type SafetyDecision, type SafetyStage, isSafetyRefusal, refusalMessage, refusalResponse } from './refusal.ts';
export { PromptFilter, assertPromptAllowed, promptFilterFor } from './prompt-filter.ts';
export { ImageFilter, NsfwjsDetector, type ImageDetector, assertImageAllowed, imageFilterFor } from './image-filter.ts';
export { type AuditContext, type AuditSink, auditLine, auditLog, auditSinkFor } from './audit.ts';
export { DIGITAL_SOURCE_TYPE, type ProvenanceInput, type ProvenanceMetadata, encodePngWithProvenance, insertPngText, provenanceMetadata, readPngText, readProvenance } from './provenance.ts';
export { type C2paSigner, addC2paManifest, c2paSignerFromPem, readC2paManifest, selfSignedC2paSigner } from './c2pa.ts';
export { type ReleaseOptions, type ReleasedImage, releaseImage, saveReleasedImage } from './release.ts';
export { runRedteam, type RedteamReport } from './redteam.ts';
