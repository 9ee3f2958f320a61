// The HTTP API client of the Peers page: the same public routes as curl and Consul's Go client, on the page's own
// origin (the local runtime serves both; in AWS, CloudFront forwards /v1/* to the API). Function names mirror the
// Go client (api.Peerings().List, .Read, .GenerateToken, .Establish, .Delete; api.ConfigEntries().Get, ...).
//
// Every call sends the ACL token kept in the browser's local storage as X-Consul-Token (none when logged out).
// A non-2xx answer rejects with an ApiError carrying the status and the server's plain-text message.

const TOKEN_KEY = 'cluster-peering:acl-token';

/** The ACL token ("Log in" with a token), kept in local storage. */
export const aclToken = {
  get() {
    try {
      return localStorage.getItem(TOKEN_KEY) || '';
    } catch {
      return '';
    }
  },
  set(secret) {
    localStorage.setItem(TOKEN_KEY, secret);
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
  },
};

/** A refused or failed call: status is the HTTP status (0 when the server could not be reached). */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }

  /** An ACL denial (Consul's "Permission denied: ..." or "ACL not found"), as opposed to another 403. */
  get isAclDenial() {
    return this.status === 403 && /Permission denied|ACL not found/.test(this.message);
  }
}

/**
 * One call. Resolves to {data, index}: the decoded JSON body (null for an empty one) and X-Consul-Index (0 when
 * absent). token overrides the stored ACL token for this call.
 */
async function call(method, path, { query = {}, body, signal, token } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      url.searchParams.set(key, value);
    }
  }
  const headers = { Accept: 'application/json' };
  const secret = token === undefined ? aclToken.get() : token;
  if (secret) {
    headers['X-Consul-Token'] = secret;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, 'The server could not be reached.');
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ApiError(response.status, text.trim() || `${response.status} ${response.statusText}`);
  }
  return {
    data: text ? JSON.parse(text) : null,
    index: Number(response.headers.get('X-Consul-Index')) || 0,
  };
}

const segment = (value) => encodeURIComponent(value);

/** Options of a blocking read: index (the last X-Consul-Index seen), wait ("30s") and an AbortSignal. */
const blocking = ({ index, wait, signal } = {}) => ({ query: { index: index || undefined, wait: index ? wait : undefined }, signal });

/** Cluster peering: /v1/peering/* and /v1/peerings. */
export const peerings = {
  /** GET /v1/peerings: every peering, DELETING and TERMINATED ones included. */
  list(options) {
    return call('GET', '/v1/peerings', blocking(options));
  },
  /** GET /v1/peering/{name}; data is null when there is none (404), as the Go client answers. */
  async read(name, options) {
    try {
      return await call('GET', `/v1/peering/${segment(name)}`, blocking(options));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        return { data: null, index: 0 };
      }
      throw e;
    }
  },
  /** POST /v1/peering/token {PeerName, ServerExternalAddresses}: data is {PeeringToken}. */
  generateToken(request) {
    return call('POST', '/v1/peering/token', { body: request });
  },
  /** POST /v1/peering/establish {PeerName, PeeringToken}. */
  establish(request) {
    return call('POST', '/v1/peering/establish', { body: request });
  },
  /**
   * GET /v1/peering/token (ours): the tokens generated here and not yet used, revoked or expired:
   * [{PeerName, Partition, PeeringID, GeneratedAt, ExpiresAt, Superseded}], never a secret.
   */
  outstandingTokens(options) {
    return call('GET', '/v1/peering/token', blocking(options));
  },
  /** DELETE /v1/peering/{name}/token (ours): revokes the peering's outstanding token; 409 when there is none. */
  revokeToken(name) {
    return call('DELETE', `/v1/peering/${segment(name)}/token`);
  },
  /**
   * GET /v1/peering/{name}/services (ours): per-service sync status both ways:
   * {PeerName, PeerViewKnown, PeerError, Exported: [{Service, State, Reason, Exporter, Importer}], Imported: [...]},
   * State one of synced, pending, refused, purging. Asks the peer, so it is polled, not watched.
   */
  syncStatus(name, options = {}) {
    return call('GET', `/v1/peering/${segment(name)}/services`, { signal: options.signal });
  },
  /** DELETE /v1/peering/{name}: marks it DELETING; the row goes once the purge is done. */
  delete(name) {
    return call('DELETE', `/v1/peering/${segment(name)}`);
  },
};

