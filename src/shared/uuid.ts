// Ids of export jobs and import reports are uuids: anything else in their URL is a missing page, and must
// not reach a query as text PostgreSQL refuses to read as a uuid (22P02).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
