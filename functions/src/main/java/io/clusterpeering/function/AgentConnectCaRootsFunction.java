package io.clusterpeering.function;

import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/agent/connect/ca/roots}: the agent's copy of the CA roots, which Connect-native applications and
 * proxies read from their local agent; here the same answer as {@code GET /v1/connect/ca/roots}.
 */
public class AgentConnectCaRootsFunction extends ConnectCaRootsFunction {

    public AgentConnectCaRootsFunction() {
        super();
    }

    public AgentConnectCaRootsFunction(ApplicationContext context) {
        super(context);
    }
}
