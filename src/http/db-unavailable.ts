import { isConnectionLoss } from '../db/connection-loss';
import { ServiceUnavailableError } from './errors';

// A query that lost its connection or found no free connection in time (db/connection-loss.ts) is not a
// bug of ours and not the user's fault: it answers 503 with Retry-After, and the transaction it was in has
// rolled back.
export function databaseUnavailable(err: unknown): ServiceUnavailableError | undefined {
  return isConnectionLoss(err) ? new ServiceUnavailableError() : undefined;
}
