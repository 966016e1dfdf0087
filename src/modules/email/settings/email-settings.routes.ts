import { Hono } from 'hono';
import { readJson } from '../../../platform/http/index.js';
import { authenticate, requireStaff, type AdminEnv, type StaffService } from '../../staff/index.js';
import {
  dkimGenerateSchema,
  dkimPutSchema,
  testEmailSchema,
  transportPutSchema,
} from './email-settings.schema.js';
import type { EmailSettingsService } from './email-settings.service.js';

/**
 * `/api/admin/email`: how newsletters leave — the transport, a test through it, the DKIM key
 * and the DNS records to publish. Admins only: these hold the relay's credentials.
 */
export function createEmailSettingsApi(deps: {
  staff: StaffService;
  emailSettings: EmailSettingsService;
}) {
  const { emailSettings } = deps;
  const api = new Hono<AdminEnv>();
  api.use('*', authenticate(deps.staff), requireStaff('admin'));
  api.get('/transport', async (c) => c.json(await emailSettings.view()));
  api.put('/transport', async (c) =>
    c.json(await emailSettings.saveTransport(await readJson(c, transportPutSchema))),
  );
  api.post('/transport/test', async (c) => {
    const { to } = await readJson(c, testEmailSchema);
    return c.json(await emailSettings.sendTest(to));
  });
  api.post('/dkim', async (c) =>
    c.json(await emailSettings.generateDkim(await readJson(c, dkimGenerateSchema))),
  );
  api.put('/dkim', async (c) =>
    c.json(await emailSettings.saveDkim(await readJson(c, dkimPutSchema))),
  );
  api.delete('/dkim', async (c) => c.json(await emailSettings.deleteDkim()));
  return api;
}
