// Noticing an answer whose body stops before its Content-Length, for the API client and for downloads alike.
import type * as http from 'node:http';
import type * as https from 'node:https';

/**
 * `agent` for one request, telling `onCut` (with the status) when the answer's connection closes before its body is
 * complete. node-fetch pipes the response into its own stream without passing on that close, so a body cut off
 * mid-way (Content-Length not reached) would otherwise wait for the time-out. A connection left open with the body
 * unfinished is not noticed here: that is a stall, for the caller's timer. Returns node-fetch's `agent` option.
 */
export function reportingCutBodies(agent: https.Agent, onCut: (status: number) => void): () => https.Agent {
  // addRequest is how every ClientRequest hands itself to its agent (public in Node, absent from its typings).
  const real = agent as unknown as AgentInternals;
  const watching: AgentInternals = Object.create(agent);
  watching.addRequest = (request, options) => {
    request.once('response', (response: http.IncomingMessage) => {
      response.once('close', () => {
        if (!response.complete) {
          onCut(response.statusCode ?? 0);
        }
      });
    });
    real.addRequest(request, options);
  };
  return () => watching as unknown as https.Agent;
}

interface AgentInternals {
  addRequest(request: http.ClientRequest, options: unknown): void;
}
