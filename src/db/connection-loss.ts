// A query that lost its connection (a database restart or failover terminates every backend: 57P01;
// a proxy's idle timeout or a network fault ends the socket) or found no free connection in time.
// SQLSTATE class 08 (connection exception) and 57P01–57P03 (shutdown, cannot connect now), and the
// driver's and pool's own words for the same (an unreachable host: refused, unreachable, not resolved).
const CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const WORDS =
  /^(Connection terminated|Connection ended unexpectedly|Client was closed|Client has encountered a connection error|Knex: Timeout acquiring a connection)|\b(ECONNRESET|ECONNREFUSED|EPIPE|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT)\b/;

/** Whether `err` says the server could not be reached or the connection broke (not what the query asked). */
export function isConnectionLoss(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (
    (typeof code === 'string' && CODES.has(code)) ||
    (typeof message === 'string' && WORDS.test(message.replace(/^[\s\S]*? - /, '')))
  );
}
