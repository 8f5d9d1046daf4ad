import { BotloomError } from '@botloom/core';

/** Stable codes of segmentation failures (JSON errors, logs, tests). */
export type SegmentationErrorCode =
  | 'SEGMENTATION_EMPTY_FILE'
  | 'SEGMENTATION_MISSING_COLUMNS'
  | 'SEGMENTATION_UNREADABLE_FILE'
  | 'SEGMENTATION_INVALID_ROWS'
  | 'SEGMENTATION_DUPLICATE_FILE'
  | 'SEGMENTATION_NO_DATA'
  | 'SEGMENTATION_RECOMPUTE_RUNNING'
  | 'SEGMENTATION_NOT_ENOUGH_CLIENTS';

export class SegmentationError extends BotloomError {
  declare readonly code: SegmentationErrorCode;

  constructor(
    code: SegmentationErrorCode,
    message: string,
    options: { cause?: unknown; details?: unknown } = {},
  ) {
    super(code, message, options);
  }
}
