package io.clusterpeering.store;

import io.clusterpeering.acl.AclAuthorization;
import io.clusterpeering.acl.AclAuthorization.Grant;
import io.clusterpeering.acl.AclPolicy;
import io.clusterpeering.acl.AclToken;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.PolicyRules;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringException.PermissionDenied;
import io.clusterpeering.service.AclResolver;
import io.clusterpeering.store.AclStore.PolicyChanged;
import io.clusterpeering.store.AclStore.TokenWithAuthorization;
import io.clusterpeering.support.Race;
import io.clusterpeering.support.TestDynamoDb;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every conditional write of {@link AclStore}, against a real DynamoDB engine (DynamoDB Local, or LocalStack
 * through {@code PEERING_TEST_DYNAMODB_ENDPOINT}): bootstrap once, unique AccessorIDs and SecretIDs, tokens
 * that copy only current policies, token replacement from the content read, unique policy names
 * (case-insensitively), policy edits and deletions that must start from the current policy and reach the
 * linking tokens in the same write. Each uniqueness rule is also raced: real threads released together
 * ({@link Race}), of which exactly one may win. A loser of a race may see the rule's own refusal or, when
 * DynamoDB cancels its transaction for a conflict with the winner's, {@link PolicyChanged} (the service
 * reads again and retries, and then gets the refusal).
 */
class AclStoreTest {
    private static final int RACERS = 8;
    private static ApplicationContext context;
    private static AclStore store;
    private static ConsulIndex index;

    @BeforeAll
    static void startContext() {
        context = ApplicationContext.run(TestDynamoDb.freshTable("acl-store"));
        store = context.getBean(AclStore.class);
        index = context.getBean(ConsulIndex.class);
    }

    @AfterAll
    static void stopContext() {
        context.close();
    }

    // ---- fixtures ----------------------------------------------------------------------------------------

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    private static String name() {
        return "policy-" + uuid().substring(0, 8);
    }

    private static AclPolicy newPolicy(String name, String rules) {
        long at = store.nextIndex();
        return new AclPolicy(uuid(), name, "", rules, List.of(), null, at, at).hashed();
    }

    private static AclPolicy createdPolicy(String name, String rules) {
        AclPolicy policy = newPolicy(name, rules);
        store.createPolicy(policy);
        return policy;
    }

    /** The policy as edited: new rules (and name) at a new index, hashed again. */
    private static AclPolicy edited(AclPolicy policy, String name, String rules) {
        return new AclPolicy(policy.id(), name, policy.description(), rules, policy.datacenters(), null,
                policy.createIndex(), store.nextIndex()).hashed();
    }

    /** Edits the policy's rules in the store, rewriting the check items of the linking tokens; answers the new version. */
    private static AclPolicy editedInStore(AclPolicy policy, String rules, List<AclToken> linking) {
        AclPolicy updated = edited(policy, policy.name(), rules);
        store.replacePolicy(policy, updated, linking.stream().map(t -> rewrite(t, List.of(updated))).toList());
        return updated;
    }

    private static AclToken newToken(String accessorId, String secretId, List<AclPolicy> linked) {
        long at = store.nextIndex();
        return new AclToken(accessorId, AclResolver.secretHash(secretId), null, "", linked.stream().map(AclPolicy::id)
                .toList(), List.of(), List.of(), false, null, Instant.now(), null, at, at).hashed();
    }

    private static Map<String, AclPolicy> byId(List<AclPolicy> policies) {
        Map<String, AclPolicy> map = new LinkedHashMap<>();
        policies.forEach(p -> map.put(p.id(), p));
        return map;
    }

    private static AclToken createdToken(List<AclPolicy> linked) {
        AclToken token = newToken(uuid(), uuid(), linked);
        store.createToken(token, AclAuthorization.of(token, byId(linked)), linked);
        return token;
    }

