// How newsletters leave: the transport and DKIM key staff set in the admin (the environment
// wins where it sets them), and the DNS records to publish.
export { createEmailSettingsApi } from './email-settings.routes.js';
export {
  dkimRecord,
  EmailSettingsService,
  type DnsRecord,
  type EmailSettingsView,
} from './email-settings.service.js';
