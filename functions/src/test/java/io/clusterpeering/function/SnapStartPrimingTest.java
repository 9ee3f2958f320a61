package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.clusterpeering.store.SecretsManagerClusterIdentitySource;
import io.clusterpeering.support.Fixtures;
import io.clusterpeering.support.TestDynamoDb;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentityGenerator;
import io.micronaut.context.ApplicationContext;
import io.micronaut.crac.test.CheckpointSimulator;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SnapStart priming hook, driven by Micronaut's CRaC checkpoint simulator, and the secret's identity format. */
class SnapStartPrimingTest {

    @Test
    void primingMakesOneDynamoDbCallBeforeTheCheckpointAndRestoreNeedsNothing() {
        try (ApplicationContext context = ApplicationContext.run(TestDynamoDb.freshTable("priming"))) {
            CheckpointSimulator simulator = context.getBean(CheckpointSimulator.class);
            SnapStartPriming priming = context.getBean(SnapStartPriming.class);

            simulator.runBeforeCheckpoint();
            assertEquals(1, priming.primedCalls());
            simulator.runAfterRestore();
        }
    }

    @Test
    void primingWalksEachFunctionsFirstRequestWithoutWritingOrReadingTheIdentity() throws Exception {
        Map<String, Object> properties = new HashMap<>(TestDynamoDb.freshTable("priming-routes"));
        try (ApplicationContext context = ApplicationContext.run(properties)) {
            // given: functions whose first request reads the identity (agent self), reads a peering, and writes
            ReadPeeringFunction read = new ReadPeeringFunction(context);
            AgentSelfFunction self = new AgentSelfFunction(context);
            GenerateTokenFunction generate = new GenerateTokenFunction(context);
            new ListPeeringsFunction(context);
            DynamoDbClient dynamoDb = context.getBean(DynamoDbClient.class);
            String table = context.getProperty("peering.dynamodb.table-name", String.class).orElseThrow();
            int itemsBefore = dynamoDb.scan(r -> r.tableName(table)).count();

            // when: the snapshot is taken
            CheckpointSimulator simulator = context.getBean(CheckpointSimulator.class);
            simulator.runBeforeCheckpoint();

            // then: priming ran to completion, wrote nothing, and did not create or read the cluster identity
            assertEquals(1, context.getBean(SnapStartPriming.class).primedCalls());
            assertEquals(itemsBefore, dynamoDb.scan(r -> r.tableName(table)).count(), "priming writes nothing");
            assertTrue(dynamoDb.getItem(r -> r.tableName(table).key(Map.of("pk", AttributeValue.fromS("CLUSTER"),
                    "sk", AttributeValue.fromS("IDENTITY")))).item().isEmpty(), "the identity is not loaded before the snapshot");

            // and after the restore the first requests answer as usual: the identity loads then
            simulator.runAfterRestore();
            APIGatewayV2HTTPEvent agentSelf = Fixtures.event("list-peerings.json", APIGatewayV2HTTPEvent.class);
            agentSelf.setRawPath("/v1/agent/self");
            assertEquals(200, self.execute(agentSelf).getStatusCode());
            assertFalse(dynamoDb.getItem(r -> r.tableName(table).key(Map.of("pk", AttributeValue.fromS("CLUSTER"),
                    "sk", AttributeValue.fromS("IDENTITY")))).item().isEmpty(), "the identity loads on first use");
            assertEquals(404, read.execute(Fixtures.event("read-peering.json", APIGatewayV2HTTPEvent.class)).getStatusCode());
            // generate primed its signing (a throwaway key) and its writes (conditions that cannot hold): a real
            // token after the restore is signed with the cluster's key and verifies
            var generated = generate.execute(Fixtures.event("generate-token.json", APIGatewayV2HTTPEvent.class));
            assertEquals(200, generated.getStatusCode(), generated.getBody());
            String token = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(generated.getBody())
                    .path("PeeringToken").asText();
            var identity = context.getBean(io.clusterpeering.token.ClusterIdentitySource.class).identity();
            assertEquals(identity.caPem(), context.getBean(io.clusterpeering.token.PeeringTokenCodec.class).decode(token)
                    .caPems().get(0), "signed with and carrying this cluster's CA, not priming's throwaway key");
        }
    }

    @Test
    void theIdentitySecretRoundTripsAndRefusesAnythingElse() {
        ClusterIdentity identity = ClusterIdentityGenerator.generate();
        String secret = SecretsManagerClusterIdentitySource.format(identity);
        ClusterIdentity read = SecretsManagerClusterIdentitySource.parse(secret);
        assertEquals(identity.clusterId(), read.clusterId());
        assertEquals(identity.caPem(), read.caPem());
        assertEquals(identity.signingKey().toJSONString(), read.signingKey().toJSONString());
        assertThrows(IllegalStateException.class, () -> SecretsManagerClusterIdentitySource.parse("a generated password"));
    }
}
