import type { DataSource } from 'typeorm';
import type { Principal } from '../common/auth/principal';
import type { Services } from '../services';
import { Loaders } from './loaders';

/** What every resolver receives: the caller, this request's loaders, the services. */
export interface RequestContext {
  principal: Principal;
  loaders: Loaders;
  services: Services;
}

/** Builds each request's context, over HTTP and websockets alike: loaders are per request so batches never mix callers. */
export const requestContextFactory =
  (db: DataSource, services: Services) =>
  (principal: Principal): RequestContext => ({ principal, loaders: new Loaders(db), services });
