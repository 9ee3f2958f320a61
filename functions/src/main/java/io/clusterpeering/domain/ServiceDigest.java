package io.clusterpeering.domain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The digest of a service as a peer sees it: the sum, modulo 2^64, of one 64-bit hash per instance (the first
 * eight bytes of SHA-256 over the instance's exported fields). A sum can be kept up to date one instance at a
 * time (subtract the old instance's hash, add the new one's), so the exporter and the importer each keep their
 * service's digest beside its instance count without ever reading the whole service, and the periodic resync
 * compares one number per service instead of every instance.
 *
 * <p>The hashed fields are exactly what replication carries of an instance: node, node ID, addresses,
 * datacenter, node and service meta, tagged addresses, service ID and name, tags (in order), port, and each
 * check's ID, name, status and output. Indexes, versions and the local peer name are left out.
 */
public final class ServiceDigest {
    /** The digest of a service with no instances. */
    public static final long EMPTY = 0L;

    private ServiceDigest() {
    }

    /** The hash of one instance in its exported form (checks already folded on the exporter). */
    public static long hash(ServiceInstance instance) {
        StringBuilder text = new StringBuilder(256);
        field(text, instance.node());
        field(text, instance.nodeId());
        field(text, instance.address());
        field(text, instance.datacenter());
        map(text, instance.nodeMeta());
        map(text, instance.taggedAddresses());
        field(text, instance.serviceId());
        field(text, instance.service());
        list(text, instance.tags());
        field(text, instance.serviceAddress());
        field(text, Integer.toString(instance.port()));
        map(text, instance.serviceMeta());
        text.append(instance.checks().size()).append('|');
        for (HealthCheck check : instance.checks()) {
            field(text, check.checkId());
            field(text, check.name());
            field(text, check.status());
            field(text, check.output());
        }
        return ByteBuffer.wrap(sha256(text.toString())).getLong();
    }

    /** The digest text kept and sent: 16 lower-case hex digits. */
    public static String format(long digest) {
        return String.format("%016x", digest);
    }

    /**
     * Reads a digest text.
     *
     * @throws IllegalArgumentException when it is not 1 to 16 hex digits
     */
    public static long parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 16) {
            throw new IllegalArgumentException("a service digest is 1 to 16 hex digits");
        }
        return Long.parseUnsignedLong(text, 16);
    }

    private static void field(StringBuilder text, String value) {
        String v = value == null ? "" : value;
        text.append(v.length()).append(':').append(v).append('|');
    }

    private static void list(StringBuilder text, List<String> values) {
        text.append(values.size()).append('[');
        values.forEach(v -> field(text, v));
    }

    private static void map(StringBuilder text, Map<String, String> values) {
        Map<String, String> sorted = new TreeMap<>(values);
        text.append(sorted.size()).append('{');
        sorted.forEach((k, v) -> {
            field(text, k);
            field(text, v);
        });
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