    private static TokenWithAuthorization rewrite(AclToken token, List<AclPolicy> policies) {
        return new TokenWithAuthorization(token, AclAuthorization.of(token, byId(policies)));
    }

    private static List<String> rulesOf(AclToken token) {
        return store.findAuthorization(token.secretHash()).orElseThrow().grants().stream().map(Grant::rules).toList();
    }

    /**
     * Races one write per candidate, on real threads released together, and answers the candidate whose write
     * landed: exactly one must, and every other must be refused as {@code refusal} accepts.
     */
    private static <T> T oneWinner(List<T> candidates, Consumer<T> write, Predicate<Object> refusal) throws Exception {
        List<Object> outcomes = Race.run(candidates.stream().<Callable<T>>map(candidate -> () -> {
            write.accept(candidate);
            return candidate;
        }).toList());
        List<Object> winners = outcomes.stream().filter(o -> !(o instanceof Throwable)).toList();
        assertEquals(1, winners.size(), "exactly one writer wins: " + outcomes);
        assertTrue(outcomes.stream().filter(o -> o instanceof Throwable).allMatch(refusal),
                "every loser is refused by the rule: " + outcomes);
        @SuppressWarnings("unchecked")
        T winner = (T) winners.get(0);
        return winner;
    }

    private static Predicate<Object> refusedWith(Class<? extends Throwable> type, String message) {
        return o -> (type.isInstance(o) && ((Throwable) o).getMessage().equals(message)) || o instanceof PolicyChanged;
    }

    // ---- bootstrap ---------------------------------------------------------------------------------------

    @Test
    void aclsAreBootstrappedOnceEvenWhenBootstrapsRace() throws Exception {
        assertTrue(store.bootstrapIndex().isEmpty(), "a new table is not bootstrapped");
        List<Bootstrap> bootstraps = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            long resetIndex = store.nextIndex();
            AclPolicy management = new AclPolicy(AclPolicy.GLOBAL_MANAGEMENT_ID, AclPolicy.GLOBAL_MANAGEMENT_NAME,
                    AclPolicy.GLOBAL_MANAGEMENT_DESCRIPTION, PolicyRules.GLOBAL_MANAGEMENT_RULES, List.of(), null,
                    resetIndex, resetIndex).hashed();
            AclToken token = newToken(uuid(), uuid(), List.of(management));
            AclToken anonymous = new AclToken(Caller.ANONYMOUS_ACCESSOR_ID,
                    AclResolver.secretHash(AclToken.ANONYMOUS_SECRET_ID), null, "Anonymous Token", List.of(),
                    List.of(), List.of(), false, null, Instant.now(), null, resetIndex, resetIndex).hashed();
            bootstraps.add(new Bootstrap(resetIndex, management, List.of(rewrite(token, List.of(management)),
                    rewrite(anonymous, List.of()))));
        }

        Bootstrap winner = oneWinner(bootstraps, b -> store.bootstrapOnce(b.resetIndex(), b.management(), b.tokens()),
                o -> o instanceof PermissionDenied denied && denied.getMessage()
                        .matches("Permission denied: ACL bootstrap no longer allowed \\(reset index: \\d+\\)"));
        assertEquals(winner.resetIndex(), store.bootstrapIndex().orElseThrow());
        for (Bootstrap bootstrap : bootstraps) {
            AclToken token = bootstrap.tokens().get(0).token();
            boolean won = bootstrap == winner;
            assertEquals(won, store.findToken(token.accessorId()).isPresent(), "only the winner's token is stored");
            assertEquals(won, store.findAuthorization(token.secretHash()).isPresent(), "and only its check item");
        }
        assertEquals(AclPolicy.GLOBAL_MANAGEMENT_NAME,
                store.findPolicyByName(AclPolicy.GLOBAL_MANAGEMENT_NAME).orElseThrow().name());
        assertTrue(store.findAuthorization(AclResolver.secretHash(AclToken.ANONYMOUS_SECRET_ID)).isPresent());

