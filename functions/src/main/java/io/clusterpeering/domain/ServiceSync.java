package io.clusterpeering.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Where one service stands between an exporter and an importer: its state with the reason, and what each side holds
 * of it. Versions are always in the exporter's space (its Consul index of the service): the exporter holds its
 * head's index, the importer the highest exporter version it applied. Both sides hold the same service when their
 * digests ({@link ServiceDigest}) and instance counts agree, as the resync compares them.
 *
 * @param service  the service name
 * @param state    synced, pending, refused or purging
 * @param reason   why it is not synced, in an operator's words; empty when synced
 * @param exporter what the exporter holds; null when the exporter's view is unknown
 * @param importer what the importer holds; null when it holds nothing of it or its view is unknown
 */
public record ServiceSync(String service, State state, String reason, Held exporter, Held importer) {

    /** A service's sync state. */
    public enum State {
        /** Both sides hold the same instances. */
        SYNCED,
        /** The importer does not hold what the exporter holds yet (or one side's view is unknown). */
        PENDING,
        /** The importer refused the last message about it, or the exporter does not export it to the peer. */
        REFUSED,
        /** The importer still holds it but it is no longer exported: it is being removed there. */
        PURGING;

        /** The state as the API writes it, lower case. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What one side holds of a service.
     *
     * @param version   on the exporter its Consul index of the service; on the importer the highest exporter version
     *                  it applied
     * @param instances live instances
     * @param digest    the {@link ServiceDigest} of its instances, as text
     * @param changedAt when it last moved on that side (that side's clock); null when never or not recorded
     */
    public record Held(long version, long instances, String digest, Instant changedAt) {
        /** Whether this and {@code other} hold the same instances (digest and count, as a resync compares). */
        public boolean sameAs(Held other) {
            return other != null && instances == other.instances && digest.equals(other.digest);
        }
    }

    /**
     * What the peer's side refused of a service's replication, as the exporter recorded it.
     *
     * @param version the version the refused message carried
     * @param reason  what was refused and the importer's answer
     * @param at      when (the exporter's clock)
     */
    public record Refusal(long version, String reason, Instant at) {
    }

    /**
     * Judges a service that the exporter exports to the importer.
     *
     * @param exporter    what the exporter holds (never null: a service without instances holds none)
     * @param importer    what the importer holds, null when nothing
     * @param knownBoth   whether both sides' views are known; when not, a service is never judged synced
     * @param unknownWhy  why one side's view is unknown (used when {@code knownBoth} is false)
     * @param refusal     the importer's last refusal of a message about the service, or null
     * @param purging     whether the importer marked it no longer exported (it is removing it)
     * @param ackTimeout  how long a change may stay unacknowledged before the reason says so
     */
    public static ServiceSync ofExported(String service, Held exporter, Held importer, boolean knownBoth,
                                         String unknownWhy, Refusal refusal, boolean purging, Instant now,
                                         Duration ackTimeout) {
        if (knownBoth && purging) {
            return new ServiceSync(service, State.PENDING, "the peer is still removing an earlier export of it; "
                    + "the next resync sends it again", exporter, importer);
        }
        boolean holdsNothing = exporter.instances() == 0 && (importer == null || importer.instances() == 0);
        if (knownBoth && (exporter.sameAs(importer) || holdsNothing)) {
            return new ServiceSync(service, State.SYNCED, "", exporter, importer);
        }
        if (refusal != null && !refusal.at().isBefore(orEpoch(exporter.changedAt()))) {
            return new ServiceSync(service, State.REFUSED, refusal.reason(), exporter, importer);
        }
        if (!knownBoth) {
            return new ServiceSync(service, State.PENDING, unknownWhy, exporter, importer);
        }
        if (exporter.changedAt() != null) {
            Duration waiting = Duration.between(exporter.changedAt(), now);
            if (waiting.compareTo(ackTimeout) >= 0) {
                return new ServiceSync(service, State.PENDING, "last change not acknowledged for "
                        + waiting.toSeconds() + " s", exporter, importer);
            }
        }
        return new ServiceSync(service, State.PENDING, "the peer holds version " + (importer == null ? 0 : importer.version())
                + " of " + exporter.version() + "; the change is on its way", exporter, importer);
    }

    /** A service the importer holds but the exporter no longer exports to it. */
    public static ServiceSync ofUnexported(String service, Held exporter, Held importer) {
        return new ServiceSync(service, State.PURGING, "not in exported-services", exporter, importer);
    }

    /** A service the exporter has that is not exported to the peer, and that the peer does not hold. */
    public static ServiceSync ofNotExported(String service, Held exporter) {
        return new ServiceSync(service, State.REFUSED, "not in exported-services", exporter, null);
    }

    private static Instant orEpoch(Instant at) {
        return at == null ? Instant.EPOCH : at;
    }
}
