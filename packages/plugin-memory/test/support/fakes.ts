/** An error with only a `code` (and `resetsAt`), like the ones classifyLlmError reads by duck typing. */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    readonly resetsAt?: Date,
  ) {
    super(code);
  }
}
