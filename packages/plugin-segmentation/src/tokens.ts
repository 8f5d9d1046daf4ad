import { createToken } from '@botloom/core';
import type { SegmentationConfig } from './config.js';
import type { SegmentationServices } from './services/segmentation-service.js';

/** The plugin's services, registered in its container and exposed to plugins that depend on it. */
export const SegmentationTokens = {
  Services: createToken<SegmentationServices>('segmentation.Services'),
  Config: createToken<SegmentationConfig>('segmentation.Config'),
} as const;
