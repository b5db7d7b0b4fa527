import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import * as https from 'node:https';
import fetch, { type Response } from 'node-fetch';
import { REQUEST_TIMEOUT_MS } from '../config';
import { byteSize } from '../shared/byteSize';
import { errorDetail } from '../shared/errors';
import { isHttps } from '../shared/httpsUrl';

export interface NetworkClientOptions {
  /**
   * Extra CA (PEM) to trust instead of the default list: only the tests set it, for the simulators' throwaway CA.
   * The extension leaves it unset so the host's trust store (and VS Code's proxy support) applies.
   */
  ca?: string;
  /** Per request; MSAL's own client has no time-out on POSTs, and a hanging sign-in service must not hang the view. */
  timeoutMs?: number;
  /**
   * Told every failure's message (no token text: method, origin and path only). MSAL replaces a failed discovery's
   * error with its own 'endpoints_resolution_error', so this is how the reason reaches the user.
   */
  onFailure?: (message: string) => void;
}

/**
 * The largest decoded answer read, in bytes: discovery and token answers are a few KiB, so 1 MiB is ample, and a
 * gzip bomb stops there instead of filling the memory of the extension host.
 */
export const MAX_AUTH_BODY_BYTES = 1024 * 1024;

/**
 * The HTTP client MSAL uses for discovery, device code and token requests: https only, with time-outs, and no
 * redirects — a 3xx is refused (AuthError 'network_error' naming the status) rather than followed, because following
 * one would re-send the form, refresh token included, to whatever the `Location` names.
 */
export function createNetworkClient(options: NetworkClientOptions = {}): INetworkModule {
  const agent = options.ca ? new https.Agent({ ca: options.ca }) : undefined;
  const send = async <T>(method: 'GET' | 'POST', url: string, request?: NetworkRequestOptions, timeoutMs?: number): Promise<NetworkResponse<T>> => {
    const target = new URL(url);
    const where = `${method} ${target.origin}${target.pathname}`;
    if (!isHttps(target)) {
      throw networkError(`${where}: refused, sign-in requests use https only`, options.onFailure);
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs ?? options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(url, {
        method, headers: request?.headers, body: method === 'POST' ? request?.body ?? '' : undefined, agent, signal: abort.signal,
        redirect: 'manual', size: MAX_AUTH_BODY_BYTES,
      });
      const text = await readCapped(response, where, options.onFailure);
      if (response.status >= 300 && response.status < 400) {
        throw networkError(`${where} answered a redirect (HTTP ${response.status}), which is refused: sign-in requests go to the configured authority only`, options.onFailure);
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      let body: T;
      try {
        body = (text ? JSON.parse(text) : {}) as T;
      } catch {
        throw networkError(`${where} answered HTTP ${response.status} with a body that is not JSON (a proxy or gateway page?)`, options.onFailure);
      }
      return { headers, body, status: response.status };
    } catch (error) {
      if (error instanceof AuthError) {
        throw error;
      }
      throw networkError(abort.signal.aborted
        ? `${where} timed out`
        : `${where} failed: ${errorDetail(error)}`, options.onFailure);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    sendGetRequestAsync: (url, request, timeout) => send('GET', url, request, timeout),
    sendPostRequestAsync: (url, request) => send('POST', url, request),
  };
}

/** The decoded body; an AuthError naming the cap when it is over MAX_AUTH_BODY_BYTES. */
async function readCapped(response: Response, where: string, onFailure: ((message: string) => void) | undefined): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    if ((error as { type?: unknown }).type !== 'max-size') {
      throw error;
    }
    throw networkError(`${where} answered HTTP ${response.status} with a body larger than the ${byteSize(MAX_AUTH_BODY_BYTES)} a sign-in answer `
      + 'may have; not read (a proxy or gateway in the way?)', onFailure);
  }
}

/** MSAL passes its own AuthError through with the message intact; anything else becomes a bare "network_error". */
function networkError(message: string, onFailure: ((message: string) => void) | undefined): AuthError {
  onFailure?.(message);
  return new AuthError('network_error', '', message);
}
