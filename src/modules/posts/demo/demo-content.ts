import { claimState } from '../../../platform/app-state.js';
import type { Db } from '../../../platform/db/index.js';
import type { Logger } from '../../../platform/logger.js';
import type { PostsService } from '../posts.service.js';
import { DEMO_POST_MARKDOWN } from './demo-post.js';

const SYSTEM = {
  id: 'pressroom',
  email: '',
  name: 'Pressroom',
  slug: 'pressroom',
  role: 'owner' as const,
};

/**
 * First run on an empty database: one sample post, so the site shows something real.
 * Only ever once (a flag claimed in the database), so deleting it keeps it deleted.
 */
export async function seedDemoContent(
  posts: PostsService,
  db: Db,
  logger: Logger,
): Promise<boolean> {
  if ((await posts.count()) > 0) return false;
  if (!(await claimState(db, 'demo_seeded', new Date().toISOString()))) return false;
  const post = await posts.importMarkdown(SYSTEM, DEMO_POST_MARKDOWN, {
    publish: true,
    isDemo: true,
  });
  logger.info({ post: post.id }, 'sample post created; delete it when you publish your own');
  return true;
}
