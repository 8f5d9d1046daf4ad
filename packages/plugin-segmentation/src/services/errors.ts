import { DomainError, type DomainErrorKind } from '@botloom/core';

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

/** What each code means to core's error policy (and so its HTTP status). A new code must be listed. */
const KIND_OF: Record<SegmentationErrorCode, DomainErrorKind> = {
  SEGMENTATION_EMPTY_FILE: 'invalid_input',
  SEGMENTATION_MISSING_COLUMNS: 'invalid_input',
  SEGMENTATION_UNREADABLE_FILE: 'invalid_input',
  SEGMENTATION_INVALID_ROWS: 'invalid_input',
  SEGMENTATION_DUPLICATE_FILE: 'conflict',
  SEGMENTATION_NO_DATA: 'conflict',
  SEGMENTATION_RECOMPUTE_RUNNING: 'conflict',
  SEGMENTATION_NOT_ENOUGH_CLIENTS: 'conflict',
};

/**
 * One class for every segmentation failure (callers catch `instanceof SegmentationError`), a core
 * domain error whose kind follows from the code.
 */
export class SegmentationError extends DomainError {
  declare readonly code: SegmentationErrorCode;

  constructor(
    code: SegmentationErrorCode,
    message: string,
    options: { cause?: unknown; details?: unknown } = {},
  ) {
    super(KIND_OF[code], code, message, options);
  }
}