/** Config entries: /v1/config (exported-services, service-intentions). */
export const configEntries = {
  /** GET /v1/config/{kind}/{name}; data is null when there is none (404). */
  async get(kind, name, options) {
    try {
      return await call('GET', `/v1/config/${segment(kind)}/${segment(name)}`, blocking(options));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        return { data: null, index: 0 };
      }
      throw e;
    }
  },
  /** GET /v1/config/{kind}: every entry of a kind. */
  list(kind, options) {
    return call('GET', `/v1/config/${segment(kind)}`, blocking(options));
  },
  /** PUT /v1/config: writes an entry (its Kind and Name say which); 400 carries Consul's validation message. */
  set(entry) {
    return call('PUT', '/v1/config', { body: entry });
  },
  /** DELETE /v1/config/{kind}/{name}. */
  delete(kind, name) {
    return call('DELETE', `/v1/config/${segment(kind)}/${segment(name)}`);
  },
};

/** GET /v1/exported-services: [{Service, Consumers: {Peers}}], wildcards expanded. */
export function exportedServices(options) {
  return call('GET', '/v1/exported-services', blocking(options));
}

/** GET /v1/imported-services: [{Service, SourcePeer}]. */
export function importedServices(options) {
  return call('GET', '/v1/imported-services', blocking(options));
}

export const catalog = {
  /** GET /v1/catalog/services: {name: [tags]} of this cluster's own services. */
  services(options) {
    return call('GET', '/v1/catalog/services', blocking(options));
  },
};

export const health = {
  /**
   * GET /v1/health/service/{name}?peer=: the instances with their checks; a blocking read when options carry an
   * index (its X-Consul-Index moves with any change of the service's instances or checks, imported ones too).
   */
  service(name, { peer, ...options } = {}) {
    const request = blocking(options);
    return call('GET', `/v1/health/service/${segment(name)}`, { ...request, query: { ...request.query, peer } });
  },
};

export const agent = {
  /** GET /v1/agent/self: Config.Datacenter names this cluster. */
  self(options = {}) {
    return call('GET', '/v1/agent/self', { signal: options.signal });
  },
};

export const acl = {
  /**
   * GET /v1/acl/token/self: the caller's token; how a login is checked, as Consul's UI checks it. secret, when
   * given, is sent instead of the stored token (to check a token before keeping it).
   */
  tokenReadSelf(secret) {
    return call('GET', '/v1/acl/token/self', { token: secret });
  },
};

/**
 * Runs a blocking query over and over until the signal aborts. Each answer whose data differs from the last one
 * goes to onData (every answer with changesOnly false: for a view that reads more on each wake-up); an error goes
 * to onError, and the query is retried after a growing pause (1 s to 10 s). An ACL denial is not retried. wait is
 * Consul's ?wait= (a duration such as "30s").
 */
export async function watch(read, { onData, onError, signal, wait = '30s', changesOnly = true }) {
  let index = 0;
  let pause = 1000;
  let last;
  while (!signal.aborted) {
    try {
      const result = await read({ index, wait, signal });
      if (signal.aborted) {
        return;
      }
      const previous = index;
      // Consul's rule: an index that went backwards (a restart) starts over.
      index = result.index > 0 && result.index >= index ? result.index : 0;
      pause = 1000;
      const text = JSON.stringify(result.data);
      if (!changesOnly || text !== last) {
        last = text;
        onData(result.data);
      }
      // No index, or an unchanged one (the wait ran out, or something in between does not block): pause before
      // asking again, so a server or proxy that answers at once is not asked in a tight loop.
      if (!index || index === previous) {
        await sleep(1000, signal);
      }
    } catch (e) {
      if (signal.aborted || e.name === 'AbortError') {
        return;
      }
      onError(e);
      if (e instanceof ApiError && e.isAclDenial) {
        return;
      }
      await sleep(pause, signal);
      pause = Math.min(pause * 2, 10000);
    }
  }
}

/**
 * Reads over and over, every `every` milliseconds, until the signal aborts: for reads that do not block (they ask
 * the peer). Each answer whose data differs from the last goes to onData; an error goes to onError, and an ACL
 * denial ends the polling.
 */
export async function poll(read, { onData, onError, signal, every = 5000 }) {
  let last;
  while (!signal.aborted) {
    try {
      const result = await read({ signal });
      if (signal.aborted) {
        return;
      }
      const text = JSON.stringify(result.data);
      if (text !== last) {
        last = text;
        onData(result.data);
      }
    } catch (e) {
      if (signal.aborted || e.name === 'AbortError') {
        return;
      }
      onError(e);
      if (e instanceof ApiError && e.isAclDenial) {
        return;
      }
    }
    await sleep(every, signal);
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
