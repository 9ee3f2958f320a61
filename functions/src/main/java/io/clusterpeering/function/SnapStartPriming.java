package io.clusterpeering.function;

import io.clusterpeering.http.ApiGatewayPayloads;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.http.ConsulShapes;
import io.clusterpeering.store.ConsulIndex;
import io.micronaut.crac.OrderedResource;
import jakarta.inject.Singleton;
import org.crac.Context;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * SnapStart priming: just before Lambda snapshots an initialised function, makes one harmless DynamoDB call
 * (reads the index counter, a GetItem every function may do), one JSON write, and reads and answers one API
 * Gateway event of each payload format (HTTP API 2.0, REST API 1.0), so the snapshot already holds a warmed SDK
 * client (HTTP connection classes, signer, endpoint rules, marshallers) and Jackson's event (de)serializers.
 * It reads no secret, so the snapshot holds no key material; the cluster identity loads on first use after
 * restore. Registered with CRaC by Micronaut's CRaC support; a failure is logged and never blocks the snapshot.
 */
@Singleton
public class SnapStartPriming implements OrderedResource {
    private static final Logger LOG = LoggerFactory.getLogger(SnapStartPriming.class);
    /** The smallest event of each payload format; reading one touches no store. */
    private static final String[] PRIMING_EVENTS = {
            "{\"version\":\"2.0\",\"rawPath\":\"/v1/agent/self\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
            "{\"httpMethod\":\"GET\",\"path\":\"/agent/self\",\"requestContext\":{\"path\":\"/v1/agent/self\"}}"};

    private final ConsulIndex index;
    private volatile int primedCalls;

    public SnapStartPriming(ConsulIndex index) {
        this.index = index;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        try {
            index.current();
            ConsulJson.write(new ConsulShapes.RemoteView("default", "dc1"), false);
            for (String event : PRIMING_EVENTS) {
                var invocation = ApiGatewayPayloads.read(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)));
                ApiGatewayPayloads.write(invocation.format(), Routes.unrouted("GET", "/", "allow"), new ByteArrayOutputStream());
            }
            primedCalls++;
        } catch (IOException | RuntimeException e) {
            LOG.warn("priming before the snapshot failed: {}", e.getMessage());
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        LOG.debug("restored from snapshot");
    }

    /** How many times priming ran to completion; for tests. */
    public int primedCalls() {
        return primedCalls;
    }
}
