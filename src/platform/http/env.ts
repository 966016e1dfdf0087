import type { Logger } from '../logger.js';

/** Per-request values every route can read (`c.get('requestId')`). */
export interface BaseVariables {
  requestId: string;
  logger: Logger;
  clientIp: string;
}

export interface BaseEnv {
  Variables: BaseVariables;
}
