package io.clusterpeering.connect;

import io.clusterpeering.domain.PeeringException.InvalidRequest;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A service's SPIFFE ID as Consul writes it into a leaf certificate's URI SAN (Consul's
 * {@code connect.SpiffeIDService}): {@code spiffe://<trust-domain>/ns/<namespace>/dc/<datacenter>/svc/<service>},
 * or with a partition other than {@code default}
 * {@code spiffe://<trust-domain>/ap/<partition>/ns/<namespace>/dc/<datacenter>/svc/<service>}. The trust domain
 * names the cluster that issued the certificate ({@code <cluster id>.consul}): this cluster's own, or one a peering
 * imported.
 *
 * @param trustDomain the host part, lower case
 * @param partition   the admin partition, {@code default} when the URI has no {@code ap} segment
 * @param namespace   the namespace
 * @param datacenter  the issuing datacenter
 * @param service     the service name
 */
public record SpiffeId(String trustDomain, String partition, String namespace, String datacenter, String service) {
    private static final String DEFAULT = "default";

    /** The ID of a service in the default namespace of a partition. */
    public static SpiffeId service(String trustDomain, String partition, String datacenter, String service) {
        return new SpiffeId(trustDomain, partition, DEFAULT, datacenter, service);
    }

    /**
     * Parses a client certificate's URI, as {@code /v1/agent/connect/authorize} receives it.
     *
     * @throws InvalidRequest {@code ClientCertURI not a valid Connect identifier} when it is no SPIFFE URI, and
     *                        {@code ClientCertURI not a valid Service identifier} when it is one of something else
     *                        (an agent's or a server's): Consul's two texts
     */
    public static SpiffeId parse(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri == null ? "" : uri);
        } catch (URISyntaxException e) {
            throw new InvalidRequest("ClientCertURI not a valid Connect identifier");
        }
        if (!"spiffe".equalsIgnoreCase(parsed.getScheme()) || parsed.getHost() == null || parsed.getRawPath() == null) {
            throw new InvalidRequest("ClientCertURI not a valid Connect identifier");
        }
        String[] segments = parsed.getPath().split("/", -1);
        // "", then name/value pairs
        int at = 1;
        String partition = DEFAULT;
        if (segments.length == 9 && segments[1].equals("ap")) {
            partition = segments[2];
            at = 3;
        }
        if (segments.length - at != 6 || !segments[at].equals("ns") || !segments[at + 2].equals("dc")
                || !segments[at + 4].equals("svc")
                || segments[at + 1].isEmpty() || segments[at + 3].isEmpty() || segments[at + 5].isEmpty()) {
            throw new InvalidRequest("ClientCertURI not a valid Service identifier");
        }
        return new SpiffeId(parsed.getHost().toLowerCase(Locale.ROOT), partition, segments[at + 1], segments[at + 3],
                segments[at + 5]);
    }

    /** The URI text, the form that goes into a certificate and that {@link #parse} reads back. */
    public String uri() {
        String ap = partition.equals(DEFAULT) ? "" : "/ap/" + partition;
        return "spiffe://" + trustDomain + ap + "/ns/" + namespace + "/dc/" + datacenter + "/svc/" + service;
    }
}
