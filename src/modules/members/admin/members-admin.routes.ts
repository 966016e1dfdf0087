import { Hono } from 'hono';
import { parseWith, readJson, readQuery } from '../../../platform/http/index.js';
import {
  authenticate,
  currentStaff,
  requireStaff,
  type AdminEnv,
  type StaffService,
} from '../../staff/index.js';
import { csvUploadFromForm, readCsvUpload } from './csv-upload.js';
import {
  compSchema,
  importOptionsSchema,
  memberCreateSchema,
  memberExportQuerySchema,
  memberHistoryQuerySchema,
  memberListQuerySchema,
  memberPatchSchema,
} from './members-admin.schema.js';
import type { MembersAdminService } from './members-admin.service.js';

export interface MembersAdminRoutesDeps {
  service: MembersAdminService;
  staff: StaffService;
  /** Largest CSV accepted by the import. */
  importLimitBytes: number;
}

/**
 * `/api/admin/members`. Editors and above may look (list, counts, one member); changing
 * members, and taking the whole list out or putting one in, is for admins and the owner.
 */
export function createMembersAdminApi({
  service,
  staff,
  importLimitBytes,
}: MembersAdminRoutesDeps) {
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(staff), requireStaff('editor'));

  // Fixed paths come before `/:id`, which would otherwise take them.
  api.get('/', async (c) => c.json(await service.list(readQuery(c, memberListQuerySchema))));
  api.get('/stats', async (c) => c.json(await service.stats()));

  api.get('/export.csv', requireStaff('admin'), (c) => {
    const stream = service.exportCsv(readQuery(c, memberExportQuerySchema));
    const day = new Date().toISOString().slice(0, 10);
    return c.body(stream, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="members-${day}.csv"`,
      'Cache-Control': 'no-store',
    });
  });

  api.post('/import', requireStaff('admin'), async (c) => {
    const upload = c.req.raw.bodyUsed
      ? csvUploadFromForm(await c.req.formData(), importLimitBytes)
      : await readCsvUpload(c.req.raw, importLimitBytes);
    const { newsletters, comp } = { ...c.req.query(), ...upload.fields };
    const options = parseWith(importOptionsSchema, { newsletters, comp });
    const report = await service.importCsv(upload.source, {
      ...options,
      actorId: currentStaff(c).id,
    });
    return c.json({ report });
  });

  api.post('/', requireStaff('admin'), async (c) => {
    const body = await readJson(c, memberCreateSchema);
    return c.json(await service.create(currentStaff(c), body), 201);
  });

  api.get('/:id', async (c) => c.json(await service.get(c.req.param('id'))));

  api.get('/:id/events', async (c) =>
    c.json(await service.history(c.req.param('id'), readQuery(c, memberHistoryQuerySchema))),
  );

  api.patch('/:id', requireStaff('admin'), async (c) => {
    const body = await readJson(c, memberPatchSchema);
    return c.json(await service.update(currentStaff(c), c.req.param('id'), body));
  });

  api.post('/:id/comp', requireStaff('admin'), async (c) => {
    const body = await readJson(c, compSchema);
    return c.json(await service.comp(currentStaff(c), c.req.param('id'), body));
  });

  api.delete('/:id/comp', requireStaff('admin'), async (c) =>
    c.json(await service.removeComp(currentStaff(c), c.req.param('id'))),
  );

  api.delete('/:id', requireStaff('admin'), async (c) => {
    await service.remove(currentStaff(c), c.req.param('id'));
    return c.body(null, 204);
  });

  return api;
}
