package io.clusterpeering.domain;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Consul's check statuses and their order of severity: maintenance &gt; critical &gt; warning &gt; passing.
 * Replication folds all checks of an exported instance into one {@code <serviceID>:overall-check} whose
 * status is the worst of them (Consul's peer stream does the same).
 */
public final class HealthStatus {
    public static final String PASSING = "passing";
    public static final String WARNING = "warning";
    public static final String CRITICAL = "critical";
    public static final String MAINTENANCE = "maintenance";
    private static final List<String> BY_SEVERITY = List.of(PASSING, WARNING, CRITICAL, MAINTENANCE);

    private HealthStatus() {
    }

    /**
     * A status as given, lower-cased; empty means critical (Consul's default for a registered check).
     *
     * @throws PeeringException.InvalidRequest naming the field when it is not one of the four
     */
    public static String require(String status, String field) {
        String value = status == null || status.isEmpty() ? CRITICAL : status.toLowerCase(Locale.ROOT);
        if (!BY_SEVERITY.contains(value)) {
            throw new PeeringException.InvalidRequest(field + ": \"" + status
                    + "\" is not a check status: use passing, warning, critical or maintenance");
        }
        return value;
    }

    /** The worst status of the checks; passing when there are none. */
    public static String worst(Collection<HealthCheck> checks) {
        int worst = 0;
        for (HealthCheck check : checks) {
            worst = Math.max(worst, BY_SEVERITY.indexOf(check.status()));
        }
        return BY_SEVERITY.get(worst);
    }

    /**
     * The one check that stands for all checks of an instance on the peer: ID {@code <serviceID>:overall-check},
     * name {@code overall-check}, the worst status.
     */
    public static HealthCheck overallCheck(String node, String serviceId, String serviceName, Collection<HealthCheck> checks) {
        return new HealthCheck(node, serviceId + ":overall-check", "overall-check", worst(checks), "", "",
                serviceId, serviceName, "");
    }
}
