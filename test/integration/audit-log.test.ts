import { describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/audit';
import { useTestApp } from '../support/app';
import { createRegionTree } from '../support/factories';

const ctx = useTestApp();
const context = { actorUserId: null, requestId: 'req-audit-test', ip: '127.0.0.1' };

describe('audit log', () => {
  it('when a change commits, then its audit row commits with it; when it rolls back, then the row is gone too', async () => {
    const { db } = ctx.database;
    const tree = await createRegionTree(ctx.database.ownerDb);
    await db.transaction(async (trx) => {
      await trx('organizations').where({ id: tree.primary.id }).update({ name: 'Новое имя' });
      await recordAudit(trx, context, {
        action: 'org.renamed',
        entity: 'organization',
        entityId: tree.primary.id,
        organizationId: tree.primary.id,
        oldValues: { name: tree.primary.name },
        newValues: { name: 'Новое имя' },
      });
    });
    const committed = await db('audit_log').where({ entity: 'organization', entity_id: String(tree.primary.id) });
    expect(committed).toHaveLength(1);
    expect(committed[0]).toMatchObject({
      action: 'org.renamed',
      request_id: 'req-audit-test',
      ip: '127.0.0.1',
      new_values: { name: 'Новое имя' },
    });

    await expect(
      db.transaction(async (trx) => {
        await trx('organizations').where({ id: tree.territory.id }).update({ name: 'Не сохранится' });
        await recordAudit(trx, context, { action: 'org.renamed', entity: 'organization', entityId: tree.territory.id });
        throw new Error('injected failure');
      }),
    ).rejects.toThrow('injected failure');
    expect(await db('audit_log').where({ entity: 'organization', entity_id: String(tree.territory.id) })).toHaveLength(
      0,
    );
    expect((await db('organizations').where({ id: tree.territory.id }).first()).name).toBe(tree.territory.name);
  });

  it('when the application role tries to change or delete audit rows, then the database refuses', async () => {
    const { db } = ctx.database;
    await recordAudit(db, context, { action: 'test.row', entity: 'test' });
    await expect(db('audit_log').where({ action: 'test.row' }).update({ action: 'forged' })).rejects.toMatchObject({
      code: '42501',
    });
    await expect(db('audit_log').where({ action: 'test.row' }).delete()).rejects.toMatchObject({ code: '42501' });
    await expect(db.raw('TRUNCATE audit_log')).rejects.toMatchObject({ code: '42501' });
  });

  it('when even the owner role tries to rewrite history, then the trigger refuses', async () => {
    const { ownerDb } = ctx.database;
    await recordAudit(ownerDb, context, { action: 'test.owner', entity: 'test' });
    await expect(ownerDb('audit_log').where({ action: 'test.owner' }).delete()).rejects.toThrow('append-only');
  });
});
