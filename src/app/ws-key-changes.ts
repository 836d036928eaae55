import { CloseCode } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Principal } from '../common/auth/principal';
import { ApiKeyService } from '../modules/api-key/api-key.service';

/** Why a socket is closed when its key is revoked: graphql-ws's Forbidden, as for a key refused at connection. */
export const KEY_REVOKED_CLOSE = { code: CloseCode.Forbidden, reason: 'Forbidden: the API key was revoked or changed' } as const;

/**
 * A websocket is authenticated once, when it opens; this closes it when its key
 * changes afterwards. The database announces each changed key to every node
 * (ApiKeyService.onKeyChanged); the sockets opened with it are closed (4403,
 * which ends their subscriptions) unless the key still acts as the same role
 * for the same organisation.
 */
export function watchKeyChanges(apiKeys: ApiKeyService, logger: Logger) {
  const socketsByHash = new Map<string, Map<WebSocket, Principal>>();

  const recheck = async (keyHash: string): Promise<void> => {
    const sockets = socketsByHash.get(keyHash);
    if (!sockets) return;
    let now: Principal | null = null;
    try {
      now = await apiKeys.principalOf(keyHash);
    } catch (err) {
      // Closed rather than trusted: a client reconnects and is authenticated afresh.
      logger.error({ err }, 'a changed API key could not be read; closing its websockets');
    }
    for (const [socket, principal] of sockets) {
      if (now && now.role === principal.role && now.organizationId === principal.organizationId) continue;
      socket.close(KEY_REVOKED_CLOSE.code, KEY_REVOKED_CLOSE.reason);
    }
  };
  apiKeys.onKeyChanged((keyHash) => void recheck(keyHash));

  return {
    /** Watches a socket accepted with `key` until it closes. */
    track(socket: WebSocket, key: string, principal: Principal): void {
      const keyHash = ApiKeyService.hash(key);
      const sockets = socketsByHash.get(keyHash) ?? new Map<WebSocket, Principal>();
      sockets.set(socket, principal);
      socketsByHash.set(keyHash, sockets);
      socket.once('close', () => {
        sockets.delete(socket);
        if (sockets.size === 0 && socketsByHash.get(keyHash) === sockets) socketsByHash.delete(keyHash);
      });
    },
  };
}
