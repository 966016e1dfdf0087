import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { createPressroom, type Pressroom } from '../app.js';
import type { Config } from '../platform/config.js';
import { seedDemoContent } from '../modules/posts/index.js';

/** Resolves on SIGINT or SIGTERM (the second one exits at once). */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

export interface RunningServer {
  pressroom: Pressroom;
  url: string;
  /** Stops accepting, lets in-flight requests finish, releases jobs, closes the database. */
  shutdown(graceMs?: number): Promise<void>;
}

export async function startServer(
  config: Config,
  options: { worker: boolean },
): Promise<RunningServer> {
  const pressroom = await createPressroom({ config });
  if (config.demoContent)
    await seedDemoContent(pressroom.services.posts, pressroom.db, pressroom.logger);
  await pressroom.watchContent();
  if (options.worker) await pressroom.startWorker();

  const server = createServer(pressroom.requestListener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const bounces =
    config.mail.bouncePort === undefined
      ? undefined
      : await pressroom.startBounceListener({ port: config.mail.bouncePort, host: config.host });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  pressroom.logger.info(
    { url, publicUrl: config.publicUrl, database: config.database.dialect, worker: options.worker },
    'Pressroom is listening',
  );

  return {
    pressroom,
    url,
    async shutdown(graceMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections with no request in flight would hold close() open forever.
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const timer = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, graceMs);
      await closed;
      clearTimeout(timer);
      await bounces?.close();
      await pressroom.close(graceMs);
      pressroom.logger.info('Pressroom stopped');
      pressroom.logger.flush();
    },
  };
}

export async function serve(config: Config, options: { worker: boolean }): Promise<number> {
  const running = await startServer(config, options);
  const signal = await untilSignal();
  running.pressroom.logger.info({ signal }, 'shutting down');
  await running.shutdown();
  return 0;
}

export async function runWorker(config: Config): Promise<number> {
  const pressroom = await createPressroom({ config });
  await pressroom.startWorker();
  pressroom.logger.info(
    { database: config.database.dialect, concurrency: config.workerConcurrency },
    'worker started',
  );
  const signal = await untilSignal();
  pressroom.logger.info({ signal }, 'worker shutting down');
  await pressroom.close();
  return 0;
}