        AclPolicy again = store.findPolicy(AclPolicy.GLOBAL_MANAGEMENT_ID).orElseThrow();
        PermissionDenied late = assertThrows(PermissionDenied.class,
                () -> store.bootstrapOnce(store.nextIndex(), again, List.of()));
        assertEquals("Permission denied: ACL bootstrap no longer allowed (reset index: " + winner.resetIndex() + ")",
                late.getMessage());
    }

    /** One contender for the bootstrap: its reset index, its builtin policy, its management and anonymous tokens. */
    private record Bootstrap(long resetIndex, AclPolicy management, List<TokenWithAuthorization> tokens) {
    }

    // ---- tokens ------------------------------------------------------------------------------------------

    @Test
    void anAccessorIdIsTakenOnceAndARefusedCreateLeavesNothing() {
        AclToken first = createdToken(List.of());
        AclToken sameAccessor = newToken(first.accessorId(), uuid(), List.of());

        InvalidRequest refused = assertThrows(InvalidRequest.class,
                () -> store.createToken(sameAccessor, AclAuthorization.of(sameAccessor, Map.of()), List.of()));
        assertEquals("Invalid Token: AccessorID is already in use", refused.getMessage());
        assertTrue(store.findAuthorization(sameAccessor.secretHash()).isEmpty(), "the loser's check item was not written");
        assertEquals(first.secretHash(), store.findToken(first.accessorId()).orElseThrow().secretHash());
        assertTrue(store.findAuthorization(first.secretHash()).isPresent());
    }

    @Test
    void aSecretIdIsTakenOnceAndARefusedCreateLeavesNothing() {
        String secret = uuid();
        AclToken first = newToken(uuid(), secret, List.of());
        store.createToken(first, AclAuthorization.of(first, Map.of()), List.of());
        AclToken sameSecret = newToken(uuid(), secret, List.of());

        InvalidRequest refused = assertThrows(InvalidRequest.class,
                () -> store.createToken(sameSecret, AclAuthorization.of(sameSecret, Map.of()), List.of()));
        assertEquals("Invalid Token: SecretID is already in use", refused.getMessage());
        assertTrue(store.findToken(sameSecret.accessorId()).isEmpty(), "the loser's token was not written");
        assertEquals(first.accessorId(), store.findAuthorization(first.secretHash()).orElseThrow().accessorId(),
                "the check item still resolves to the first token");
    }

    @Test
    void concurrentCreatesWithOneAccessorIdHaveOneWinner() throws Exception {
        String accessorId = uuid();
        List<AclToken> tokens = IntStream.range(0, RACERS).mapToObj(i -> newToken(accessorId, uuid(), List.of())).toList();
        AclToken winner = oneWinner(tokens, t -> store.createToken(t, AclAuthorization.of(t, Map.of()), List.of()),
                refusedWith(InvalidRequest.class, "Invalid Token: AccessorID is already in use"));
        assertEquals(winner.secretHash(), store.findToken(accessorId).orElseThrow().secretHash());
        for (AclToken token : tokens) {
            assertEquals(token == winner, store.findAuthorization(token.secretHash()).isPresent(),
                    "only the winner's SecretID resolves");
        }
    }

    @Test
    void concurrentCreatesWithOneSecretIdHaveOneWinner() throws Exception {
        String secret = uuid();
        List<AclToken> tokens = IntStream.range(0, RACERS).mapToObj(i -> newToken(uuid(), secret, List.of())).toList();
        AclToken winner = oneWinner(tokens, t -> store.createToken(t, AclAuthorization.of(t, Map.of()), List.of()),
                refusedWith(InvalidRequest.class, "Invalid Token: SecretID is already in use"));
        assertEquals(winner.accessorId(),
                store.findAuthorization(AclResolver.secretHash(secret)).orElseThrow().accessorId());
        for (AclToken token : tokens) {
            assertEquals(token == winner, store.findToken(token.accessorId()).isPresent(), "only the winner is stored");
        }
    }

    @Test
    void aTokenCopiesOnlyTheRulesOfCurrentPolicies() {
        AclPolicy read = createdPolicy(name(), "acl = \"read\"");
        AclPolicy write = editedInStore(read, "acl = \"write\"", List.of());

        AclToken stale = newToken(uuid(), uuid(), List.of(read));
        assertThrows(PolicyChanged.class, () -> store.createToken(stale, AclAuthorization.of(stale, byId(List.of(read))),
                List.of(read)), "rules copied from a policy edited since are refused");
        assertTrue(store.findToken(stale.accessorId()).isEmpty());
        assertTrue(store.findAuthorization(stale.secretHash()).isEmpty());

        AclPolicy gone = createdPolicy(name(), "acl = \"read\"");
        store.deletePolicy(gone, List.of());
        AclToken orphan = newToken(uuid(), uuid(), List.of(gone));
        assertThrows(PolicyChanged.class, () -> store.createToken(orphan, AclAuthorization.of(orphan, byId(List.of(gone))),
                List.of(gone)), "rules copied from a policy deleted since are refused");

        AclToken current = createdToken(List.of(write));
        Grant grant = store.findAuthorization(current.secretHash()).orElseThrow().grants().get(0);
        assertEquals(write.id(), grant.policyId());
        assertEquals(write.hash(), grant.policyHash());
        assertEquals("acl = \"write\"", grant.rules());
    }

    @Test
    void aTokenIsReplacedOnlyFromTheContentItWasReadWithAndKeepsItsSecret() {
        AclPolicy policy = createdPolicy(name(), "node_prefix \"\" { policy = \"read\" }");
        AclToken token = createdToken(List.of());
        AclToken linked = relinkedCopy(token, List.of(policy), "linked");

        store.replaceToken(linked, token.hash(), AclAuthorization.of(linked, byId(List.of(policy))), List.of(policy));
        assertEquals("linked", store.findToken(token.accessorId()).orElseThrow().description());
        assertEquals(List.of(policy.rules()), rulesOf(token), "the check item changed in the same write");

        AclToken fromStaleRead = relinkedCopy(token, List.of(), "stale");
        assertThrows(PolicyChanged.class, () -> store.replaceToken(fromStaleRead, token.hash(),
                AclAuthorization.of(fromStaleRead, Map.of()), List.of()));
        assertEquals("linked", store.findToken(token.accessorId()).orElseThrow().description());
        assertEquals(List.of(policy.rules()), rulesOf(token), "a refused replace leaves the check item");

        AclToken newSecret = new AclToken(token.accessorId(), AclResolver.secretHash(uuid()), null, "new secret",
                List.of(), List.of(), List.of(), false, null, token.createTime(), null, token.createIndex(),
                store.nextIndex()).hashed();
        assertThrows(PolicyChanged.class, () -> store.replaceToken(newSecret, linked.hash(),
                AclAuthorization.of(newSecret, Map.of()), List.of()), "a SecretID never changes");
        assertTrue(store.findAuthorization(newSecret.secretHash()).isEmpty(), "no check item under the other secret");

        AclToken missing = newToken(uuid(), uuid(), List.of());
        assertThrows(PolicyChanged.class, () -> store.replaceToken(missing, missing.hash(),
                AclAuthorization.of(missing, Map.of()), List.of()), "there is nothing to replace");
        assertTrue(store.findToken(missing.accessorId()).isEmpty());
    }

    @Test
    void aTokenReplaceChecksTheLinkedPoliciesToo() {
        AclPolicy policy = createdPolicy(name(), "acl = \"read\"");
        AclToken token = createdToken(List.of());
        editedInStore(policy, "acl = \"write\"", List.of());

        AclToken linked = relinkedCopy(token, List.of(policy), "linked");
        assertThrows(PolicyChanged.class, () -> store.replaceToken(linked, token.hash(),
                AclAuthorization.of(linked, byId(List.of(policy))), List.of(policy)));
        assertEquals(List.of(), rulesOf(token));
    }

    @Test
    void concurrentReplacesFromOneReadHaveOneWinner() throws Exception {
        AclToken token = createdToken(List.of());
        List<AclToken> edits = IntStream.range(0, RACERS)
                .mapToObj(i -> relinkedCopy(token, List.of(), "edit " + i)).toList();
        AclToken winner = oneWinner(edits,
                t -> store.replaceToken(t, token.hash(), AclAuthorization.of(t, Map.of()), List.of()),
                o -> o instanceof PolicyChanged);
        assertEquals(winner.description(), store.findToken(token.accessorId()).orElseThrow().description());
    }

    @Test
    void aTokenAndItsCheckItemAreDeletedTogetherOnce() throws Exception {
        AclToken token = createdToken(List.of());
        assertTrue(store.deleteToken(token));
        assertTrue(store.findToken(token.accessorId()).isEmpty());
        assertTrue(store.findAuthorization(token.secretHash()).isEmpty(), "its SecretID no longer resolves");
        assertFalse(store.deleteToken(token), "deleting a deleted token reports there was none");

        AclToken raced = createdToken(List.of());
        List<Object> outcomes = Race.run(IntStream.range(0, RACERS)
                .<Callable<Boolean>>mapToObj(i -> () -> store.deleteToken(raced)).toList());
        assertEquals(1, outcomes.stream().filter(Boolean.TRUE::equals).count(), "exactly one deletion: " + outcomes);
        assertTrue(outcomes.stream().allMatch(o -> o instanceof Boolean || o instanceof TransactionCanceledException),
                "the others find nothing (or lose the transaction to the winner): " + outcomes);
        assertTrue(store.findAuthorization(raced.secretHash()).isEmpty());
    }

    // ---- policies ----------------------------------------------------------------------------------------

    @Test
    void aPolicyNameIsTakenOnceWhateverItsCase() {
        String name = name();
        AclPolicy first = createdPolicy(name, "");
        String shouted = name.toUpperCase();

        InvalidRequest refused = assertThrows(InvalidRequest.class, () -> store.createPolicy(newPolicy(shouted, "")));
        assertEquals("Invalid Policy: A Policy with Name \"" + shouted + "\" already exists", refused.getMessage());
        assertEquals(first.id(), store.findPolicyByName(shouted).orElseThrow().id(),
                "names are looked up case-insensitively");
        assertEquals(1, store.listPolicies().stream().filter(p -> p.name().equalsIgnoreCase(name)).count());
    }

    @Test
    void aPolicyIdIsTakenOnce() {
        AclPolicy first = createdPolicy(name(), "");
        String otherName = name();
        AclPolicy sameId = new AclPolicy(first.id(), otherName, "", "", List.of(), null, 1, 1).hashed();

        assertThrows(TransactionCanceledException.class, () -> store.createPolicy(sameId));
        assertEquals(first.name(), store.findPolicy(first.id()).orElseThrow().name());
        assertTrue(store.findPolicyByName(otherName).isEmpty(), "the refused create took no name");
    }

    @Test
    void concurrentCreatesWithOneNameHaveOneWinner() throws Exception {
        String name = name();
        List<AclPolicy> policies = IntStream.range(0, RACERS)
                .mapToObj(i -> newPolicy(i % 2 == 0 ? name : name.toUpperCase(), "")).toList();
        AclPolicy winner = oneWinner(policies, store::createPolicy, o -> o instanceof InvalidRequest e
                && e.getMessage().matches("Invalid Policy: A Policy with Name \"(?i:" + name + ")\" already exists"));
        assertEquals(winner.id(), store.findPolicyByName(name).orElseThrow().id());
        for (AclPolicy policy : policies) {
            assertEquals(policy == winner, store.findPolicy(policy.id()).isPresent(), "no loser is stored");
        }
    }

    @Test
    void aPolicyEditStartsFromTheCurrentPolicyAndReachesItsTokensInTheSameWrite() {
        AclPolicy policy = createdPolicy(name(), "acl = \"read\"");
        AclToken token = createdToken(List.of(policy));

        AclPolicy write = editedInStore(policy, "acl = \"write\"", List.of(token));
        assertEquals("acl = \"write\"", store.findPolicy(policy.id()).orElseThrow().rules());
        assertEquals(List.of("acl = \"write\""), rulesOf(token));
        assertEquals(write.hash(), store.findAuthorization(token.secretHash()).orElseThrow().grants().get(0).policyHash());

        AclPolicy fromStaleRead = edited(policy, policy.name(), "acl = \"deny\"");
        assertThrows(PolicyChanged.class, () -> store.replacePolicy(policy, fromStaleRead,
                List.of(rewrite(token, List.of(fromStaleRead)))));
        assertEquals("acl = \"write\"", store.findPolicy(policy.id()).orElseThrow().rules());
        assertEquals(List.of("acl = \"write\""), rulesOf(token), "a refused edit rewrote no token");
    }

    @Test
    void concurrentEditsFromOneReadHaveOneWinner() throws Exception {
        AclPolicy policy = createdPolicy(name(), "");
        List<AclPolicy> edits = IntStream.range(0, RACERS)
                .mapToObj(i -> edited(policy, policy.name(), "key_prefix \"" + i + "\" { policy = \"read\" }")).toList();
        AclPolicy winner = oneWinner(edits, p -> store.replacePolicy(policy, p, List.of()),
                o -> o instanceof PolicyChanged);
        assertEquals(winner.rules(), store.findPolicy(policy.id()).orElseThrow().rules());
    }

    @Test
    void aRenameTakesOnlyAFreeNameAndFreesTheOldOne() {
        AclPolicy alpha = createdPolicy(name(), "");
        AclPolicy beta = createdPolicy(name(), "");
        String taken = alpha.name().toUpperCase();

        InvalidRequest refused = assertThrows(InvalidRequest.class,
                () -> store.replacePolicy(beta, edited(beta, taken, ""), List.of()));
        assertEquals("Invalid Policy: A policy with name \"" + taken + "\" already exists", refused.getMessage());
        assertEquals(beta.name(), store.findPolicy(beta.id()).orElseThrow().name());
        assertEquals(beta.id(), store.findPolicyByName(beta.name()).orElseThrow().id(), "the refused rename kept its name");

        String gamma = name();
        store.replacePolicy(beta, edited(beta, gamma, ""), List.of());
        assertEquals(beta.id(), store.findPolicyByName(gamma).orElseThrow().id());
        assertTrue(store.findPolicyByName(beta.name()).isEmpty(), "the old name is free");
        store.createPolicy(newPolicy(beta.name(), ""));

        AclPolicy recased = edited(alpha, alpha.name().toUpperCase(), "");
        store.replacePolicy(alpha, recased, List.of());
        assertEquals(recased.name(), store.findPolicyByName(alpha.name()).orElseThrow().name(),
                "a change of case only keeps the name item");
    }

    @Test
    void concurrentRenamesToOneNameHaveOneWinner() throws Exception {
        String name = name();
        List<AclPolicy> policies = IntStream.range(0, RACERS).mapToObj(i -> createdPolicy(name(), "")).toList();
        AclPolicy winner = oneWinner(policies, p -> store.replacePolicy(p, edited(p, name, ""), List.of()),
                refusedWith(InvalidRequest.class, "Invalid Policy: A policy with name \"" + name + "\" already exists"));
        assertEquals(winner.id(), store.findPolicyByName(name).orElseThrow().id());
        for (AclPolicy policy : policies) {
            if (policy != winner) {
                assertEquals(policy.id(), store.findPolicyByName(policy.name()).orElseThrow().id(),
                        "a loser keeps its name");
            }
        }
    }

    @Test
    void aPolicyEditReachesEveryLinkingTokenBeyondOneTransaction() {
        AclPolicy policy = createdPolicy(name(), "acl = \"read\"");
        int linking = AclStore.MAX_TRANSACTION_ITEMS / 2 + 10;
        List<AclToken> tokens = IntStream.range(0, linking).mapToObj(i -> createdToken(List.of(policy))).toList();

        AclPolicy write = editedInStore(policy, "acl = \"write\"", tokens);
        for (AclToken token : tokens) {
            assertEquals(List.of("acl = \"write\""), rulesOf(token), "every check item got the edit");
        }
        assertEquals(write.hash(), store.findPolicy(policy.id()).orElseThrow().hash());
    }

    @Test
    void aPolicyDeletionStartsFromTheCurrentPolicyFreesItsNameAndUnlinksItsTokens() {
        AclPolicy policy = createdPolicy(name(), "acl = \"read\"");
        AclToken token = createdToken(List.of(policy));
        AclPolicy write = editedInStore(policy, "acl = \"write\"", List.of(token));
        AclToken unlinked = token.relinked(List.of(), store.nextIndex());

        assertThrows(PolicyChanged.class, () -> store.deletePolicy(policy, List.of(rewrite(unlinked, List.of()))),
                "a deletion from a stale read is refused");
        assertTrue(store.findPolicy(policy.id()).isPresent());
        assertEquals(List.of("acl = \"write\""), rulesOf(token));

        store.deletePolicy(write, List.of(rewrite(unlinked, List.of())));
        assertTrue(store.findPolicy(policy.id()).isEmpty());
        assertTrue(store.findPolicyByName(policy.name()).isEmpty(), "its name is free");
        assertEquals(List.of(), rulesOf(token), "its tokens lost its rules in the same write");
        assertEquals(List.of(), store.findToken(token.accessorId()).orElseThrow().policyIds());
        store.createPolicy(newPolicy(policy.name(), ""));
    }

    @Test
    void writesAdvanceTheIndexAndRefusedWritesDoNot() {
        AclPolicy policy = newPolicy(name(), "");
        long before = index.current();
        store.createPolicy(policy);
        long afterWrite = index.current();
        assertTrue(afterWrite > before, "a write wakes blocking queries");

        long beforeRefusal = index.current();
        assertThrows(InvalidRequest.class, () -> store.createPolicy(
                new AclPolicy(uuid(), policy.name(), "", "", List.of(), "h", 1, 1)));
        assertEquals(beforeRefusal, index.current(), "a refused write advances nothing");
    }

    @Test
    void policiesAreReadByIdInBatchesAndMissingOnesAreLeftOut() {
        List<AclPolicy> policies = IntStream.range(0, 105).mapToObj(i -> createdPolicy(name(), "")).toList();
        List<String> ids = new ArrayList<>(policies.stream().map(AclPolicy::id).toList());
        ids.add(uuid());
        ids.add(policies.get(0).id());

        Map<String, AclPolicy> found = store.findPolicies(ids);
        assertEquals(policies.size(), found.size());
        policies.forEach(p -> assertEquals(p.hash(), found.get(p.id()).hash()));
    }

    /** The token as replaced: another Description and links, at a new index, hashed again. */
    private static AclToken relinkedCopy(AclToken token, List<AclPolicy> policies, String description) {
        return new AclToken(token.accessorId(), token.secretHash(), token.sealedSecret(), description,
                policies.stream().map(AclPolicy::id).toList(), List.of(), List.of(), false, null, token.createTime(),
                null, token.createIndex(), store.nextIndex()).hashed();
    }
}
