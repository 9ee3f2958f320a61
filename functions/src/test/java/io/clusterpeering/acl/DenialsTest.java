package io.clusterpeering.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Denial texts, word for word as Consul writes them (reference §2.3), and the shape rules of a permission. */
class DenialsTest {
    private static final String ACCESSOR = "6a1253d2-1785-24fd-91c2-f8e78c745511";

    @Test
    void anUnnamedPermissionDeniedToATokenNamesItsAccessor() {
        assertEquals("Permission denied: token with AccessorID '6a1253d2-1785-24fd-91c2-f8e78c745511' lacks permission"
                        + " 'peering:write'",
                Denials.permissionDenied(ACCESSOR, Permission.of(Resource.PEERING, AccessLevel.WRITE)));
    }

    @Test
    void aNamedPermissionAddsTheNameInPlainQuotes() {
        assertEquals("Permission denied: token with AccessorID '6a1253d2-1785-24fd-91c2-f8e78c745511' lacks permission"
                        + " 'service:read' on \"web\"",
                Denials.permissionDenied(ACCESSOR, Permission.on(Resource.SERVICE, "web", AccessLevel.READ)));
        assertEquals("Permission denied: token with AccessorID '6a1253d2-1785-24fd-91c2-f8e78c745511' lacks permission"
                        + " 'intention:write' on \"web\"",
                Denials.permissionDenied(ACCESSOR, Permission.on(Resource.INTENTION, "web", AccessLevel.WRITE)));
    }

    @Test
    void theAnonymousTokenGetsConsulsAnonymousWordingAndSuffix() {
        assertEquals("Permission denied: anonymous token lacks permission 'peering:read'. The anonymous token is used"
                        + " implicitly when a request does not specify a token.",
                Denials.permissionDenied(Denials.ANONYMOUS_ACCESSOR_ID, Permission.of(Resource.PEERING, AccessLevel.READ)));
        assertEquals("Permission denied: anonymous token lacks permission 'agent:read' on \"node1\". The anonymous token"
                        + " is used implicitly when a request does not specify a token.",
                Denials.permissionDenied(Denials.ANONYMOUS_ACCESSOR_ID, Permission.on(Resource.AGENT, "node1", AccessLevel.READ)));
    }

    @Test
    void namesAreNotEscapedAndAnEmptyNameIsLeftOutAsInConsulCe() {
        assertEquals("Permission denied: token with AccessorID 'a' lacks permission 'key:list' on \"a\"b\"",
                Denials.permissionDenied("a", Permission.on(Resource.KEY, "a\"b", AccessLevel.LIST)));
        assertEquals("Permission denied: token with AccessorID 'a' lacks permission 'key:read'",
                Denials.permissionDenied("a", Permission.on(Resource.KEY, "", AccessLevel.READ)));
    }

    @Test
    void aggregateChecksUseConsulsPseudoNames() {
        assertEquals("Permission denied: token with AccessorID 'a' lacks permission 'service:read' on \"all services\"",
                Denials.permissionDenied("a", Permission.ALL_SERVICES_READ));
        assertEquals("Permission denied: token with AccessorID 'a' lacks permission 'node:read' on \"all nodes\"",
                Denials.permissionDenied("a", Permission.ALL_NODES_READ));
        assertEquals("Permission denied: token with AccessorID 'a' lacks permission 'service:write' on \"any service\"",
                Denials.permissionDenied("a", Permission.ANY_SERVICE_WRITE));
    }

    @Test
    void aCauseOnlyDenialReadsPermissionDeniedColonCause() {
        assertEquals("Permission denied: ACL bootstrap no longer allowed (reset index: 46)",
                Denials.permissionDenied("ACL bootstrap no longer allowed (reset index: 46)"));
    }

    @Test
    void permissionTextIsTheTailOfTheDenial() {
        assertEquals("peering:write", Permission.of(Resource.PEERING, AccessLevel.WRITE).text());
        assertEquals("service:read on \"web\"", Permission.on(Resource.SERVICE, "web", AccessLevel.READ).text());
    }

    @Test
    void aPermissionOfTheWrongShapeIsRefusedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> Permission.of(Resource.PEERING, AccessLevel.DENY));
        assertThrows(IllegalArgumentException.class, () -> Permission.on(Resource.SERVICE, "web", AccessLevel.LIST));
        assertThrows(IllegalArgumentException.class, () -> Permission.on(Resource.PEERING, "p1", AccessLevel.READ));
        assertThrows(NullPointerException.class, () -> Permission.of(Resource.SERVICE, AccessLevel.READ));
    }

    @Test
    void levelsParseCaseInsensitivelyAndNameTheBadValue() {
        assertEquals(AccessLevel.WRITE, AccessLevel.parse("WRITE"));
        assertEquals(AccessLevel.LIST, AccessLevel.parse("List"));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> AccessLevel.parse("admin"));
        assertEquals("\"admin\" is not a valid access level", error.getMessage());
    }
}
