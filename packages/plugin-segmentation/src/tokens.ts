import { createServiceRef } from '@botloom/core';
import type { SegmentationServices } from './services/segmentation-service.js';

/**
 * The plugin's services, for plugins that list `segmentation` in `dependsOn` and this ref in
 * `services.deps` (and for `app.services('segmentation')`).
 */
export const segmentationServicesRef = createServiceRef<SegmentationServices>({
  id: 'segmentation.services',
  owner: 'segmentation',
});

/** The same service as a raw DI token, for `resolve()`; prefer `segmentationServicesRef` in deps. */
export const SegmentationTokens = { Services: segmentationServicesRef.token } as const;
