package io.clusterpeering.acl;

/**
 * A read's result after ACL filtering, and whether anything was removed: Consul then answers
 * {@code X-Consul-Results-Filtered-By-ACLs: true} (and leaves the header out when nothing was).
 *
 * @param value    what the caller may see
 * @param filtered whether something was left out
 */
public record Filtered<T>(T value, boolean filtered) {
}
