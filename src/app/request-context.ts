import type { Principal } from '../common/auth/principal';
import type { Services } from '../services';
import type { Loaders } from './loaders';

/** What every resolver receives: the caller, this request's loaders, the services. */
export interface RequestContext {
  principal: Principal;
  loaders: Loaders;
  services: Services;
}
