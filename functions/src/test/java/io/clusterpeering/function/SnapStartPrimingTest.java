package io.clusterpeering.function;

import io.clusterpeering.store.SecretsManagerClusterIdentitySource;
import io.clusterpeering.support.TestDynamoDb;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentityGenerator;
import io.micronaut.context.ApplicationContext;
import io.micronaut.crac.test.CheckpointSimulator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
