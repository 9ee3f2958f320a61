package io.clusterpeering.store;

import io.clusterpeering.acl.AclPolicy;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.support.FaultInjector;
import io.clusterpeering.support.FaultInjector.Fault;
import io.clusterpeering.support.TestDynamoDb;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What DynamoDB Local never does and DynamoDB does under races: cancel a transaction only because a concurrent one
 * held an item ({@code TransactionConflict}). Injected into the ACL store's transactions, a conflict is met by
 * writing again, whose conditions then decide, never by a 500; a conflict that outlasts every attempt is still
 * reported as the SDK's cancellation.
 */
class AclStoreConflictTest {
    private static ApplicationContext context;
    private static AclStore store;
    private static FaultInjector faults;

    @BeforeAll
    static void startContext() {
        Map<String, Object> settings = new HashMap<>(TestDynamoDb.freshTable("acl-conflict"));
        settings.put("peering.test.fault-injection", true);
        settings.put("peering.dynamodb.retry-base-delay", "1ms");
        context = ApplicationContext.run(settings);
        store = context.getBean(AclStore.class);
        faults = context.getBean(FaultInjector.class);
    }

    @AfterAll
    static void stopContext() {
        context.close();
    }

    private static AclPolicy policy(String name) {
        long at = store.nextIndex();
        return new AclPolicy(UUID.randomUUID().toString(), name, "", "", List.of(), null, at, at).hashed();
    }

    @Test
    void aPolicyCreateCancelledForAConflictIsWrittenOnTheNextAttempt() {
        String name = "p-" + UUID.randomUUID().toString().substring(0, 8);
        faults.inject("TransactWriteItems", TableKeys.ACL_PREFIX, Fault.TRANSACTION_CONFLICT, 2);

        store.createPolicy(policy(name));

        assertEquals(name, store.findPolicyByName(name).orElseThrow().name());
        assertTrue(faults.attempts("TransactWriteItems") >= 3, "two conflicts, then the write");
        faults.clear();
    }

    @Test
    void aConflictThenTheWinnersConditionGivesTheRulesRefusal() {
        String name = "q-" + UUID.randomUUID().toString().substring(0, 8);
        store.createPolicy(policy(name));
        faults.inject("TransactWriteItems", TableKeys.ACL_PREFIX, Fault.TRANSACTION_CONFLICT, 1);

        InvalidRequest refused = assertThrows(InvalidRequest.class, () -> store.createPolicy(policy(name)));
        assertEquals("Invalid Policy: A Policy with Name \"" + name + "\" already exists", refused.getMessage());
        faults.clear();
    }

    @Test
    void conflictsThatOutlastEveryAttemptAreStillReported() {
        faults.inject("TransactWriteItems", TableKeys.ACL_PREFIX, Fault.TRANSACTION_CONFLICT, 50);
        assertThrows(software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.class,
                () -> store.createPolicy(policy("r-" + UUID.randomUUID().toString().substring(0, 8))));
        faults.clear();
    }
}
