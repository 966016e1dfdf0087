import type { Logger } from '../logger.js';

/** Per-request values every route can read (`c.get('requestId')`). */
export interface BaseVariables {
  requestId: string;
  /** The shared logger; include `reqId: c.get('requestId')` in lines about this request. */
  logger: Logger;
  clientIp: string;
  /** Set when the response came from an in-memory cache: logged at debug, not info. */
  servedFromCache: boolean;
}

export interface BaseEnv {
  Variables: BaseVariables;
}
