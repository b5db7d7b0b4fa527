import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import * as https from 'node:https';
import fetch from 'node-fetch';

export interface NetworkClientOptions {
  /**
   * Extra CA (PEM) to trust instead of the default list: only the tests set it, for the simulators' throwaway CA.
   * The extension leaves it unset so the host's trust store (and VS Code's proxy support) applies.
   */
  ca?: string;
  /** Per request; MSAL's own client has no time-out on POSTs, and a hanging sign-in service must not hang the view. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The HTTP client MSAL uses for discovery, device code and token requests: https only, with time-outs. */
export function createNetworkClient(options: NetworkClientOptions = {}): INetworkModule {
  const agent = options.ca ? new https.Agent({ ca: options.ca }) : undefined;
  const send = async <T>(method: 'GET' | 'POST', url: string, request?: NetworkRequestOptions, timeoutMs?: number): Promise<NetworkResponse<T>> => {
    const target = new URL(url);
    const where = `${method} ${target.origin}${target.pathname}`;
    if (target.protocol !== 'https:') {
      throw networkError(`${where}: refused, sign-in requests use https only`);
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      const response = await fetch(url, { method, headers: request?.headers, body: method === 'POST' ? request?.body ?? '' : undefined, agent, signal: abort.signal });
      const text = await response.text();
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      let body: T;
      try {
        body = (text ? JSON.parse(text) : {}) as T;
      } catch {
        throw networkError(`${where} answered HTTP ${response.status} with a body that is not JSON (a proxy or gateway page?)`);
      }
      return { headers, body, status: response.status };
    } catch (error) {
      if (error instanceof AuthError) {
        throw error;
      }
      throw networkError(abort.signal.aborted
        ? `${where} timed out`
        : `${where} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    sendGetRequestAsync: (url, request, timeout) => send('GET', url, request, timeout),
    sendPostRequestAsync: (url, request) => send('POST', url, request),
  };
}

/** MSAL passes its own AuthError through with the message intact; anything else becomes a bare "network_error". */
function networkError(message: string): AuthError {
  return new AuthError('network_error', '', message);
}
