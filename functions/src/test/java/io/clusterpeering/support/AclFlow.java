package io.clusterpeering.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clusterpeering.local.LocalCluster;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ACL steps of the README as methods: start a cluster with ACLs on, bootstrap it, and make a policy and a
 * token through the public ACL API with the management token.
 */
public final class AclFlow {
    /** Consul's text for a request without a token that lacks {@code peering:read}. */
    public static final String ANONYMOUS_SUFFIX =
            ". The anonymous token is used implicitly when a request does not specify a token.";

    private AclFlow() {
    }

    /** Starts a cluster with ACLs on and the given default policy; short token lifetimes are allowed. */
    public static LocalCluster startCluster(String datacenter, String defaultPolicy, Map<String, Object> more) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("peering.acl.enabled", true);
        properties.put("peering.acl.default-policy", defaultPolicy);
        properties.put("peering.acl.token-min-expiration-ttl", "1s");
        properties.putAll(more);
        return PeeringFlow.startCluster(datacenter, properties);
    }

    /** Bootstraps ACLs and answers the management token's SecretID. */
    public static String bootstrap(ConsulHttp cluster) {
        HttpResponse<String> response = cluster.withToken(null).put("/v1/acl/bootstrap", null);
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body()).get("SecretID").asText();
    }

    /** Creates a policy with a fresh name and these rules; answers its JSON. */
    public static JsonNode policy(ConsulHttp management, String rules) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("Name", "policy-" + UUID.randomUUID().toString().substring(0, 8));
        body.put("Rules", rules);
        HttpResponse<String> response = management.put("/v1/acl/policy", body.toString());
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }

    /** Creates a token linking a new policy with these rules; answers the token's JSON (SecretID in clear). */
    public static JsonNode token(ConsulHttp management, String rules) {
        JsonNode policy = policy(management, rules);
        HttpResponse<String> response = management.put("/v1/acl/token",
                "{\"Description\":\"test\",\"Policies\":[{\"ID\":\"" + policy.get("ID").asText() + "\"}]}");
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }

    /** Creates a token linking a new policy with these rules; answers its SecretID. */
    public static String secret(ConsulHttp management, String rules) {
        return token(management, rules).get("SecretID").asText();
    }

    /** Consul's denial text for a token and an unnamed resource. */
    public static String denied(String accessorId, String permission) {
        return denied(accessorId, permission, null);
    }

    /** Consul's denial text for a token; {@code name} is the resource's name, or null. */
    public static String denied(String accessorId, String permission, String name) {
        return "Permission denied: token with AccessorID '" + accessorId + "' lacks permission '" + permission + "'"
                + (name == null ? "" : " on \"" + name + "\"");
    }

    /** Consul's denial text for the anonymous token and an unnamed resource. */
    public static String deniedAnonymous(String permission) {
        return deniedAnonymous(permission, null);
    }

    /** Consul's denial text for the anonymous token; {@code name} is the resource's name, or null. */
    public static String deniedAnonymous(String permission, String name) {
        return "Permission denied: anonymous token lacks permission '" + permission + "'"
                + (name == null ? "" : " on \"" + name + "\"") + ANONYMOUS_SUFFIX;
    }
}
