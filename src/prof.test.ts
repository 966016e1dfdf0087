import { it } from 'vitest';
import { hash, verify } from '@node-rs/argon2';
import { createTestApp, ownerClient } from '/work/main/test/support/app.js';
it('prof', async () => {
  for (const d of ['sqlite', 'postgres'] as const) {
    let s = performance.now();
    const t = await createTestApp(d);
    console.log(d, 'createTestApp', performance.now() - s);
    s = performance.now();
    const h = await hash('abcdefghijkl');
    console.log('hash', performance.now() - s);
    s = performance.now();
    await verify(h, 'abcdefghijkl');
    console.log('verify', performance.now() - s);
    s = performance.now();
    const c = await ownerClient(t);
    console.log('ownerClient', performance.now() - s);
    s = performance.now();
    await c.get('/api/admin/posts');
    console.log('get', performance.now() - s);
    s = performance.now();
    await t.close();
    console.log('close', performance.now() - s);
  }
});
