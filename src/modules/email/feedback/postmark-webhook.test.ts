import { describe, expect, it } from 'vitest';
import { postmarkFeedback, type PostmarkRecord } from './postmark-webhook.js';

describe('postmarkFeedback', () => {
  it.each<[string, PostmarkRecord, ReturnType<typeof postmarkFeedback>['action'], string?]>([
    [
      'hard bounce',
      { RecordType: 'Bounce', Type: 'HardBounce', Email: 'A@x.org' },
      'bounce',
      'hard',
    ],
    [
      'bad address',
      { RecordType: 'Bounce', Type: 'BadEmailAddress', Email: 'a@x.org' },
      'bounce',
      'hard',
    ],
    [
      'soft bounce',
      { RecordType: 'Bounce', Type: 'SoftBounce', Email: 'a@x.org' },
      'bounce',
      'soft',
    ],
    ['transient', { RecordType: 'Bounce', Type: 'Transient', Email: 'a@x.org' }, 'bounce', 'soft'],
    ['spam complaint record', { RecordType: 'SpamComplaint', Email: 'a@x.org' }, 'complaint'],
    ['auto-responder', { RecordType: 'Bounce', Type: 'AutoResponder', Email: 'a@x.org' }, 'ignore'],
    ['delivery record', { RecordType: 'Delivery', Email: 'a@x.org' }, 'ignore'],
    ['no address', { RecordType: 'Bounce', Type: 'HardBounce' }, 'ignore'],
  ])('%s', (_name, record, action, kind) => {
    const result = postmarkFeedback(record);
    expect(result.action).toBe(action);
    if (result.action === 'bounce') {
      expect(result.kind).toBe(kind);
      expect(result.email).toBe(record.Email?.toLowerCase());
    }
  });
});
