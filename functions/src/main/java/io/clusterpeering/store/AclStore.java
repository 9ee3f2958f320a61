package io.clusterpeering.store;

import io.clusterpeering.acl.AclAuthorization;
import io.clusterpeering.acl.AclAuthorization.Grant;
import io.clusterpeering.acl.AclPolicy;
import io.clusterpeering.acl.AclToken;
import io.clusterpeering.acl.AclToken.NodeIdentity;
import io.clusterpeering.acl.AclToken.ServiceIdentity;
import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringException.PermissionDenied;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static io.clusterpeering.store.Attributes.instant;
import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.s;
import static io.clusterpeering.store.Attributes.string;
import static io.clusterpeering.store.Attributes.strings;

/**
 * Every storage rule of Consul's ACL system, in one class. Tokens, policies and the bootstrap marker live under
 * {@code ACL#}; each token also has a token-check item under the hash of its SecretID ({@link AclAuthorization})
 * holding a copy of its rules, so that checking a request costs one read. Rules, each one conditional write or
 * transaction:
 * <ul>
 *   <li>bootstrap happens once: {@link #bootstrapOnce};</li>
 *   <li>AccessorIDs and SecretIDs are unique, and a token only copies rules of policies unchanged since they
 *       were read: {@link #createToken}, {@link #replaceToken};</li>
 *   <li>policy names are unique (case-insensitively): {@link #createPolicy}, {@link #replacePolicy};</li>
 *   <li>a policy edit or deletion rewrites the rules copied into the tokens that link it, in the same
 *       transaction: {@link #replacePolicy}, {@link #deletePolicy};</li>
 *   <li>a token and its check item are deleted together: {@link #deleteToken}.</li>
 * </ul>
 * Reads are strongly consistent, so a deleted token fails the very next request.
 *
 * <p>Why one class of some 600 lines: tokens and policies are written in the same transactions (a policy edit
 * rewrites the check items of the tokens that link it, a token copies the rules of the policies it links, checked
 * unchanged), so their rules cannot be read apart.
 */
@Singleton
public class AclStore {
    /** DynamoDB's limit of items in one transaction. */
    static final int MAX_TRANSACTION_ITEMS = 100;

    private static final String ACCESSOR_ID = "accessorId";
    private static final String SECRET_HASH = "secretHash";
    private static final String SEALED_SECRET = "sealedSecret";
    private static final String DESCRIPTION = "description";
    private static final String POLICY_IDS = "policyIds";
    private static final String SERVICE_IDENTITIES = "serviceIdentities";
    private static final String NODE_IDENTITIES = "nodeIdentities";
    private static final String LOCAL = "local";
    private static final String EXPIRATION_TIME = "expirationTime";
    private static final String CREATE_TIME = "createTime";
    private static final String HASH = "hash";
    private static final String CREATE_INDEX = "createIndex";
    private static final String MODIFY_INDEX = "modifyIndex";
    private static final String ID = "id";
    private static final String NAME = "name";
    private static final String RULES = "rules";
    private static final String DATACENTERS = "datacenters";
    private static final String DATACENTER = "datacenter";
    private static final String GRANTS = "grants";
    private static final String POLICY_ID = "policyId";
    private static final String POLICY_HASH = "policyHash";
    private static final String RESET_INDEX = "resetIndex";

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final ConsulIndex index;

