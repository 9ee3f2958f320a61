package io.clusterpeering.domain;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Consul's config entry rules, one broken rule per case, with Consul's exact messages. */
class ConfigEntryRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses JSON written with single quotes (for readability) into the map the handlers receive. */
    static Map<String, Object> json(String singleQuoted) {
        try {
            return JSON.readValue(singleQuoted.replace('\'', '"'), new TypeReference<Map<String, Object>>() { });
        } catch (Exception e) {
            throw new IllegalArgumentException("bad test JSON: " + singleQuoted, e);
        }
    }

    private static void assertRejected(String entry, String partition, String message) {
        PeeringException.InvalidRequest error = assertThrows(PeeringException.InvalidRequest.class,
                () -> ConfigEntryRules.validate(json(entry), partition));
        assertEquals(message, error.getMessage());
    }

    private static String exported(String services) {
        return "{'Kind':'exported-services','Name':'default','Services':" + services + "}";
    }

    private static String intentions(String sources) {
        return "{'Kind':'service-intentions','Name':'backend','Sources':" + sources + "}";
    }

    private static String resolver(String fields) {
        return "{'Kind':'service-resolver','Name':'backend'" + (fields.isEmpty() ? "" : "," + fields) + "}";
    }

    // ---- kind and common rules ----

    static Stream<Arguments> commonCases() {
        return Stream.of(
                Arguments.of("{'Name':'default'}", "Kind is required in the payload"),
                Arguments.of("{'Kind':'','Name':'default'}", "Kind is required in the payload"),
                Arguments.of("{'Kind':'service-defaults','Name':'web'}", "Kind \"service-defaults\" is not supported:"
                        + " supported kinds are exported-services, service-intentions and service-resolver"),
                Arguments.of("{'Kind':'Exported-Services','Name':'default'}", "Kind \"Exported-Services\" is not"
                        + " supported: supported kinds are exported-services, service-intentions and service-resolver"),
                Arguments.of("{'Kind':7,'Name':'default'}", "Kind must be a string"),
                Arguments.of("{'Kind':'exported-services'}", "Name is required"),
                Arguments.of("{'Kind':'service-intentions','Name':''}", "Name is required"),
                Arguments.of("{'Kind':'service-resolver','Name':null}", "Name is required"),
                Arguments.of("{'Kind':'service-resolver','Name':['x']}", "Name must be a string"),
                Arguments.of(resolver("'Meta':'x'"), "Meta must be an object"),
                Arguments.of(resolver("'Meta':{'k':1}"), "Meta[\"k\"] must be a string"),
                Arguments.of(resolver("'Meta':{'consul-k':'v'}"), "Meta: meta tags failed validation: Couldn't load"
                        + " metadata pair ('consul-k', 'v'): Key prefix 'consul-' is reserved for internal use"),
                Arguments.of("{'Kind':'exported-services','Name':'default','Meta':{'a b':'v'},'Services':[]}",
                        "Meta: meta tags failed validation: Couldn't load metadata pair ('a b', 'v'): Key contains"
                                + " invalid characters"),
                Arguments.of("{'Kind':'service-intentions','Name':'backend','Meta':{'':'v'},"
                        + "'Sources':[{'Name':'web','Action':'allow'}]}",
                        "Meta: meta tags failed validation: Couldn't load metadata pair ('', 'v'): Key cannot be blank"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("commonCases")
    void commonRules(String entry, String message) {
        assertRejected(entry, "default", message);
    }

    @Test
    void requireSupportedKindAcceptsTheThreeKindsAndRejectsOthers() {
        for (String kind : ConfigEntryRules.KINDS) {
            assertEquals(kind, ConfigEntryRules.requireSupportedKind(kind));
        }
        assertEquals(List.of("exported-services", "service-intentions", "service-resolver"), ConfigEntryRules.KINDS);
        assertEquals("Kind is required in the payload", assertThrows(PeeringException.InvalidRequest.class,
                () -> ConfigEntryRules.requireSupportedKind(null)).getMessage());
        assertEquals("Kind is required in the payload", assertThrows(PeeringException.InvalidRequest.class,
                () -> ConfigEntryRules.requireSupportedKind("")).getMessage());
        assertEquals("Kind \"x\" is not supported: supported kinds are exported-services, service-intentions and"
                + " service-resolver", assertThrows(PeeringException.InvalidRequest.class,
                        () -> ConfigEntryRules.requireSupportedKind("x")).getMessage());
        assertThrows(PeeringException.InvalidRequest.class,
                () -> ConfigEntryRules.requireSupportedKind("SERVICE-RESOLVER"));
    }

    // ---- exported-services ----

    static Stream<Arguments> exportedServicesCases() {
        return Stream.of(
                Arguments.of("{'Kind':'exported-services','Name':'other','Services':[]}", "default",
                        "exported-services Name must be \"default\""),
                Arguments.of("{'Kind':'exported-services','Name':'team-a','Services':[]}", "default",
                        "exported-services Name must be \"default\""),
                Arguments.of("{'Kind':'exported-services','Name':'default','Services':[]}", "team-a",
                        "exported-services Name must be \"team-a\""),
                Arguments.of(exported("'web'"), "default", "Services must be a list"),
                Arguments.of(exported("['web']"), "default", "Services[0] must be an object"),
                Arguments.of(exported("[{'Consumers':[{'Peer':'p'}]}]"), "default",
                        "Services[0]: service name cannot be empty"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{'Peer':'p'}]},{'Name':'','Consumers':[{'Peer':'p'}]}]"),
                        "default", "Services[1]: service name cannot be empty"),
                Arguments.of(exported("[{'Name':'web','Namespace':'*','Consumers':[{'Peer':'p'}]}]"), "default",
                        "Services[0]: service name must be wildcard if namespace is wildcard"),
                Arguments.of(exported("[{'Name':'web'}]"), "default", "Services[0]: must have at least one consumer"),
                Arguments.of(exported("[{'Name':'web','Consumers':[]}]"), "default",
                        "Services[0]: must have at least one consumer"),
                Arguments.of(exported("[{'Name':'web','Consumers':{'Peer':'p'}}]"), "default",
                        "Services[0].Consumers must be a list"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{'Peer':'p','Partition':'a'}]}]"), "default",
                        "Services[0].Consumers[0]: must define at most one of Peer, Partition, or SamenessGroup"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{'Peer':'p'},{'Peer':'q','SamenessGroup':'g'}]}]"),
                        "default",
                        "Services[0].Consumers[1]: must define at most one of Peer, Partition, or SamenessGroup"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{'Partition':'a','SamenessGroup':'g'}]}]"),
                        "default",
                        "Services[0].Consumers[0]: must define at most one of Peer, Partition, or SamenessGroup"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{'PeerName':'p','Partition':'a'}]}]"), "default",
                        "Services[0].Consumers[0]: must define at most one of Peer, Partition, or SamenessGroup"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{'Partition':'*'}]}]"), "default",
                        "Services[0].Consumers[0]: exporting to all partitions (wildcard) is not supported"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{'Peer':'foo'},{'Peer':'*'}]}]"), "default",
                        "Services[0].Consumers[1]: exporting to all peers (wildcard) is not supported"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{'PeerName':'*'}]}]"), "default",
                        "Services[0].Consumers[0]: exporting to all peers (wildcard) is not supported"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{}]}]"), "default",
                        "Services[0].Consumers[0]: must define one of Peer, Partition, or SamenessGroup"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{'Peer':''}]}]"), "default",
                        "Services[0].Consumers[0]: must define one of Peer, Partition, or SamenessGroup"),
                Arguments.of(exported("[{'Name':'web','Consumers':[{'Peer':3}]}]"), "default",
                        "Services[0].Consumers[0].Peer must be a string"),
                Arguments.of(exported("[{'Name':true,'Consumers':[{'Peer':'p'}]}]"), "default",
                        "Services[0].Name must be a string"));
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("exportedServicesCases")
    void exportedServicesRules(String entry, String partition, String message) {
        assertRejected(entry, partition, message);
    }

    // ---- service-intentions ----

    static Stream<Arguments> serviceIntentionsCases() {
        return Stream.of(
                Arguments.of(intentions("[]"), "At least one source is required"),
                Arguments.of("{'Kind':'service-intentions','Name':'backend'}", "At least one source is required"),
                Arguments.of(intentions("{'Name':'web'}"), "Sources must be a list"),
                Arguments.of(intentions("[1]"), "Sources[0] must be an object"),
                Arguments.of("{'Kind':'service-intentions','Name':'back*','Sources':[{'Name':'web','Action':'allow'}]}",
                        "Name: wildcard character '*' cannot be used with partial values"),
                Arguments.of(intentions("[{'Action':'allow'}]"), "Sources[0].Name is required"),
                Arguments.of(intentions("[{'Name':'web','Action':'allow'},{'Name':'','Action':'allow'}]"),
                        "Sources[1].Name is required"),
                Arguments.of(intentions("[{'Name':'web','Peer':'p','Partition':'a','Action':'allow'}]"),
                        "Sources[0].Peer: cannot set Peer and Partition at the same time."),
                Arguments.of(intentions("[{'Name':'web','Peer':'p','SamenessGroup':'g','Action':'allow'}]"),
                        "Sources[0].SamenessGroup: cannot set SamenessGroup and Peer at the same time"),
                Arguments.of(intentions("[{'Name':'web','Partition':'a','SamenessGroup':'g','Action':'allow'}]"),
                        "Sources[0].SamenessGroup: cannot set SamenessGroup and Partition at the same time"),
                Arguments.of(intentions("[{'Name':'web','Peer':'*','Action':'allow'}]"),
                        "Sources[0].Peer: cannot use wildcard '*' in peer"),
                Arguments.of(intentions("[{'Name':'web','Peer':'clu*','Action':'allow'}]"),
                        "Sources[0].Peer: cannot use wildcard '*' in peer"),
                Arguments.of(intentions("[{'Name':'web*','Action':'allow'}]"),
                        "Sources[0].Name: wildcard character '*' cannot be used with partial values"),
                Arguments.of(intentions("[{'Name':'web','Namespace':'*','Action':'allow'}]"),
                        "Sources[0].Name: exact value cannot follow wildcard namespace"),
                Arguments.of(intentions("[{'Name':'web','Partition':'*','Action':'allow'}]"),
                        "Sources[0].Partition: cannot use wildcard '*' in partition"),
                Arguments.of(intentions("[{'Name':'web','SamenessGroup':'*','Action':'allow'}]"),
                        "Sources[0].SamenessGroup: cannot use wildcard '*' in sameness group"),
                Arguments.of(intentions("[{'Name':'web'}]"), "Sources[0].Action must be set to 'allow' or 'deny'"),
                Arguments.of(intentions("[{'Name':'web','Action':'permit'}]"),
                        "Sources[0].Action must be set to 'allow' or 'deny'"),
                Arguments.of(intentions("[{'Name':'web','Action':'allow','Permissions':[]},{'Name':'api'}]"),
                        "Sources[1].Action must be set to 'allow' or 'deny'"),
                Arguments.of(intentions("[{'Name':'web','Action':'allow',"
                        + "'Permissions':[{'Action':'allow','HTTP':{'PathPrefix':'/'}}]}]"),
                        "Sources[0].Action must be omitted if Permissions are specified"),
                Arguments.of("{'Kind':'service-intentions','Name':'*','Sources':[{'Name':'web',"
                        + "'Permissions':[{'Action':'allow','HTTP':{'PathPrefix':'/'}}]}]}",
                        "Sources[0].Permissions cannot be specified on intentions with wildcarded destinations"),
                Arguments.of(intentions("[{'Name':'web','Permissions':[{'HTTP':{'PathPrefix':'/'}}]}]"),
                        "Sources[0].Permissions[0].Action must be set to 'allow' or 'deny'"),
                Arguments.of(intentions("[{'Name':'web','Permissions':[{'Action':'deny'}]}]"),
                        "Sources[0].Permissions[0].HTTP is required"),
                Arguments.of(intentions("[{'Name':'web','Action':'allow','Type':'external'}]"),
                        "Sources[0].Type must be set to 'consul'"),
                Arguments.of(intentions("[{'Name':'web','Action':'allow','Description':'" + "d".repeat(513) + "'}]"),
                        "Sources[0].Description exceeds maximum length 512"),
                Arguments.of(intentions("[{'Name':'web','Action':'allow','LegacyMeta':{'a':'b'}}]"),
                        "Sources[0].LegacyMeta must be omitted"),
                Arguments.of(intentions("[{'Name':'frontend','Peer':'cluster-02','Action':'allow'},"
                        + "{'Name':'api','Action':'allow'},{'Name':'frontend','Peer':'cluster-02','Action':'deny'}]"),
                        "Sources[2] defines peer(\"cluster-02\") \"frontend\" more than once"),
                Arguments.of(intentions("[{'Name':'web','Action':'allow'},{'Name':'web','Action':'deny'}]"),
                        "Sources[1] defines \"web\" more than once"),
                Arguments.of(intentions("[{'Name':'web','Action':'allow'},"
                        + "{'Name':'web','Namespace':'default','Partition':'default','Action':'deny'}]"),
                        "Sources[1] defines \"web\" more than once"),
                Arguments.of(intentions("[{'Name':'web','SamenessGroup':'g','Action':'allow'},"
                        + "{'Name':'web','SamenessGroup':'g','Action':'deny'}]"),
                        "Sources[1] defines sameness-group(\"g\") \"web\" more than once"),
                Arguments.of(intentions("[{'Name':'web','Peer':['p'],'Action':'allow'}]"),
                        "Sources[0].Peer must be a string"),
                Arguments.of(intentions("[{'Name':'web','Permissions':'all'}]"), "Sources[0].Permissions must be a list"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("serviceIntentionsCases")
    void serviceIntentionsRules(String entry, String message) {
        assertRejected(entry, "default", message);
    }

    // ---- service-resolver ----

    static Stream<Arguments> serviceResolverCases() {
        String wild = "'Failover':{'*':";
        return Stream.of(
                Arguments.of(resolver("'Redirect':{'Service':'other'}," + wild + "{'Service':'x'}}"), "default",
                        "Redirect and Failover cannot both be set"),
                Arguments.of(resolver("'Redirect':{}"), "default", "Redirect is empty"),
                Arguments.of(resolver("'Redirect':{'Service':'','Peer':''}"), "default", "Redirect is empty"),
                Arguments.of(resolver("'Redirect':'other'"), "default", "Redirect must be an object"),
                Arguments.of(resolver("'Redirect':{'Service':'other','Peer':'p','ServiceSubset':'v1'}"), "default",
                        "Redirect.Peer cannot be set with Redirect.ServiceSubset"),
                Arguments.of(resolver("'Redirect':{'Service':'other','Peer':'p','Partition':'a'}"), "default",
                        "Redirect.Partition cannot be set with Redirect.Peer"),
                Arguments.of(resolver("'Redirect':{'Service':'other','Peer':'p','Datacenter':'dc2'}"), "default",
                        "Redirect.Peer cannot be set with Redirect.Datacenter"),
                Arguments.of(resolver("'Redirect':{'Peer':'cluster-01'}"), "default",
                        "Redirect.Peer defined without Redirect.Service"),
                Arguments.of(resolver("'Redirect':{'Namespace':'ns'}"), "default",
                        "Redirect.Namespace defined without Redirect.Service"),
                Arguments.of(resolver("'Redirect':{'ServiceSubset':'v1'}"), "default",
                        "Redirect.ServiceSubset defined without Redirect.Service"),
                Arguments.of(resolver("'Redirect':{'Service':'backend','ServiceSubset':'gone'}"), "default",
                        "Redirect.ServiceSubset \"gone\" is not a valid subset of \"backend\""),
                Arguments.of(resolver("'Redirect':{'Service':'other','Datacenter':'dc2'}"), "team-a",
                        "Cross-datacenter redirect is only supported in the default partition"),
                Arguments.of(resolver("'Redirect':{'Service':'other','Partition':'b','Datacenter':'dc2'}"), "default",
                        "Cross-datacenter and cross-partition redirect is not supported"),
                Arguments.of(resolver("'Failover':[]"), "default", "Failover must be an object"),
                Arguments.of(resolver(wild + "'x'}"), "default", "Failover[\"*\"] must be an object"),
                Arguments.of(resolver(wild + "{'Targets':[{'Peer':'p'}],'Datacenters':['dc2']}}"), "default",
                        "Bad Failover[\"*\"]: Targets cannot be set with Datacenters"),
                Arguments.of(resolver("'Subsets':{'v1':{}}," + wild + "{'Targets':[{'Peer':'p'}],'ServiceSubset':'v1'}}"),
                        "default", "Bad Failover[\"*\"]: Targets cannot be set with ServiceSubset"),
                Arguments.of(resolver(wild + "{'Targets':[{'Peer':'p'}],'Service':'other'}}"), "default",
                        "Bad Failover[\"*\"]: Targets cannot be set with Service"),
                Arguments.of(resolver(wild + "{'Targets':[{'Service':'x','Peer':'p','ServiceSubset':'v1'}]}}"),
                        "default", "Bad Failover[\"*\"].Targets[0]: Peer cannot be set with ServiceSubset"),
                Arguments.of(resolver(wild + "{'Targets':[{'Peer':'q'},{'Peer':'p','Partition':'a'}]}}"), "default",
                        "Bad Failover[\"*\"].Targets[1]: Partition cannot be set with Peer"),
                Arguments.of(resolver(wild + "{'Targets':[{'Peer':'p','Datacenter':'dc2'}]}}"), "default",
                        "Bad Failover[\"*\"].Targets[0]: Peer cannot be set with Datacenter"),
                Arguments.of(resolver(wild + "{'Targets':[{'Partition':'a','Datacenter':'dc2'}]}}"), "default",
                        "Bad Failover[\"*\"].Targets[0]: Partition cannot be set with Datacenter"),
                Arguments.of(resolver(wild + "{'Targets':[{'ServiceSubset':'gone'}]}}"), "default",
                        "Bad Failover[\"*\"].Targets[0]: ServiceSubset \"gone\" is not a valid subset of \"backend\""),
                Arguments.of(resolver(wild + "{}}"), "default",
                        "Bad Failover[\"*\"]: one of Service, ServiceSubset, Namespace, Targets, or Datacenters is"
                                + " required"),
                Arguments.of(resolver(wild + "{'Targets':[],'Datacenters':[]}}"), "default",
                        "Bad Failover[\"*\"]: one of Service, ServiceSubset, Namespace, Targets, or Datacenters is"
                                + " required"),
                Arguments.of(resolver("'Failover':{'v1':{'Service':'other'}}"), "default",
                        "Bad Failover[\"v1\"]: not a valid subset subset"),
                Arguments.of(resolver("'Subsets':{'v1':{'Filter':'Service.Meta.version == v1'}},"
                        + "'Failover':{'v1':{}}"), "default",
                        "Bad Failover[\"v1\"]: one of Service, ServiceSubset, Namespace, Targets, or Datacenters is"
                                + " required"),
                Arguments.of(resolver(wild + "{'ServiceSubset':'gone'}}"), "default",
                        "Bad Failover[\"*\"]: ServiceSubset \"gone\" is not a valid subset of \"\""),
                Arguments.of(resolver(wild + "{'Datacenters':['dc2','']}}"), "default",
                        "Bad Failover[\"*\"].Datacenters: found empty datacenter"),
                Arguments.of(resolver(wild + "{'Datacenters':['dc2']}}"), "team-a",
                        "Cross-datacenter failover is only supported in the default partition"),
                Arguments.of(resolver(wild + "{'Targets':{'Peer':'p'}}}"), "default",
                        "Failover[\"*\"].Targets must be a list"),
                Arguments.of(resolver(wild + "{'Targets':[{'Peer':1}]}}"), "default",
                        "Failover[\"*\"].Targets[0].Peer must be a string"),
                Arguments.of(resolver("'DefaultSubset':'v9'"), "default", "DefaultSubset \"v9\" is not a valid subset"));
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("serviceResolverCases")
    void serviceResolverRules(String entry, String partition, String message) {
        assertRejected(entry, partition, message);
    }

    // ---- valid entries ----

    @ParameterizedTest
    @ValueSource(strings = {
        "{'Kind':'exported-services','Name':'default','Services':[{'Name':'backend','Consumers':[{'Peer':'cluster-02'}]}]}",
        "{'Kind':'service-intentions','Name':'backend','Sources':[{'Name':'frontend','Peer':'cluster-02','Action':'allow'}]}",
        "{'Kind':'service-resolver','Name':'backend','Failover':{'*':{'Targets':[{'Peer':'cluster-01'}]}}}",
        // Consul accepts keys in any case, snake_case aliases, the 1.13 PeerName alias and unknown peers.
        "{'kind':'exported-services','name':'default','services':[{'name':'*','namespace':'*',"
                + "'consumers':[{'PeerName':'cluster-02'},{'peer_name':'never-peered'},{'Partition':'team-a'},"
                + "{'SamenessGroup':'g'}]}]}",
        "{'Kind':'exported-services','Name':'default','Services':null,'Meta':{'owner':'ops','empty':null}}",
        "{'Kind':'service-intentions','Name':'*','Sources':[{'Name':'*','Action':'deny'},"
                + "{'Name':'web','Peer':'cluster-02','Action':'ALLOW','Type':'consul','Description':'from peer'},"
                + "{'Name':'web','Action':'allow'},{'Name':'web','SamenessGroup':'g','Action':'allow'},"
                + "{'Name':'web','Partition':'team-a','Action':'allow'}]}",
        "{'Kind':'service-intentions','Name':'backend','Sources':[{'Name':'web',"
                + "'Permissions':[{'Action':'allow','HTTP':{'PathPrefix':'/v1'}}]}]}",
        "{'Kind':'service-resolver','Name':'backend','ConnectTimeout':'5s','RequestTimeout':15,"
                + "'Redirect':{'Service':'backend','Peer':'cluster-01'}}",
        "{'Kind':'service-resolver','Name':'backend','DefaultSubset':'v1','Subsets':{'v1':{'Filter':'x'}},"
                + "'Redirect':{'Service':'backend','ServiceSubset':'v1'},'Failover':{}}",
        "{'Kind':'service-resolver','Name':'backend','Subsets':{'v1':{}},'Failover':{'v1':{'Service':'other'},"
                + "'*':{'Datacenters':['dc2','dc3']}}}",
        "{'Kind':'service-resolver','Name':'backend','failover':{'*':{'targets':[{'service':'backend',"
                + "'service_subset':''},{'Peer':'cluster-01','Namespace':'ns'},{'Partition':'a'},{'Datacenter':'dc2'}]}}}",
    })
    void validEntriesPass(String entry) {
        assertDoesNotThrow(() -> ConfigEntryRules.validate(json(entry), "default"));
    }

    @Test
    void exportedServicesInAnotherPartitionAreNamedAfterIt() {
        assertDoesNotThrow(() -> ConfigEntryRules.validate(json("{'Kind':'exported-services','Name':'team-a',"
                + "'Services':[{'Name':'backend','Consumers':[{'Peer':'cluster-02'}]}]}"), "team-a"));
        assertDoesNotThrow(() -> ConfigEntryRules.validate(json("{'Kind':'exported-services','Name':'default',"
                + "'Services':[]}"), ""));
        assertDoesNotThrow(() -> ConfigEntryRules.validate(json("{'Kind':'exported-services','Name':'default',"
                + "'Services':[]}"), null));
    }

    // ---- exportedServicesByPeerConsumer ----

    @Test
    void exportedServicesByPeerConsumerListsSortedPeersPerService() {
        Map<String, Object> entry = json("{'Kind':'exported-services','Name':'default','Services':["
                + "{'Name':'web','Consumers':[{'Peer':'zeta'},{'Partition':'team-a'},{'Peer':'alpha'},{'PeerName':'mid'},"
                + "{'Peer':'alpha'}]},"
                + "{'Name':'backend','Consumers':[{'SamenessGroup':'g'},{'peer':'cluster-02'}]},"
                + "{'Name':'internal','Consumers':[{'Partition':'team-b'}]},"
                + "{'Name':'web','Namespace':'other','Consumers':[{'Peer':'beta'}]}]}");
        ConfigEntryRules.validate(entry, "default");
        Map<String, List<String>> byService = ConfigEntryRules.exportedServicesByPeerConsumer(entry);
        assertEquals(Map.of("web", List.of("alpha", "beta", "mid", "zeta"), "backend", List.of("cluster-02")),
                byService);
        assertEquals(List.of("backend", "web"), List.copyOf(byService.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> byService.put("x", List.of()));
    }

    @Test
    void exportedServicesByPeerConsumerOfAnEntryWithoutServicesIsEmpty() {
        assertEquals(Map.of(), ConfigEntryRules.exportedServicesByPeerConsumer(
                json("{'Kind':'exported-services','Name':'default'}")));
        assertEquals(Map.of(), ConfigEntryRules.exportedServicesByPeerConsumer(null));
    }
}
