package io.clusterpeering.support;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Starts two local clusters, dc1 then dc2, before the class's {@code @BeforeAll} methods, as
 * {@link PeeringFlow#startCluster} does (or {@link AclFlow#startCluster} with {@link #acl}), each with
 * {@link #settings} on top; stops them after its {@code @AfterAll} methods, or as soon as the setup fails.
 * {@code @BeforeAll} methods, constructors and test methods get them as a {@link Clusters} parameter.
 * See {@link TwoClustersExtension}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TwoClustersExtension.class)
public @interface TwoClusters {
    /** Configuration both clusters get on top of the defaults, each {@code "key=value"}. */
    String[] settings() default {};

    /** ACLs on with this default policy ({@code "deny"} or {@code "allow"}); empty: ACLs off. */
    String acl() default "";

    /** With {@link #acl}: bootstrap dc1's ACLs, then dc2's, and hand over their management clients. */
    boolean bootstrap() default false;
}