    public AclStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config, ConsulIndex index) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
        this.index = index;
    }

    /** A fresh Consul index for a create or modify index. */
    public long nextIndex() {
        return index.next();
    }

    // ---- the check of a request -------------------------------------------------------------------------

    /** The token-check item of a SecretID's hash: one strongly consistent read. */
    public Optional<AclAuthorization> findAuthorization(String secretHash) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table)
                .key(TableKeys.aclAuthorization(secretHash)).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        List<Grant> grants = new ArrayList<>();
        AttributeValue list = item.get(GRANTS);
        if (list != null && list.hasL()) {
            for (AttributeValue grant : list.l()) {
                Map<String, AttributeValue> m = grant.m();
                grants.add(new Grant(string(m, POLICY_ID), string(m, POLICY_HASH), strings(m, DATACENTERS),
                        string(m, RULES)));
            }
        }
        return Optional.of(new AclAuthorization(string(item, ACCESSOR_ID), instant(item, EXPIRATION_TIME), grants));
    }

    /** The Consul index at which ACLs were bootstrapped, if they were (Consul's "reset index"). */
    public OptionalLong bootstrapIndex() {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.aclBootstrap())
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Attributes.number(item, RESET_INDEX));
    }

    // ---- bootstrap ---------------------------------------------------------------------------------------

    /**
     * Rule: ACLs are bootstrapped once. In one transaction: the bootstrap marker (only if absent), the builtin
     * global-management policy, the anonymous token and the management token with their check items.
     *
     * @param resetIndex the Consul index of this bootstrap, reported to later callers
     * @param tokens     the management token and the anonymous token, each with its check item
     * @throws PermissionDenied with Consul's {@code Permission denied: ACL bootstrap no longer allowed (reset index: N)}
     *                          when ACLs were already bootstrapped
     */
    public void bootstrapOnce(long resetIndex, AclPolicy globalManagement, List<TokenWithAuthorization> tokens) {
        List<TransactWriteItem> items = new ArrayList<>();
        Map<String, AttributeValue> marker = new HashMap<>(TableKeys.aclBootstrap());
        marker.put(RESET_INDEX, n(resetIndex));
        items.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(marker)
                .conditionExpression("attribute_not_exists(#pk)")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build()).build());
        items.add(put(policyItem(globalManagement), null));
        items.add(put(policyNameItem(globalManagement), null));
        for (TokenWithAuthorization token : tokens) {
            items.add(put(tokenItem(token.token()), null));
            items.add(put(authorizationItem(token.token().secretHash(), token.authorization()), null));
        }
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(items));
        } catch (TransactionCanceledException e) {
            CancellationReason first = e.cancellationReasons().isEmpty() ? null : e.cancellationReasons().get(0);
            if (first != null && "ConditionalCheckFailed".equals(first.code())) {
                long done = first.item() == null ? 0 : Attributes.number(first.item(), RESET_INDEX);
                throw new PermissionDenied("Permission denied: ACL bootstrap no longer allowed (reset index: " + done + ")");
            }
            if (first != null && "TransactionConflict".equals(first.code())) {
                // A concurrent bootstrap holds the marker: it wins or fails; either way this one is too late.
                throw new PermissionDenied("Permission denied: ACL bootstrap no longer allowed (reset index: "
                        + bootstrapIndex().orElse(0) + ")");
            }
            throw e;
        }
        index.nextAfterWrite();
    }

    // ---- tokens ------------------------------------------------------------------------------------------

    /** One token by AccessorID. */
    public Optional<AclToken> findToken(String accessorId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.aclToken(accessorId))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(token(item));
    }

    /** Every token, ordered by AccessorID (a query of the token items, page by page). */
    public List<AclToken> listTokens() {
        List<AclToken> tokens = new ArrayList<>();
        queryAll(TableKeys.ACL_TOKENS, item -> tokens.add(token(item)));
        return tokens;
    }

    /**
     * Rule: AccessorIDs and SecretIDs are unique, and a token copies only current policies. Creates the token
     * and its check item, checking in the same transaction that every linked policy still has the hash it had
     * when its rules were copied.
     *
     * @param linked the policies whose rules the check item copies
     * @throws InvalidRequest with Consul's {@code Invalid Token: AccessorID is already in use} (or SecretID)
     * @throws PolicyChanged  when a linked policy changed or was deleted meanwhile; read it again and retry
     */
    public void createToken(AclToken token, AclAuthorization authorization, Collection<AclPolicy> linked) {
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(put(tokenItem(token), "attribute_not_exists(#pk)"));
        items.add(put(authorizationItem(token.secretHash(), authorization), "attribute_not_exists(#pk)"));
        linked.forEach(policy -> items.add(policyUnchanged(policy)));
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(items));
        } catch (TransactionCanceledException e) {
            if (failed(e, 0)) {
                throw new InvalidRequest("Invalid Token: AccessorID is already in use");
            }
            if (failed(e, 1)) {
                throw new InvalidRequest("Invalid Token: SecretID is already in use");
            }
            throw policyChangedOr(e);
        }
        index.nextAfterWrite();
    }

    /**
     * Rule: a token's SecretID never changes, and a token copies only current policies. Replaces a token and
     * its check item, if the token still has the content (hash) it had when read.
     *
     * @param previousHash the hash of the token as read
     * @throws PolicyChanged when the token or a linked policy changed meanwhile; read again and retry
     */
    public void replaceToken(AclToken token, String previousHash, AclAuthorization authorization,
                             Collection<AclPolicy> linked) {
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(tokenItem(token))
                .conditionExpression("#hash = :previous AND #secretHash = :secretHash")
                .expressionAttributeNames(Map.of("#hash", HASH, "#secretHash", SECRET_HASH))
                .expressionAttributeValues(Map.of(":previous", s(previousHash), ":secretHash", s(token.secretHash())))
                .build()).build());
        items.add(put(authorizationItem(token.secretHash(), authorization), null));
        linked.forEach(policy -> items.add(policyUnchanged(policy)));
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(items));
        } catch (TransactionCanceledException e) {
            throw policyChangedOr(e);
        }
        index.nextAfterWrite();
    }

    /**
     * Deletes a token and its check item together; the next request with its SecretID is refused.
     *
     * @return false when there was no such token
     */
    public boolean deleteToken(AclToken token) {
        try {
            transactAgainOnConflict(
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                            .key(TableKeys.aclToken(token.accessorId()))
                            .conditionExpression("attribute_exists(#pk)")
                            .expressionAttributeNames(Map.of("#pk", TableKeys.PK)).build()).build(),
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                            .key(TableKeys.aclAuthorization(token.secretHash())).build()).build());
        } catch (TransactionCanceledException e) {
            if (failed(e, 0)) {
                return false;
            }
            throw e;
        }
        index.nextAfterWrite();
        return true;
    }

    // ---- policies ----------------------------------------------------------------------------------------

    /** One policy by ID. */
    public Optional<AclPolicy> findPolicy(String id) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.aclPolicy(id))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(policy(item));
    }

    /** One policy by name (case-insensitive), through the name item. */
    public Optional<AclPolicy> findPolicyByName(String name) {
        Map<String, AttributeValue> pointer = dynamoDb.getItem(r -> r.tableName(table)
                .key(TableKeys.aclPolicyName(name)).consistentRead(true)).item();
        if (pointer == null || pointer.isEmpty()) {
            return Optional.empty();
        }
        return findPolicy(string(pointer, ID));
    }

    /** The policies with these IDs that exist, by ID (one batch read per 100 IDs). */
    public Map<String, AclPolicy> findPolicies(Collection<String> ids) {
        Map<String, AclPolicy> found = new LinkedHashMap<>();
        List<String> unique = ids.stream().distinct().toList();
        for (int from = 0; from < unique.size(); from += 100) {
            List<Map<String, AttributeValue>> keys = unique.subList(from, Math.min(unique.size(), from + 100)).stream()
                    .map(TableKeys::aclPolicy).toList();
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(keys)
                    .consistentRead(true).build());
            while (request != null && !request.isEmpty()) {
                Map<String, KeysAndAttributes> pending = request;
                var response = dynamoDb.batchGetItem(b -> b.requestItems(pending));
                response.responses().getOrDefault(table, List.of()).forEach(item -> {
                    AclPolicy policy = policy(item);
                    found.put(policy.id(), policy);
                });
                request = response.unprocessedKeys();
            }
        }
        return found;
    }

    /** Every policy, ordered by ID. */
    public List<AclPolicy> listPolicies() {
        List<AclPolicy> policies = new ArrayList<>();
        queryAll(TableKeys.ACL_POLICIES, item -> policies.add(policy(item)));
        return policies;
    }

    /**
     * Rule: policy names are unique. Creates a policy and its name item.
     *
     * @throws InvalidRequest with Consul's {@code Invalid Policy: A Policy with Name "x" already exists}
     */
    public void createPolicy(AclPolicy policy) {
        try {
            transactAgainOnConflict(
                    put(policyItem(policy), "attribute_not_exists(#pk)"),
                    put(policyNameItem(policy), "attribute_not_exists(#pk)"));
        } catch (TransactionCanceledException e) {
            if (failed(e, 1)) {
                throw new InvalidRequest("Invalid Policy: A Policy with Name \"" + policy.name() + "\" already exists");
            }
            throw e;
        }
        index.nextAfterWrite();
    }

    /**
     * Rule: a policy edit reaches every token that links it at once, and names stay unique. Replaces a policy
     * that still has the hash it had when read, moves its name item on a rename, and rewrites the check items
     * of the tokens that link it, all in one transaction (several when more than ~95 tokens link it, the policy
     * itself written last).
     *
     * @param previous the policy as read
     * @param rewrites the tokens linking it, with their new check items
     * @throws InvalidRequest with Consul's {@code Invalid Policy: A policy with name "x" already exists} on a rename
     *                        to a taken name
     * @throws PolicyChanged  when the policy changed meanwhile; read it again and retry
     */
    public void replacePolicy(AclPolicy previous, AclPolicy updated, List<TokenWithAuthorization> rewrites) {
        List<TransactWriteItem> policyWrites = new ArrayList<>();
        policyWrites.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(policyItem(updated))
                .conditionExpression("#hash = :previous")
                .expressionAttributeNames(Map.of("#hash", HASH))
                .expressionAttributeValues(Map.of(":previous", s(previous.hash()))).build()).build());
        boolean renamed = !previous.name().equalsIgnoreCase(updated.name());
        if (renamed) {
            policyWrites.add(TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                    .key(TableKeys.aclPolicyName(previous.name())).build()).build());
            policyWrites.add(put(policyNameItem(updated), "attribute_not_exists(#pk)"));
        } else if (!previous.name().equals(updated.name())) {
            policyWrites.add(put(policyNameItem(updated), null));
        }
        try {
            writeWithTokenRewrites(policyWrites, rewrites);
        } catch (TransactionCanceledException e) {
            if (renamed && failed(e, 2)) {
                throw new InvalidRequest("Invalid Policy: A policy with name \"" + updated.name() + "\" already exists");
            }
            throw policyChangedOr(e);
        }
        index.nextAfterWrite();
    }

    /**
     * Deletes a policy and its name item, and rewrites the tokens that linked it (link and rules removed), in
     * one transaction (several for many tokens, the deletion last).
     *
     * @throws PolicyChanged when the policy changed meanwhile; read it again and retry
     */
    public void deletePolicy(AclPolicy policy, List<TokenWithAuthorization> rewrites) {
        List<TransactWriteItem> policyWrites = List.of(
                TransactWriteItem.builder().delete(Delete.builder().tableName(table).key(TableKeys.aclPolicy(policy.id()))
                        .conditionExpression("#hash = :previous")
                        .expressionAttributeNames(Map.of("#hash", HASH))
                        .expressionAttributeValues(Map.of(":previous", s(policy.hash()))).build()).build(),
                TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                        .key(TableKeys.aclPolicyName(policy.name())).build()).build());
        try {
            writeWithTokenRewrites(policyWrites, rewrites);
        } catch (TransactionCanceledException e) {
            throw policyChangedOr(e);
        }
        index.nextAfterWrite();
    }

    /**
     * Rewrites tokens (record and check item) without conditions: the repair pass after a policy change, for
     * tokens that were created concurrently with it.
     */
    public void rewriteTokens(List<TokenWithAuthorization> rewrites) {
        if (!rewrites.isEmpty()) {
            writeWithTokenRewrites(List.of(), rewrites);
            index.nextAfterWrite();
        }
    }

    private void writeWithTokenRewrites(List<TransactWriteItem> policyWrites, List<TokenWithAuthorization> rewrites) {
        List<TransactWriteItem> tokenWrites = new ArrayList<>();
        for (TokenWithAuthorization rewrite : rewrites) {
            tokenWrites.add(put(tokenItem(rewrite.token()), null));
            tokenWrites.add(put(authorizationItem(rewrite.token().secretHash(), rewrite.authorization()), null));
        }
        int room = MAX_TRANSACTION_ITEMS - policyWrites.size();
        // Tokens that do not fit with the policy go first, in transactions of their own; the policy write comes
        // last, so a failure before it leaves the policy unchanged and the call can be retried.
        int firstWithPolicy = Math.max(0, tokenWrites.size() - room);
        firstWithPolicy += firstWithPolicy % 2;
        for (int from = 0; from < firstWithPolicy; from += MAX_TRANSACTION_ITEMS) {
            List<TransactWriteItem> chunk = tokenWrites.subList(from, Math.min(firstWithPolicy, from + MAX_TRANSACTION_ITEMS));
            dynamoDb.transactWriteItems(r -> r.transactItems(chunk));
        }
        List<TransactWriteItem> last = new ArrayList<>(policyWrites);
        last.addAll(tokenWrites.subList(firstWithPolicy, tokenWrites.size()));
        if (!last.isEmpty()) {
            dynamoDb.transactWriteItems(r -> r.transactItems(last));
        }
    }

    // ---- items -------------------------------------------------------------------------------------------

    /**
     * A token with its check item, for writes that carry both.
     *
     * @param token         the token record
     * @param authorization its check item
     */
    public record TokenWithAuthorization(AclToken token, AclAuthorization authorization) {
    }

    /** A linked policy changed or was deleted while a write that copied its rules was under way. */
    public static final class PolicyChanged extends RuntimeException {
        PolicyChanged() {
            super("an ACL policy or token changed concurrently", null, false, false);
        }
    }

    private TransactWriteItem put(Map<String, AttributeValue> item, String condition) {
        Put.Builder put = Put.builder().tableName(table).item(item);
        if (condition != null) {
            put.conditionExpression(condition).expressionAttributeNames(Map.of("#pk", TableKeys.PK));
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    private TransactWriteItem policyUnchanged(AclPolicy policy) {
        return TransactWriteItem.builder().conditionCheck(ConditionCheck.builder().tableName(table)
                .key(TableKeys.aclPolicy(policy.id()))
                .conditionExpression("#hash = :hash")
                .expressionAttributeNames(Map.of("#hash", HASH))
                .expressionAttributeValues(Map.of(":hash", s(policy.hash()))).build()).build();
    }

    private static boolean failed(TransactionCanceledException e, int position) {
        List<CancellationReason> reasons = e.cancellationReasons();
        return reasons.size() > position && "ConditionalCheckFailed".equals(reasons.get(position).code());
    }

    /** Attempts of a transaction that DynamoDB cancels only for a conflict with a concurrent one. */
    private static final int CONFLICT_ATTEMPTS = 5;

    /**
     * Runs a transaction, again (with the store's backoff, {@value #CONFLICT_ATTEMPTS} attempts at most) while
     * DynamoDB cancels it only because a concurrent transaction held one of its items: the next attempt meets the
     * winner's write, so its conditions then decide (the name taken, the token gone) instead of a 500.
     *
     * @throws TransactionCanceledException when a condition failed, or the conflicts outlasted the attempts
     */
    private void transactAgainOnConflict(TransactWriteItem... items) {
        for (int attempt = 1; ; attempt++) {
            try {
                dynamoDb.transactWriteItems(r -> r.transactItems(items));
                return;
            } catch (TransactionCanceledException e) {
                boolean onlyConflicts = e.cancellationReasons().stream().anyMatch(r -> "TransactionConflict".equals(r.code()))
                        && e.cancellationReasons().stream().allMatch(r -> "None".equals(r.code())
                                || "TransactionConflict".equals(r.code()));
                if (!onlyConflicts || attempt >= CONFLICT_ATTEMPTS) {
                    throw e;
                }
                Batches.pause(attempt);
            }
        }
    }

    private static RuntimeException policyChangedOr(TransactionCanceledException e) {
        boolean conditionOrConflict = e.cancellationReasons().stream().anyMatch(reason ->
                "ConditionalCheckFailed".equals(reason.code()) || "TransactionConflict".equals(reason.code()));
        return conditionOrConflict ? new PolicyChanged() : e;
    }

    private void queryAll(String pk, java.util.function.Consumer<Map<String, AttributeValue>> each) {
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK))
                    .expressionAttributeValues(Map.of(":pk", s(pk)));
            if (start != null) {
                request.exclusiveStartKey(start);
            }
            QueryResponse page = dynamoDb.query(request.build());
            page.items().forEach(each);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }

    private static Map<String, AttributeValue> tokenItem(AclToken token) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.aclToken(token.accessorId()));
        item.put(ACCESSOR_ID, s(token.accessorId()));
        item.put(SECRET_HASH, s(token.secretHash()));
        Attributes.putIfPresent(item, SEALED_SECRET, token.sealedSecret());
        item.put(DESCRIPTION, s(token.description()));
        item.put(POLICY_IDS, Attributes.list(token.policyIds()));
        item.put(SERVICE_IDENTITIES, AttributeValue.fromL(token.serviceIdentities().stream()
                .map(i -> AttributeValue.fromM(Map.of(NAME, s(i.serviceName()), DATACENTERS, Attributes.list(i.datacenters()))))
                .toList()));
        item.put(NODE_IDENTITIES, AttributeValue.fromL(token.nodeIdentities().stream()
                .map(i -> AttributeValue.fromM(Map.of(NAME, s(i.nodeName()), DATACENTER, s(i.datacenter()))))
                .toList()));
        item.put(LOCAL, AttributeValue.fromBool(token.local()));
        Attributes.putIfPresent(item, EXPIRATION_TIME, token.expirationTime());
        if (token.expirationTime() != null) {
            item.put(TableKeys.EXPIRES_AT, n(token.expirationTime().getEpochSecond()));
        }
        item.put(CREATE_TIME, instant(token.createTime()));
        item.put(HASH, s(token.hash()));
        item.put(CREATE_INDEX, n(token.createIndex()));
        item.put(MODIFY_INDEX, n(token.modifyIndex()));
        return item;
    }

    private static AclToken token(Map<String, AttributeValue> item) {
        List<ServiceIdentity> services = new ArrayList<>();
        AttributeValue s = item.get(SERVICE_IDENTITIES);
        if (s != null && s.hasL()) {
            s.l().forEach(v -> services.add(new ServiceIdentity(string(v.m(), NAME), strings(v.m(), DATACENTERS))));
        }
        List<NodeIdentity> nodes = new ArrayList<>();
        AttributeValue nodeList = item.get(NODE_IDENTITIES);
        if (nodeList != null && nodeList.hasL()) {
            nodeList.l().forEach(v -> nodes.add(new NodeIdentity(string(v.m(), NAME), string(v.m(), DATACENTER))));
        }
        AttributeValue local = item.get(LOCAL);
        return new AclToken(string(item, ACCESSOR_ID), string(item, SECRET_HASH), string(item, SEALED_SECRET),
                string(item, DESCRIPTION), strings(item, POLICY_IDS), services, nodes,
                local != null && Boolean.TRUE.equals(local.bool()), instant(item, EXPIRATION_TIME),
                instant(item, CREATE_TIME), string(item, HASH), Attributes.number(item, CREATE_INDEX),
                Attributes.number(item, MODIFY_INDEX));
    }

    private static Map<String, AttributeValue> authorizationItem(String secretHash, AclAuthorization authorization) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.aclAuthorization(secretHash));
        item.put(ACCESSOR_ID, s(authorization.accessorId()));
        Attributes.putIfPresent(item, EXPIRATION_TIME, authorization.expirationTime());
        if (authorization.expirationTime() != null) {
            item.put(TableKeys.EXPIRES_AT, n(authorization.expirationTime().getEpochSecond()));
        }
        item.put(GRANTS, AttributeValue.fromL(authorization.grants().stream().map(grant -> {
            Map<String, AttributeValue> m = new HashMap<>();
            Attributes.putIfPresent(m, POLICY_ID, grant.policyId());
            Attributes.putIfPresent(m, POLICY_HASH, grant.policyHash());
            m.put(DATACENTERS, Attributes.list(grant.datacenters()));
            m.put(RULES, s(grant.rules()));
            return AttributeValue.fromM(m);
        }).toList()));
        return item;
    }

    private static Map<String, AttributeValue> policyItem(AclPolicy policy) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.aclPolicy(policy.id()));
        item.put(ID, s(policy.id()));
        item.put(NAME, s(policy.name()));
        item.put(DESCRIPTION, s(policy.description()));
        item.put(RULES, s(policy.rules()));
        item.put(DATACENTERS, Attributes.list(policy.datacenters()));
        item.put(HASH, s(policy.hash()));
        item.put(CREATE_INDEX, n(policy.createIndex()));
        item.put(MODIFY_INDEX, n(policy.modifyIndex()));
        return item;
    }

    private static Map<String, AttributeValue> policyNameItem(AclPolicy policy) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.aclPolicyName(policy.name()));
        item.put(ID, s(policy.id()));
        return item;
    }

    private static AclPolicy policy(Map<String, AttributeValue> item) {
        return new AclPolicy(string(item, ID), string(item, NAME), string(item, DESCRIPTION), string(item, RULES),
                strings(item, DATACENTERS), string(item, HASH), Attributes.number(item, CREATE_INDEX),
                Attributes.number(item, MODIFY_INDEX));
    }
}
