package io.clusterpeering.infra;

import io.clusterpeering.function.AclBootstrapFunction;
import io.clusterpeering.function.AclManagementTokenBootstrapFunction;
import io.clusterpeering.function.AclPolicyCreateFunction;
import io.clusterpeering.function.AclPolicyDeleteFunction;
import io.clusterpeering.function.AclPolicyListFunction;
import io.clusterpeering.function.AclPolicyReadByNameFunction;
import io.clusterpeering.function.AclPolicyReadFunction;
import io.clusterpeering.function.AclPolicyUpdateFunction;
import io.clusterpeering.function.AclTokenCloneFunction;
import io.clusterpeering.function.AclTokenCreateFunction;
import io.clusterpeering.function.AclTokenDeleteFunction;
import io.clusterpeering.function.AclTokenListFunction;
import io.clusterpeering.function.AclTokenReadFunction;
import io.clusterpeering.function.AclTokenSelfFunction;
import io.clusterpeering.function.AclTokenUpdateFunction;
import io.clusterpeering.function.AgentConnectAuthorizeFunction;
import io.clusterpeering.function.AgentConnectCaLeafFunction;
import io.clusterpeering.function.AgentConnectCaRootsFunction;
import io.clusterpeering.function.AgentMetricsFunction;
import io.clusterpeering.function.AgentSelfFunction;
import io.clusterpeering.function.CatalogDeregisterFunction;
import io.clusterpeering.function.CatalogRegisterFunction;
import io.clusterpeering.function.CatalogServiceFunction;
import io.clusterpeering.function.CatalogServicesFunction;
import io.clusterpeering.function.ConfigDeleteFunction;
import io.clusterpeering.function.ConfigGetFunction;
import io.clusterpeering.function.ConfigListFunction;
import io.clusterpeering.function.ConfigPutFunction;
import io.clusterpeering.function.ConnectCaRootsFunction;
import io.clusterpeering.function.ExportStreamFunction;
import io.clusterpeering.function.ExportedServicesFunction;
import io.clusterpeering.function.HealthServiceFunction;
import io.clusterpeering.function.ImportedServicesFunction;
import io.clusterpeering.function.IntentionCheckFunction;
import io.clusterpeering.function.IntentionMatchFunction;
import io.clusterpeering.function.DeletePeeringFunction;
import io.clusterpeering.function.EstablishFunction;
import io.clusterpeering.function.ExchangeSecretFunction;
import io.clusterpeering.function.GenerateTokenFunction;
import io.clusterpeering.function.HeartbeatFunction;
import io.clusterpeering.function.HeartbeatWorkerFunction;
import io.clusterpeering.function.ListPeeringTokensFunction;
import io.clusterpeering.function.ListPeeringsFunction;
import io.clusterpeering.function.PeerMessageFunction;
import io.clusterpeering.function.PeerProbeFunction;
import io.clusterpeering.function.PeeringCheckFunction;
import io.clusterpeering.function.PeeringEventsFunction;
import io.clusterpeering.function.PeeringLinkCheckFunction;
import io.clusterpeering.function.PeeringServicesFunction;
import io.clusterpeering.function.CaRotateFunction;
import io.clusterpeering.function.CaRotationFunction;
import io.clusterpeering.function.PeeringStreamFunction;
import io.clusterpeering.function.ReadPeeringFunction;
import io.clusterpeering.function.RevokePeeringTokenFunction;
import io.clusterpeering.function.StatusLeaderFunction;
import io.clusterpeering.function.StatusPeersFunction;
import io.clusterpeering.function.UnroutedFunction;
import io.clusterpeering.store.TableKeys;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each function may do, and nothing more: the DynamoDB actions it calls on the table, and whether it
 * reads the cluster identity secret (only the functions that sign or present the CA). {@code GetItem} is in
 * every set for the SnapStart priming read. Only the deleting stream handler may delete imported data and
 * peering rows; catalog deregistration and config deletion may delete only their own local items (a
 * {@code dynamodb:LeadingKeys} condition); read endpoints cannot write. Transactions need the actions of their parts ({@code PutItem},
 * {@code DeleteItem}, and {@code ConditionCheckItem} for a condition check); DynamoDB has no separate action
 * for them.
 *
 * <p>ACL items: only the ACL functions ({@link #aclAdmin}) may touch the items under {@code ACL#} (tokens with
 * their sealed SecretIDs, policies) and write the token-check items under {@code ACL_AUTH#}, and only they may
 * use the KMS key that seals SecretIDs; every other function is denied all access to {@code ACL#} items and any
 * write under {@code ACL_AUTH#} (it reads its caller's token-check item, nothing else).
 *
 * @param tableActions    the {@code dynamodb:*} actions on the table, without the prefix
 * @param readsIdentity   whether it may read the identity secret
 * @param deletesUnder    a partition-key prefix under which the function may {@code DeleteItem} (its own local
 *                        data, enforced with a {@code dynamodb:LeadingKeys} condition), or null for none
 * @param aclAdmin        whether it is an ACL function: ACL items and the SecretID key
 */
public record FunctionAccess(List<String> tableActions, boolean readsIdentity, String deletesUnder, boolean aclAdmin) {
    /** What every ACL function may do: read and write ACL items in transactions, delete only ACL items. */
    static final FunctionAccess ACL_FUNCTION = new FunctionAccess(
            List.of("GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "ConditionCheckItem"), false, "ACL", true);

    FunctionAccess(List<String> tableActions, boolean readsIdentity) {
        this(tableActions, readsIdentity, null, false);
    }

    FunctionAccess(List<String> tableActions, boolean readsIdentity, String deletesUnder) {
        this(tableActions, readsIdentity, deletesUnder, false);
    }

    /**
     * The functions that rewrite the identity secret ({@code secretsmanager:PutSecretValue}, besides reading it): the
     * start of a CA rotation and the heartbeat tick, which takes its later steps.
     */
    public static final Set<Class<?>> WRITES_IDENTITY = Set.of(CaRotateFunction.class, HeartbeatFunction.class);

    /**
     * The functions whose use cases append audit events: each may also {@code PutItem} under {@code AUDIT#} (a
     * {@code dynamodb:LeadingKeys} condition), which is all a function that writes nothing else there needs.
     */
    public static final Set<Class<?>> APPENDS_AUDIT = Set.of(GenerateTokenFunction.class, RevokePeeringTokenFunction.class,
            EstablishFunction.class,
            DeletePeeringFunction.class, ExchangeSecretFunction.class, PeerMessageFunction.class, HeartbeatFunction.class,
            ConfigPutFunction.class, ConfigDeleteFunction.class, PeeringStreamFunction.class, AclBootstrapFunction.class,
            AclPolicyCreateFunction.class, AclPolicyUpdateFunction.class, AclPolicyDeleteFunction.class,
            AclTokenCreateFunction.class, AclTokenUpdateFunction.class, AclTokenCloneFunction.class,
            AclTokenDeleteFunction.class, AclManagementTokenBootstrapFunction.class);

    /** The grants of every function, by handler class. */
    public static final Map<Class<?>, FunctionAccess> BY_HANDLER = Map.ofEntries(
            Map.entry(GenerateTokenFunction.class, new FunctionAccess(List.of("GetItem", "PutItem", "UpdateItem"), true)),
            Map.entry(EstablishFunction.class, new FunctionAccess(List.of("GetItem", "PutItem", "UpdateItem"), true)),
            // One BatchGetItem of the row and its partition's peerings counter; a COUNT query only for a DELETING or
            // TERMINATED row whose purge has not counted yet.
            Map.entry(ReadPeeringFunction.class, new FunctionAccess(List.of("GetItem", "BatchGetItem", "Query"), false)),
            Map.entry(ListPeeringsFunction.class, new FunctionAccess(List.of("GetItem", "Query"), false)),
            Map.entry(DeletePeeringFunction.class, new FunctionAccess(List.of("GetItem", "UpdateItem"), false)),
            // One query of the partition's peering rows, superseded tokens and counter.
            Map.entry(ListPeeringTokensFunction.class, new FunctionAccess(List.of("GetItem", "Query"), false)),
            // One conditional UpdateItem of the peering row (its unused secret), besides the audit event.
            Map.entry(RevokePeeringTokenFunction.class, new FunctionAccess(List.of("GetItem", "UpdateItem"), false)),
            Map.entry(AgentSelfFunction.class, new FunctionAccess(List.of("GetItem"), true)),
            Map.entry(AgentMetricsFunction.class, new FunctionAccess(List.of("GetItem", "Query"), false)),
            // Answer from configuration alone (GetItem only for the SnapStart priming read).
            Map.entry(StatusLeaderFunction.class, new FunctionAccess(List.of("GetItem"), false)),
            Map.entry(StatusPeersFunction.class, new FunctionAccess(List.of("GetItem"), false)),
            Map.entry(PeeringEventsFunction.class, new FunctionAccess(List.of("GetItem", "Query"), false)),
            Map.entry(PeeringCheckFunction.class, new FunctionAccess(List.of("GetItem"), true)),
            Map.entry(PeeringLinkCheckFunction.class, new FunctionAccess(List.of("GetItem"), true)),
            // Sync status: the peering with its counter and the exports' heads (BatchGetItem), the imported list and
            // the refusals (Query); signs the question it asks the peer.
            Map.entry(PeeringServicesFunction.class, new FunctionAccess(List.of("GetItem", "BatchGetItem", "Query"), true)),
            Map.entry(PeerProbeFunction.class, new FunctionAccess(List.of("GetItem"), true)),
            Map.entry(ExchangeSecretFunction.class, new FunctionAccess(List.of("GetItem", "PutItem", "UpdateItem"), false)),
            // Applies replication: snapshot reads, and transactions that replace or delete imported items (its own
            // deletes are limited to IMPORTED# keys).
            Map.entry(PeerMessageFunction.class, new FunctionAccess(
                    List.of("GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "ConditionCheckItem"), false,
                    TableKeys.IMPORTED_PREFIX)),
            // The one-minute tick: starts heartbeat chains (beat items) and nudges stuck deletions.
            // Also takes a CA rotation's next step when due (reads and rewrites the identity).
            Map.entry(HeartbeatFunction.class, new FunctionAccess(List.of("GetItem", "Query", "PutItem", "UpdateItem"), true)),
            // One chain step: claims it, beats and resyncs one peering (signs messages).
            Map.entry(HeartbeatWorkerFunction.class, new FunctionAccess(
                    List.of("GetItem", "BatchGetItem", "Query", "UpdateItem"), true)),
            // Registrations are transactions over a service head, the instance, its pointer and its node; a service
            // ID registered under another name deletes the old instance (CATALOG# keys only).
            Map.entry(CatalogRegisterFunction.class, new FunctionAccess(
                    List.of("GetItem", "Query", "PutItem", "UpdateItem", "ConditionCheckItem"), false, TableKeys.CATALOG_PREFIX)),
            Map.entry(CatalogDeregisterFunction.class, new FunctionAccess(
                    List.of("GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "ConditionCheckItem"), false,
                    TableKeys.CATALOG_PREFIX)),
            // Reads; a blocking read with ?peer= waits on two counters (one BatchGetItem).
            Map.entry(CatalogServicesFunction.class, new FunctionAccess(List.of("GetItem", "BatchGetItem", "Query"), false)),
            Map.entry(CatalogServiceFunction.class, new FunctionAccess(List.of("GetItem", "BatchGetItem", "Query"), false)),
            Map.entry(HealthServiceFunction.class, new FunctionAccess(List.of("GetItem", "BatchGetItem", "Query"), false)),
            Map.entry(ConfigPutFunction.class, new FunctionAccess(List.of("GetItem", "UpdateItem"), false)),
            Map.entry(ConfigGetFunction.class, new FunctionAccess(List.of("GetItem"), false)),
            Map.entry(ConfigListFunction.class, new FunctionAccess(List.of("GetItem", "Query"), false)),
            Map.entry(ConfigDeleteFunction.class, new FunctionAccess(List.of("GetItem", "UpdateItem"), false, TableKeys.CONFIG_PREFIX)),
            Map.entry(ExportedServicesFunction.class, new FunctionAccess(List.of("GetItem", "BatchGetItem", "Query"), false)),
            Map.entry(ImportedServicesFunction.class, new FunctionAccess(List.of("GetItem", "Query"), false)),
            // Exports changes (snapshot reads of instances with their heads, consumer peerings by key) and finishes
            // copying a changed node into its instances (transactions).
            Map.entry(ExportStreamFunction.class, new FunctionAccess(
                    List.of("GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "ConditionCheckItem"), true)),
            // A rotation reads and rewrites the identity (its first step generates the new keys, with Bouncy Castle) and
            // reads the peerings' acknowledgements (Query); the status reads the same.
            Map.entry(CaRotateFunction.class, new FunctionAccess(List.of("GetItem", "Query"), true)),
            Map.entry(CaRotationFunction.class, new FunctionAccess(List.of("GetItem", "Query"), true)),
            // The CA roots and leaves come from the identity (the leaf function signs with its CA key).
            Map.entry(ConnectCaRootsFunction.class, new FunctionAccess(List.of("GetItem"), true)),
            Map.entry(AgentConnectCaRootsFunction.class, new FunctionAccess(List.of("GetItem"), true)),
            Map.entry(AgentConnectCaLeafFunction.class, new FunctionAccess(List.of("GetItem"), true)),
            // Decisions: the partition's service-intentions (one Query) and, for authorize, its peerings (one Query)
            // and this cluster's trust domain (the identity).
            Map.entry(AgentConnectAuthorizeFunction.class, new FunctionAccess(List.of("GetItem", "Query"), true)),
            Map.entry(IntentionCheckFunction.class, new FunctionAccess(List.of("GetItem", "Query"), false)),
            Map.entry(IntentionMatchFunction.class, new FunctionAccess(List.of("GetItem", "Query"), false)),
            Map.entry(UnroutedFunction.class, new FunctionAccess(List.of("GetItem"), false)),
            // Finishes deletions and purges imports (an unexported service's purge rewrites its list entry).
            Map.entry(PeeringStreamFunction.class, new FunctionAccess(
                    List.of("GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"), true)),
            Map.entry(AclBootstrapFunction.class, ACL_FUNCTION),
            Map.entry(AclPolicyCreateFunction.class, ACL_FUNCTION),
            Map.entry(AclPolicyReadFunction.class, ACL_FUNCTION),
            Map.entry(AclPolicyUpdateFunction.class, ACL_FUNCTION),
            Map.entry(AclPolicyDeleteFunction.class, ACL_FUNCTION),
            Map.entry(AclPolicyReadByNameFunction.class, ACL_FUNCTION),
            Map.entry(AclPolicyListFunction.class, ACL_FUNCTION),
            Map.entry(AclTokenCreateFunction.class, ACL_FUNCTION),
            Map.entry(AclTokenSelfFunction.class, ACL_FUNCTION),
            Map.entry(AclTokenReadFunction.class, ACL_FUNCTION),
            Map.entry(AclTokenUpdateFunction.class, ACL_FUNCTION),
            Map.entry(AclTokenCloneFunction.class, ACL_FUNCTION),
            Map.entry(AclTokenDeleteFunction.class, ACL_FUNCTION),
            Map.entry(AclTokenListFunction.class, ACL_FUNCTION),
            Map.entry(AclManagementTokenBootstrapFunction.class, ACL_FUNCTION));
}
