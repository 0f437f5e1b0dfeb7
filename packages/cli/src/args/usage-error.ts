import { NrmError } from '@nrm/core';

/** A command line that cannot be run as given (exit code 2). */
export class UsageError extends NrmError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}
