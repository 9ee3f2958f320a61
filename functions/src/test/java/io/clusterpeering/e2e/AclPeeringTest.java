package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.support.AclFlow;
import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.TwoClusters;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static io.clusterpeering.support.PeeringFlow.establish;
import static io.clusterpeering.support.PeeringFlow.generate;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.read;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README walkthrough with ACLs on (default deny) on both clusters: peering operators generate and establish,
 * the clusters talk to each other without ACL tokens (their internal routes are authenticated by signatures),
 * a mesh operator exports a service, and the imported instances are visible to the tokens Consul lets read peer
 * data (read-all, or a service identity) and to no other.
 */
@TwoClusters(acl = "deny", bootstrap = true)
class AclPeeringTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String OPERATOR_RULES = "peering = \"write\"\nmesh = \"write\"\noperator = \"read\"";
    private final ConsulHttp client1;
    private final ConsulHttp management1;
    private final ConsulHttp management2;
    private final ConsulHttp anonymous2;

    AclPeeringTest(Clusters clusters) {
        client1 = clusters.client1();
        management1 = clusters.management1();
        management2 = clusters.management2();
        anonymous2 = clusters.client2().withToken(null);
    }

    @Test
    void operatorsPeerTwoClustersAndOnlyPeerDataReadersSeeImports() {
        ConsulHttp operator1 = management1.withToken(AclFlow.secret(management1, OPERATOR_RULES));
        ConsulHttp operator2 = management2.withToken(AclFlow.secret(management2, OPERATOR_RULES));

        HttpResponse<String> anonymousGenerate = client1.withToken(null)
                .post("/v1/peering/token", "{\"PeerName\":\"cluster-02\"}");
        assertEquals(403, anonymousGenerate.statusCode());
        assertEquals(AclFlow.deniedAnonymous("peering:write"), anonymousGenerate.body());

        String token = generate(operator1, "cluster-02");
        HttpResponse<String> established = establish(operator2, "cluster-01", token);
        assertEquals(200, established.statusCode(), established.body());
        assertEquals("ACTIVE", read(operator1, "cluster-02").get("State").asText());
        assertEquals("ACTIVE", read(operator2, "cluster-01").get("State").asText());

        assertEquals("true", management1.put("/v1/catalog/register", "{\"Node\":\"node-1\",\"Address\":\"10.0.0.1\","
                + "\"Service\":{\"ID\":\"backend-1\",\"Service\":\"backend\",\"Port\":8080}}").body());
        assertEquals("true", operator1.put("/v1/config", "{\"Kind\":\"exported-services\",\"Name\":\"default\","
                + "\"Services\":[{\"Name\":\"backend\",\"Consumers\":[{\"Peer\":\"cluster-02\"}]}]}").body());

        ConsulHttp readAll = anonymous2.withToken(AclFlow.secret(management2,
                "service_prefix \"\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }"));
        Eventually.within(LIMIT, "the import is visible to a read-all token",
                () -> json(readAll.get("/v1/health/service/backend?peer=cluster-01").body()).size() == 1);

        ConsulHttp oneService = anonymous2.withToken(AclFlow.secret(management2,
                "service \"backend\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }"));
        HttpResponse<String> narrow = oneService.get("/v1/health/service/backend?peer=cluster-01");
        assertEquals("[]", narrow.body());
        assertEquals("true", narrow.headers().firstValue("X-Consul-Results-Filtered-By-ACLs").orElseThrow());

        HttpResponse<String> identity = management2.put("/v1/acl/token",
                "{\"ServiceIdentities\":[{\"ServiceName\":\"frontend\"}]}");
        assertEquals(200, identity.statusCode(), identity.body());
        ConsulHttp frontend = anonymous2.withToken(json(identity.body()).get("SecretID").asText());
        JsonNode seen = json(frontend.get("/v1/health/service/backend?peer=cluster-01").body());
        assertEquals(1, seen.size(), "a service identity sees imported instances");

        HttpResponse<String> deleted = operator2.delete("/v1/peering/cluster-01");
        assertEquals(200, deleted.statusCode());
        Eventually.within(LIMIT, "the acceptor reads TERMINATED",
                () -> "TERMINATED".equals(read(operator1, "cluster-02").get("State").asText()));
    }
}
